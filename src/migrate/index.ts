// The migrate phase: each migrate command runs as its own one-off ECS task with the new
// revision, in order, stopping at the first failure. Its output streams into a collapsed log
// group while it runs. It never touches the service: a failed migration leaves the service
// exactly as it was, and the orchestrator stops the deploy.
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Service,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import * as core from '@actions/core'
import { ActionError, describeError, isCredentialError } from '../errors.js'
import type { Command, MigrateInputs } from '../inputs.js'
import type { MigrateResult, MigrateTaskResult } from '../phases.js'
import { DEFAULT_BACKOFF, nextPollDelay, type BackoffSettings } from '../util/backoff.js'
import type { Clock } from '../util/clock.js'
import { watchCancellation, type SignalTarget } from './cancel.js'
import { LogTail } from './log-tail.js'
import { decideOutcome, describeRunTaskFailures } from './outcome.js'
import { MIGRATE_STARTED_BY, buildRunTaskInput, logLocation, migrateGroup, taskId } from './task-input.js'

export { parseMigrateCommands } from './command.js'
export { migrationInFlightMessage } from './cancel.js'

/** Where the phase writes (the job log through @actions/core in the action; a recorder in tests). */
export interface MigrateOutput {
  info(line: string): void
  warning(message: string): void
  startGroup(name: string): void
  endGroup(): void
}

const coreOutput: MigrateOutput = {
  info: line => core.info(line),
  warning: message => core.warning(message),
  startGroup: name => core.startGroup(name),
  endGroup: () => core.endGroup()
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
  /** Receives SIGINT/SIGTERM while a task runs (process in the action). */
  readonly signals?: SignalTarget
  /** How many log lines each result keeps for the summary. */
  readonly keepLogLines?: number
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
  for (const command of migrate.commands) {
    const result = await runOne(command, migrate.timeoutMinutes, deps)
    tasks.push(result)
    if (!result.succeeded) break
  }
  return { tasks, succeeded: tasks.length === migrate.commands.length && tasks.every(t => t.succeeded) }
}

/** A migration of the same service that is still running (desired RUNNING), if there is one. */
export async function findRunningMigration(
  ecs: ECSClient,
  cluster: string,
  serviceName: string
): Promise<Task | undefined> {
  const group = migrateGroup(serviceName)
  const arns: string[] = []
  let nextToken: string | undefined
  for (let page = 0; page < 20; page++) {
    const answer = await ecs.send(
      new ListTasksCommand({
        cluster,
        startedBy: MIGRATE_STARTED_BY,
        desiredStatus: 'RUNNING',
        ...(nextToken !== undefined && { nextToken })
      })
    )
    arns.push(...(answer.taskArns ?? []))
    nextToken = answer.nextToken
    if (!nextToken) break
  }
  // Other services' migrations share startedBy; only the group tells ours apart.
  for (let i = 0; i < arns.length; i += 100) {
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))
    const running = (answer.tasks ?? []).find(
      t =>
        t.group === group &&
        t.lastStatus !== 'STOPPED' &&
        (t.startedBy ?? MIGRATE_STARTED_BY) === MIGRATE_STARTED_BY
    )
    if (running) return running
  }
  return undefined
}

function commandText(command: Command): string {
  return command.map(word => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(' ')
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${Math.round(ms / 1000)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

async function runOne(
  command: Command,
  timeoutMinutes: number,
  deps: MigrateDeps
): Promise<MigrateTaskResult> {
  const { ecs, clock, cluster, containerName } = deps
  const out = deps.output ?? coreOutput
  const backoff = deps.backoff ?? DEFAULT_BACKOFF
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

  const other = await findRunningMigration(ecs, cluster, serviceName)
  if (other?.taskArn) {
    const since = other.createdAt ? `, started ${other.createdAt.toISOString()}` : ''
    const reason = `another migration of service ${serviceName} is still running: task ${other.taskArn} (${other.lastStatus ?? 'status unknown'}${since}). Migrations never run two at once; wait for it to finish (or stop it) and re-run`
    out.info(`migrate: ${reason}`)
    return failed(reason)
  }

  const input = buildRunTaskInput({
    cluster,
    service: deps.service,
    taskDefinitionArn: deps.taskDefinition.taskDefinitionArn ?? '',
    containerName,
    command
  })
  out.startGroup(`Migrate: ${text}`)
  let result: MigrateTaskResult | undefined
  try {
    const answer = await ecs.send(new RunTaskCommand(input))
    const taskArn = answer.tasks?.[0]?.taskArn
    if (!taskArn) {
      result = failed(`the task could not be started: ${describeRunTaskFailures(answer.failures ?? [])}`)
      out.info(result.reason ?? '')
      return result
    }
    out.info(
      `started task ${taskArn} with ${deps.taskDefinition.taskDefinitionArn} in container ${containerName}`
    )
    result = await follow(taskArn, command, timeoutMinutes, started, deps, out, backoff)
    return result
  } finally {
    out.endGroup()
    if (result) {
      const verdict = result.succeeded ? 'succeeded' : `failed: ${result.reason ?? 'no reason'}`
      out.info(
        `migrate \`${text}\` ${verdict} (exit code ${result.exitCode ?? 'none'}, ${seconds(result.durationMs)})`
      )
    }
  }
}

async function follow(
  taskArn: string,
  command: Command,
  timeoutMinutes: number,
  started: number,
  deps: MigrateDeps,
  out: MigrateOutput,
  backoff: BackoffSettings
): Promise<MigrateTaskResult> {
  const { ecs, clock, cluster, containerName } = deps
  const location = logLocation(deps.taskDefinition, containerName, taskArn)
  const tail = location
    ? new LogTail(deps.logs, location, deps.keepLogLines ?? 20, m => out.warning(m))
    : undefined
  if (location) out.info(`logs: ${location.logGroupName} ${location.logStreamName}`)
  else
    out.info(
      `logs are not available here: container ${containerName} does not use the awslogs driver with an awslogs-stream-prefix`
    )
  const printLines = async (): Promise<number> => {
    if (!tail) return 0
    const lines = await tail.poll()
    for (const line of lines) out.info(line)
    return lines.length
  }

  const deadline = started + timeoutMinutes * 60_000
  const stopCancelWatch = watchCancellation(taskArn, cluster, m => out.warning(m), deps.signals)
  let task: Task | undefined
  let status: string | undefined
  let delay: number | undefined
  let errors = 0
  let timedOut = false
  let stopDeadline = Number.POSITIVE_INFINITY
  try {
    // Bounded: every turn sleeps at least 1 ms of the clock, and the loop ends at the deadline
    // (plus at most STOP_WAIT_MS to see the stopped task after StopTask).
    for (;;) {
      let changed = false
      try {
        const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))
        // Right after RunTask the task may not be visible yet (eventual consistency): keep waiting.
        task = answer.tasks?.find(t => t.taskArn === taskArn) ?? task
        changed = (await printLines()) > 0
        errors = 0
      } catch (error) {
        errors++
        if (isCredentialError(error) || errors >= MAX_POLL_ERRORS) {
          throw new ActionError(
            `could not follow migrate task ${taskArn} (${describeError(error)}); it may still be running`
          )
        }
        out.warning(`checking migrate task ${taskId(taskArn)} failed (${describeError(error)}); retrying`)
      }
      if (task?.lastStatus !== status) {
        status = task?.lastStatus
        changed = true
        if (status) out.info(`task ${taskId(taskArn)}: ${status}`)
      }
      if (status === 'STOPPED') break
      const now = clock.now()
      if (!timedOut && now >= deadline) {
        timedOut = true
        out.info(`migrate-timeout-minutes (${timeoutMinutes}) reached: stopping task ${taskArn} (StopTask)`)
        await ecs.send(
          new StopTaskCommand({
            cluster,
            task: taskArn,
            reason: `ecs-ship: migrate-timeout-minutes (${timeoutMinutes}) reached`
          })
        )
        stopDeadline = now + STOP_WAIT_MS
      }
      if (timedOut && now >= stopDeadline) {
        out.warning(`task ${taskArn} did not reach STOPPED within ${seconds(STOP_WAIT_MS)} of StopTask`)
        break
      }
      delay = nextPollDelay(delay, changed, backoff)
      const limit = timedOut ? stopDeadline : deadline
      await clock.sleep(Math.max(1, Math.min(delay, limit - now)))
    }
  } finally {
    stopCancelWatch()
  }

  // The last lines are often written just before the task stops and reach CloudWatch a moment
  // later: read once now and once more after a short pause.
  if (tail) {
    try {
      await printLines()
      await clock.sleep(Math.max(1, backoff.minMs))
      await printLines()
    } catch (error) {
      if (isCredentialError(error)) throw error
    }
  }

  const durationMs = clock.now() - started
  const lastLogLines = tail?.lastLines() ?? []
  const base = { command, taskArn, durationMs, lastLogLines }
  if (timedOut) {
    const exitCode = task?.containers?.find(c => c.name === containerName)?.exitCode
    return {
      ...base,
      ...(exitCode !== undefined && exitCode !== null && { exitCode }),
      succeeded: false,
      reason: `timed out after ${timeoutMinutes} minute${timeoutMinutes === 1 ? '' : 's'} (migrate-timeout-minutes); the task was stopped with StopTask`
    }
  }
  const outcome = decideOutcome(task ?? {}, containerName)
  return {
    ...base,
    ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }),
    ...(outcome.reason !== undefined && { reason: outcome.reason }),
    succeeded: outcome.succeeded
  }
}
