// The migrate phase: each migrate command runs as its own one-off ECS task with the new
// revision, in order, stopping at the first failure. Its output streams into the job log (inside
// the phase's own group: groups do not nest) while it runs. It never touches the service: a
// failed migration leaves the service exactly as it was, and the orchestrator stops the deploy.
import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskCommandOutput,
  type Service,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import * as core from '@actions/core'
import { ActionError, describeError, isCredentialError } from '../errors.js'
import type { Command, MigrateInputs } from '../inputs.js'
import type { MigrateResult, MigrateTaskResult } from '../phases.js'
import { printForeign } from '../report/foreign.js'
import { DEFAULT_BACKOFF, type BackoffSettings } from '../watch/poll.js'
import type { Clock } from '../util/clock.js'
import { markMigrationRunning } from './cancel.js'
import { findEarlierMigration, findRunningMigration } from './concurrency.js'
import { nextDrainStep, type DrainState } from './drain.js'
import { LogTail } from './log-tail.js'
import { decideOutcome, describeRunTaskFailures } from './outcome.js'
import { hasStarted, logReadDue, nextTaskPoll, paceFor } from './pace.js'
import { buildRunTaskInput, logLocation, taskId } from './task-input.js'

export { parseMigrateCommands } from './command.js'
export { migrationInFlightMessage } from './cancel.js'
export { findEarlierMigration, findRunningMigration } from './concurrency.js'

/** Where the phase writes (the job log through @actions/core in the action; a recorder in tests). */
export interface MigrateOutput {
  info(line: string): void
  warning(message: string): void
}

const coreOutput: MigrateOutput = {
  info: printForeign,
  warning: message => core.warning(message)
}

export interface MigrateDeps {
  readonly ecs: ECSClient
  readonly logs: CloudWatchLogsClient
  readonly clock: Clock
  readonly cluster: string
  /** The service as DescribeServices returned it: its network and placement are copied. */
  readonly service: Service
  /** The newly registered revision, with its ARN. */
  readonly taskDefinition: TaskDefinition
  readonly containerName: string
  /** Poll settings (backoffFromEnv(process.env) in the action). */
  readonly backoff?: BackoffSettings
  readonly output?: MigrateOutput
  /** How many log lines each result keeps for the summary. */
  readonly keepLogLines?: number
}

/**
 * Thrown when the phase cannot go on and no waiting would help: the credentials may not do what
 * it needs. The message is the plain one for the job log; `migrateResult` holds the results so
 * far (the last one failed), so the summary can still show them.
 */
export class MigrateAbortedError extends ActionError {
  constructor(
    message: string,
    readonly migrateResult: MigrateResult
  ) {
    super(message)
  }
}

/** Inside the phase: one command's failed result, and the message that stops the phase. */
class CommandAborted extends Error {
  constructor(
    message: string,
    readonly task: MigrateTaskResult
  ) {
    super(message)
  }
}

/** Poll errors in a row (after the SDK's own retries) before we stop following the task. */
const MAX_POLL_ERRORS = 5
/** After StopTask, how long we wait for STOPPED so the last log lines can be read. */
const STOP_WAIT_MS = 2 * 60_000
/** Runs every command in order; stops at the first one that does not succeed. */
export async function runMigrations(migrate: MigrateInputs, deps: MigrateDeps): Promise<MigrateResult> {
  const taskDefinitionArn = deps.taskDefinition.taskDefinitionArn
  if (!taskDefinitionArn) throw new Error('runMigrations needs the registered task definition with its ARN')
  const names = (deps.taskDefinition.containerDefinitions ?? []).map(c => c.name)
  if (!names.includes(deps.containerName)) {
    throw new ActionError(
      `input migrate-container: the task definition ${taskDefinitionArn} has no container named ${deps.containerName} (it has ${names.join(', ') || 'none'})`
    )
  }
  const tasks: MigrateTaskResult[] = []
  const total = migrate.commands.length
  for (const [index, command] of migrate.commands.entries()) {
    const label = total > 1 ? `migrate ${index + 1}/${total}` : 'migrate'
    try {
      const result = await runOne(command, label, migrate.timeoutMinutes, deps)
      tasks.push(result)
      if (!result.succeeded) break
    } catch (error) {
      if (!(error instanceof CommandAborted)) throw error
      throw new MigrateAbortedError(error.message, { tasks: [...tasks, error.task], succeeded: false })
    }
  }
  return { tasks, succeeded: tasks.length === total && tasks.every(t => t.succeeded) }
}

function commandText(command: Command): string {
  return command.map(word => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(' ')
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${Math.round(ms / 1000)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** The AWS error behind an error we wrapped (ActionError with a cause), or the error itself. */
function rootCause(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error
}

async function runOne(
  command: Command,
  label: string,
  timeoutMinutes: number,
  deps: MigrateDeps
): Promise<MigrateTaskResult> {
  const { ecs, clock, cluster, containerName } = deps
  const out = deps.output ?? coreOutput
  const serviceName = deps.service.serviceName ?? 'service'
  const text = commandText(command)
  const started = clock.now()
  const failed = (reason: string, extra: Partial<MigrateTaskResult> = {}): MigrateTaskResult => ({
    command,
    durationMs: clock.now() - started,
    lastLogLines: [],
    succeeded: false,
    reason,
    ...extra
  })
  // One line gives each command's verdict, whatever happened: as soon as it is known (for a task
  // that ran, when its exit code is seen, before the last lines of its log are drained).
  let announced = false
  const announce = (result: MigrateTaskResult): void => {
    if (announced) return
    announced = true
    const verdict = result.succeeded ? 'succeeded' : `failed: ${result.reason ?? 'no reason'}`
    out.info(
      `${label} \`${text}\` ${verdict} (exit code ${result.exitCode ?? 'none'}, ${seconds(result.durationMs)})`
    )
  }
  // Credentials that may not do what the phase needs stop it at once, with this command's result.
  const conclude = (result: MigrateTaskResult, abortCause?: unknown): MigrateTaskResult => {
    announce(result)
    if (abortCause !== undefined && isCredentialError(rootCause(abortCause))) {
      throw new CommandAborted(describeError(abortCause), result)
    }
    return result
  }

  // Actions does not nest groups, and this runs inside the Migrate phase's group: a plain header
  // line starts each command's output instead.
  out.info(`==> ${label}: ${text}`)

  let other: Task | undefined
  try {
    other = await findRunningMigration(ecs, cluster, serviceName)
  } catch (error) {
    return conclude(
      failed(`could not check whether another migration is running: ${describeError(error)}`),
      error
    )
  }
  if (other?.taskArn) {
    const since = other.createdAt ? `, started ${other.createdAt.toISOString()}` : ''
    return conclude(
      failed(
        `another migration of service ${serviceName} is still running: task ${other.taskArn} (${other.lastStatus ?? 'status unknown'}${since}). Migrations never run two at once; wait for it to finish (or stop it) and re-run`
      )
    )
  }

  const input = buildRunTaskInput({
    cluster,
    service: deps.service,
    taskDefinitionArn: deps.taskDefinition.taskDefinitionArn ?? '',
    containerName,
    command
  })
  let answer: RunTaskCommandOutput
  try {
    answer = await ecs.send(new RunTaskCommand(input))
  } catch (error) {
    // InvalidParameterException, ClientException, AccessDenied on iam:PassRole…: no task exists.
    return conclude(failed(`the task could not be started: ${describeError(error)}`), error)
  }
  const ours = answer.tasks?.[0]
  const taskArn = ours?.taskArn
  if (!ours || !taskArn) {
    return conclude(
      failed(`the task could not be started: ${describeRunTaskFailures(answer.failures ?? [])}`)
    )
  }
  out.info(
    `started task ${taskArn} with ${deps.taskDefinition.taskDefinitionArn} in container ${containerName}`
  )

  const refusal = await yieldToEarlierMigration(ours, serviceName, deps, out)
  if (refusal) return conclude(failed(refusal.reason, { taskArn }), refusal.error)

  try {
    return conclude(await follow({ taskArn, command, timeoutMinutes, started }, deps, out, announce))
  } catch (error) {
    if (error instanceof CommandAborted) throw error
    return conclude(failed(describeError(error), { taskArn }), error)
  }
}

/**
 * The check after RunTask, for two deploys that both saw no running migration: when a migration
 * of the service that started before ours is running, ours is stopped at once and the reason
 * names the other one. Ours is stopped too when the check itself fails, as we cannot be sure.
 */
async function yieldToEarlierMigration(
  ours: Task,
  serviceName: string,
  deps: MigrateDeps,
  out: MigrateOutput
): Promise<{ reason: string; error?: unknown } | undefined> {
  const taskArn = ours.taskArn ?? ''
  // ECS reads are eventually consistent: a task the other deploy started a moment ago may not be
  // listed yet. A short pause (the shortest poll interval) narrows that window.
  await deps.clock.sleep(Math.max(1, (deps.backoff ?? DEFAULT_BACKOFF).minMs))
  let earlier: Task | undefined
  let checkError: unknown
  try {
    earlier = await findEarlierMigration(deps.ecs, deps.cluster, serviceName, ours)
  } catch (error) {
    checkError = error
  }
  if (!earlier && checkError === undefined) return undefined

  const reason = earlier
    ? `another migration of service ${serviceName} started first, at the same time as this one: task ${earlier.taskArn ?? '?'}. Migrations never run two at once, so this one (task ${taskArn}) was stopped at once; wait for the other to finish and re-run`
    : `could not check whether another migration of service ${serviceName} started at the same time (${describeError(checkError)}); task ${taskArn} was stopped at once, as two migrations must never run together`
  const stopReason = earlier
    ? `ecs-ship: migration ${taskId(earlier.taskArn ?? '')} of ${serviceName} started first`
    : `ecs-ship: could not check for another migration of ${serviceName}`
  try {
    await deps.ecs.send(
      new StopTaskCommand({ cluster: deps.cluster, task: taskArn, reason: stopReason.slice(0, 255) })
    )
  } catch (error) {
    const stopFailed = `StopTask failed (${describeError(error)}): task ${taskArn} may still be running`
    out.warning(stopFailed)
    return { reason: `${reason}; ${stopFailed}`, error: checkError ?? error }
  }
  return checkError === undefined ? { reason } : { reason, error: checkError }
}

async function follow(
  run: {
    readonly taskArn: string
    readonly command: Command
    readonly timeoutMinutes: number
    /** When RunTask answered (clock ms): the timeout counts from here. */
    readonly started: number
  },
  deps: MigrateDeps,
  out: MigrateOutput,
  /** Prints the verdict line: called once, as soon as the result is known, before the drain. */
  announce: (result: MigrateTaskResult) => void
): Promise<MigrateTaskResult> {
  const { taskArn, command, timeoutMinutes, started } = run
  const { ecs, clock, cluster, containerName } = deps
  const pace = paceFor(deps.backoff ?? DEFAULT_BACKOFF)
  const location = logLocation(deps.taskDefinition, containerName, taskArn)
  const tail = location
    ? new LogTail(deps.logs, location, deps.keepLogLines ?? 20, m => out.warning(m))
    : undefined
  if (location) out.info(`logs: ${location.logGroupName} ${location.logStreamName}`)
  else
    out.info(
      `logs are not available here: container ${containerName} does not use the awslogs driver with an awslogs-stream-prefix`
    )
  /** Prints the lines new in the log; `heading`, when given, goes above them if there are any. */
  const printLines = async (heading?: string): Promise<number> => {
    if (!tail) return 0
    const lines = await tail.poll()
    if (heading !== undefined && lines.length > 0) out.info(heading)
    for (const line of lines) out.info(line)
    return lines.length
  }

  const deadline = started + timeoutMinutes * 60_000
  const migrationDone = markMigrationRunning(taskArn, cluster)
  let task: Task | undefined
  let status: string | undefined
  let delay = pace.startingMs
  /** When a poll first showed the container started: the short polls count from here (pace.ts). */
  let startedSeenAt: number | undefined
  let lastLogRead: { at: number; lines: number } | undefined
  let errors = 0
  let timedOut = false
  let stopFailed: string | undefined
  let stopDeadline = Number.POSITIVE_INFINITY
  /** The drain's start: the exit code seen, and the read made right after (see drain.ts). */
  let drain: DrainState | undefined
  try {
    // Bounded: every turn sleeps at least 1 ms of the clock, and the loop ends at the deadline
    // (plus at most STOP_WAIT_MS to see the stopped task after StopTask).
    for (;;) {
      try {
        const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))
        // Right after RunTask the task may not be visible yet (eventual consistency): keep waiting.
        task = answer.tasks?.find(t => t.taskArn === taskArn) ?? task
        errors = 0
      } catch (error) {
        errors++
        if (isCredentialError(error) || errors >= MAX_POLL_ERRORS) {
          throw new ActionError(
            `could not follow migrate task ${taskArn} (${describeError(error)}); it may still be running`,
            { cause: error }
          )
        }
        out.warning(`checking migrate task ${taskId(taskArn)} failed (${describeError(error)}); retrying`)
      }
      const exited = exitCodeOf(task, containerName) !== undefined
      const ended = exited || task?.lastStatus === 'STOPPED'
      // When the exit was seen, and the log read below started: the drain counts from here.
      const seenAt = clock.now()
      if (startedSeenAt === undefined && hasStarted(task)) startedSeenAt = seenAt
      // Apart from the task's own poll: the log is a convenience, and a read of it never fails
      // the migration (LogTail warns instead of throwing). The poll that shows the exit always
      // reads it, so the lines written before the exit come before the verdict line.
      if (ended || logReadDue({ task, last: lastLogRead, now: seenAt, taskDelayMs: delay }, pace))
        lastLogRead = { at: seenAt, lines: await printLines() }
      if (task?.lastStatus !== status) {
        status = task?.lastStatus
        if (status) out.info(`task ${taskId(taskArn)}: ${status}`)
      }
      // The container's exit code decides; the task's STOPPED comes later (on Fargate, tens of
      // seconds of deprovisioning) and adds nothing to the verdict.
      if (ended) {
        if (exited && status !== 'STOPPED')
          out.info(`task ${taskId(taskArn)}: container ${containerName} exited`)
        const stoppedAt = task?.executionStoppedAt
        drain = {
          exitSeenAt: seenAt,
          ...(stoppedAt !== undefined && { executionStoppedAt: new Date(stoppedAt).getTime() }),
          reads: 1,
          // The read just made, as the exit forces one.
          ...(lastLogRead && { lastRead: lastLogRead })
        }
        break
      }
      const now = clock.now()
      if (!timedOut && now >= deadline) {
        timedOut = true
        out.info(`migrate-timeout-minutes (${timeoutMinutes}) reached: stopping task ${taskArn} (StopTask)`)
        try {
          await ecs.send(
            new StopTaskCommand({
              cluster,
              task: taskArn,
              reason: `ecs-ship: migrate-timeout-minutes (${timeoutMinutes}) reached`
            })
          )
        } catch (error) {
          if (isCredentialError(error)) throw error
          stopFailed = describeError(error)
          out.warning(`StopTask failed for task ${taskArn} (${stopFailed}); it may still be running`)
          break
        }
        stopDeadline = now + STOP_WAIT_MS
      }
      if (timedOut && now >= stopDeadline) {
        out.warning(`task ${taskArn} did not reach STOPPED within ${seconds(STOP_WAIT_MS)} of StopTask`)
        break
      }
      delay = nextTaskPoll(
        { now, ...(startedSeenAt !== undefined && { startedSeenAt }), stopRequested: timedOut },
        pace
      )
      const limit = timedOut ? stopDeadline : deadline
      await clock.sleep(Math.max(1, Math.min(delay, limit - now)))
    }
  } finally {
    migrationDone()
  }

  const durationMs = clock.now() - started
  const result = decide({ task, containerName, timedOut, timeoutMinutes, stopFailed })
  // Decided on the exit code: said at once, with the lines read so far above it.
  announce({ command, taskArn, durationMs, lastLogLines: tail?.lastLines() ?? [], ...result })
  if (tail && drain) {
    // Lines that reach CloudWatch after the exit was seen are still printed, under a note, so the
    // job log says why they follow the verdict; and they are in the result (the summary's lines).
    let noted = false
    await drainLog(
      async () => {
        const lines = await printLines(noted ? undefined : LATE_LINES_NOTE)
        noted ||= lines > 0
        return lines
      },
      clock,
      drain
    )
  }
  return { command, taskArn, durationMs, lastLogLines: tail?.lastLines() ?? [], ...result }
}

/** The line above the log lines read after the verdict. */
export const LATE_LINES_NOTE = '(log lines read after the exit:)'

/** The verdict, from the task as last seen: its exit code, or the timeout. */
function decide(seen: {
  readonly task: Task | undefined
  readonly containerName: string
  readonly timedOut: boolean
  readonly timeoutMinutes: number
  readonly stopFailed: string | undefined
}): Pick<MigrateTaskResult, 'exitCode' | 'succeeded' | 'reason'> {
  const { task, containerName, timeoutMinutes, stopFailed } = seen
  if (seen.timedOut) {
    const exitCode = exitCodeOf(task, containerName)
    const minutes = `${timeoutMinutes} minute${timeoutMinutes === 1 ? '' : 's'}`
    return {
      ...(exitCode !== undefined && { exitCode }),
      succeeded: false,
      reason: stopFailed
        ? `timed out after ${minutes} (migrate-timeout-minutes); StopTask failed (${stopFailed}), so the task may still be running`
        : `timed out after ${minutes} (migrate-timeout-minutes); the task was stopped with StopTask`
    }
  }
  const outcome = decideOutcome(task ?? {}, containerName)
  return {
    ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
    ...(outcome.reason !== undefined && { reason: outcome.reason }),
    succeeded: outcome.succeeded
  }
}

/** The migrate container's exit code, once it has one. */
function exitCodeOf(task: Task | undefined, containerName: string): number | undefined {
  const code = task?.containers?.find(c => c.name === containerName)?.exitCode
  return code ?? undefined
}

/**
 * The last lines are often written just before the container exits and reach CloudWatch Logs a
 * moment later: read on until drain.ts says the stream is complete (bounded there).
 */
async function drainLog(read: () => Promise<number>, clock: Clock, start: DrainState): Promise<void> {
  let state = start
  for (;;) {
    const step = nextDrainStep(state, clock.now())
    if (step.kind === 'done') return
    const wait = step.atMs - clock.now()
    if (wait > 0) await clock.sleep(wait)
    // The read is as fresh as its start: a line that reached CloudWatch before it is in it.
    const at = clock.now()
    const lines = await read()
    state = { ...state, reads: state.reads + 1, lastRead: { at, lines } }
  }
}
