import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { fixtureJson } from '../../__fixtures__/load.js'
import {
  LATE_LINES_NOTE,
  MigrateAbortedError,
  runMigrations,
  type MigrateOutput
} from '../../src/migrate/index.js'
import { ActionError } from '../../src/errors.js'
import { fakeClock } from '../../src/util/clock.js'
import type { MigrateInputs } from '../../src/inputs.js'

const service = fixtureJson<{ services: Service[] }>('services/web-rolling.json').services[0] as Service
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const taskDefinition: TaskDefinition = {
  taskDefinitionArn: NEW,
  containerDefinitions: [
    {
      name: 'web',
      essential: true,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-stream-prefix': 'ecs',
          'awslogs-region': 'us-east-1'
        }
      }
    },
    { name: 'datadog-agent', essential: false }
  ]
}
const TASK = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/demo/task${n}`
const MIGRATE: MigrateInputs = {
  commands: [['python', 'manage.py', 'migrate', '--no-input']],
  timeoutMinutes: 30
}
const BACKOFF = { minMs: 2000, maxMs: 15000, factor: 1.5 }

/** A recorder in place of @actions/core: lines and warnings in the order they were written. */
function recorder(): MigrateOutput & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: l => lines.push(l),
    warning: m => lines.push(`warning: ${m}`)
  }
}

/**
 * A task that goes PROVISIONING → RUNNING → STOPPED on the fake clock, and a log stream whose
 * lines become visible at given times (after the task started, or after the first DescribeTasks
 * that showed it STOPPED). GetLogEvents pages with forward tokens like CloudWatch: the same token
 * comes back when there is nothing new.
 */
function scenario(options: {
  exitCode?: number
  stopsAtMs?: number
  logs?: readonly ({ text: string } & ({ visibleAtMs: number } | { afterStopSeenMs: number }))[]
  stopCode?: Task['stopCode']
  stoppedReason?: string
  /** The container's exit code shows this long before the task is STOPPED (DEACTIVATING until then). */
  exitedBeforeStoppedMs?: number
  /** The task's executionStoppedAt, relative to when the exit code first shows (AWS's clock). */
  executionStoppedAtMs?: number
}) {
  const clock = fakeClock(0)
  const ecs = new ECSClient({ region: 'us-east-1' })
  const logs = new CloudWatchLogsClient({ region: 'us-east-1' })
  const ecsMock = mockClient(ecs)
  const logsMock = mockClient(logs)
  let started = -1
  let stopRequestedAt: number | undefined
  let stopSeenAt: number | undefined
  let runs = 0
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  ecsMock.on(RunTaskCommand).callsFake(() => {
    runs++
    started = clock.now()
    return { tasks: [{ taskArn: TASK(runs), lastStatus: 'PROVISIONING' }], failures: [] }
  })
  ecsMock.on(StopTaskCommand).callsFake(() => {
    stopRequestedAt = clock.now()
    return {}
  })
  const stopsAt = options.stopsAtMs ?? 30_000
  ecsMock.on(DescribeTasksCommand).callsFake(input => {
    const arn = (input.tasks as string[])[0] as string
    const elapsed = clock.now() - started
    const stopped =
      elapsed >= stopsAt || (stopRequestedAt !== undefined && clock.now() >= stopRequestedAt + 5000)
    const exitCode = stopRequestedAt !== undefined ? 137 : options.exitCode
    const exitedAt = stopsAt - (options.exitedBeforeStoppedMs ?? 0)
    const executionStoppedAt =
      options.executionStoppedAtMs !== undefined
        ? { executionStoppedAt: new Date(started + exitedAt + options.executionStoppedAtMs) }
        : {}
    const exited = !stopped && stopRequestedAt === undefined && elapsed >= exitedAt
    const task: Task = exited
      ? {
          taskArn: arn,
          lastStatus: 'DEACTIVATING',
          ...executionStoppedAt,
          containers: [
            { name: 'web', ...(exitCode !== undefined && { exitCode }) },
            { name: 'datadog-agent' }
          ]
        }
      : stopped
        ? {
            taskArn: arn,
            lastStatus: 'STOPPED',
            ...executionStoppedAt,
            stopCode:
              options.stopCode ??
              (stopRequestedAt !== undefined ? 'UserInitiated' : 'EssentialContainerExited'),
            stoppedReason: options.stoppedReason ?? 'Essential container in task exited',
            containers: [
              { name: 'web', ...(exitCode !== undefined && { exitCode }) },
              { name: 'datadog-agent', exitCode: 143 }
            ]
          }
        : {
            taskArn: arn,
            lastStatus: elapsed < 4000 ? 'PROVISIONING' : 'RUNNING',
            containers: [{ name: 'web' }]
          }
    if (stopped || exited) stopSeenAt ??= clock.now()
    return { tasks: [task], failures: [] }
  })
  const stream = options.logs ?? []
  const streamNames: string[] = []
  const logReadsAt: number[] = []
  logsMock.on(GetLogEventsCommand).callsFake(input => {
    streamNames.push(input.logStreamName)
    logReadsAt.push(clock.now())
    const visible = stream.filter(e =>
      'visibleAtMs' in e
        ? started >= 0 && clock.now() - started >= e.visibleAtMs
        : stopSeenAt !== undefined && clock.now() - stopSeenAt >= e.afterStopSeenMs
    )
    if (visible.length === 0) {
      const error = new Error('The specified log stream does not exist.')
      error.name = 'ResourceNotFoundException'
      throw error
    }
    const from = input.nextToken ? Number(String(input.nextToken).slice(2)) : 0
    if (!input.startFromHead) throw new Error('test expects startFromHead')
    // Pages of at most 2 events, so a poll has to follow the token over several pages.
    const page = visible.slice(from, from + 2)
    return {
      events: page.map((e, i) => ({ timestamp: from + i, message: `${e.text}\n` })),
      nextForwardToken: `f/${from + page.length}`,
      nextBackwardToken: 'b/0'
    }
  })
  return {
    clock,
    ecs,
    logs,
    ecsMock,
    logsMock,
    streamNames,
    logReadsAt,
    /** When DescribeTasks first showed the container's exit code (or the task STOPPED). */
    stopSeenAt: () => stopSeenAt,
    deps: {
      ecs,
      logs,
      clock,
      cluster: 'demo',
      service,
      taskDefinition,
      containerName: 'web',
      backoff: BACKOFF
    }
  }
}

/** The clock times (after the task was seen STOPPED) at which the log stream was read. */
function readsAfterStop(s: ReturnType<typeof scenario>): number[] {
  const stop = s.stopSeenAt() ?? Number.POSITIVE_INFINITY
  return [...new Set(s.logReadsAt.filter(t => t > stop).map(t => t - stop))]
}

describe('runMigrations', () => {
  it('runs the command in the service network and returns exit 0 with its log lines, in order and once each', async () => {
    const lines: ({ text: string } & ({ visibleAtMs: number } | { afterStopSeenMs: number }))[] = Array.from(
      { length: 9 },
      (_, i) => ({ text: `line ${i + 1}`, visibleAtMs: 5000 + i * 3000 })
    )
    // Written in the last moment before the task stopped, visible only after the stop was seen.
    lines.push({ text: 'Applying shop.0042_last... OK', afterStopSeenMs: 100 })
    const s = scenario({ exitCode: 0, stopsAtMs: 30_000, logs: lines })
    const out = recorder()
    const result = await runMigrations(MIGRATE, { ...s.deps, output: out })

    expect(result.succeeded).toBe(true)
    expect(result.tasks).toHaveLength(1)
    const task = result.tasks[0]!
    expect(task).toMatchObject({
      command: MIGRATE.commands[0],
      taskArn: TASK(1),
      exitCode: 0,
      succeeded: true
    })
    expect(task.durationMs).toBeGreaterThanOrEqual(30_000)
    expect(task.lastLogLines).toEqual(lines.map(l => l.text))

    // Every line printed exactly once, in order, after the command's header line (no group of
    // its own: the phase's group is already open, and groups do not nest). The verdict comes when
    // the exit code is seen; the line that reached the log after that follows it, under a note.
    const printed = out.lines.filter(l => /^line \d|^Applying/.test(l))
    expect(printed).toEqual(lines.map(l => l.text))
    expect(out.lines[0]).toBe('==> migrate: python manage.py migrate --no-input')
    expect(out.lines.slice(-3)).toEqual([
      expect.stringMatching(/^migrate `python manage.py migrate --no-input` succeeded \(exit code 0, /),
      LATE_LINES_NOTE,
      'Applying shop.0042_last... OK'
    ])

    const run = s.ecsMock.commandCalls(RunTaskCommand)
    expect(run).toHaveLength(1)
    expect(run[0]!.args[0].input).toMatchObject({
      cluster: 'demo',
      taskDefinition: NEW,
      startedBy: 'ecs-ship-migrate',
      group: 'migrate:web',
      launchType: 'FARGATE',
      propagateTags: 'TASK_DEFINITION',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1'],
          securityGroups: ['sg-0b2'],
          assignPublicIp: 'DISABLED'
        }
      },
      overrides: {
        containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate', '--no-input'] }]
      }
    })
    expect(new Set(s.streamNames)).toEqual(new Set(['ecs/web/task1']))
    expect(s.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0)
    expect(s.ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0)
  })

  it('polls slowly while the task starts, briefly every 300 ms once it runs, then backs off to the poll maximum', async () => {
    const s = scenario({ exitCode: 0, stopsAtMs: 10 * 60_000 })
    const sleeps: { at: number; ms: number }[] = []
    const sleep = s.clock.sleep
    s.clock.sleep = async ms => {
      // The task's polls only: the log's drain after the exit is paced on its own.
      if (s.stopSeenAt() === undefined) sleeps.push({ at: s.clock.now(), ms })
      await sleep(ms)
    }
    await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    // The scenario's task is PROVISIONING for its first 4 s: 2 s polls (after the 2 s pause that
    // checks for a concurrent migration).
    const starting = sleeps.filter(x => x.at < 4000)
    expect(starting.map(x => x.ms)).toEqual([2000, 2000])
    const ms = sleeps.map(x => x.ms)
    expect(Math.min(...ms)).toBe(300)
    expect(ms.filter(x => x === 300).length).toBeGreaterThanOrEqual(30)
    expect(Math.max(...ms)).toBe(15_000)
    // Never shorter again once it grew: a long migration is not polled fast.
    const grown = ms.findIndex((x, i) => i > 0 && ms[i - 1] === 300 && x > 300)
    expect(grown).toBeGreaterThan(0)
    expect(ms.slice(grown).every((x, i, a) => i === 0 || x >= a[i - 1]!)).toBe(true)
    // Every call of the 10 minutes (DescribeTasks and GetLogEvents): well under 1 per second.
    const calls =
      s.ecsMock.commandCalls(DescribeTasksCommand).length +
      s.logsMock.commandCalls(GetLogEventsCommand).length
    expect(calls / 600).toBeLessThan(0.35)
  })

  it('polls every 300 ms from the moment the image pull has completed, while the task is still PENDING', async () => {
    const s = scenario({ exitCode: 0 })
    let runAt = -1
    s.ecsMock.on(RunTaskCommand).callsFake(() => {
      runAt = s.clock.now()
      return { tasks: [{ taskArn: TASK(1), lastStatus: 'PROVISIONING' }], failures: [] }
    })
    const seen: number[] = []
    s.ecsMock.on(DescribeTasksCommand).callsFake(() => {
      const t = s.clock.now() - runAt
      seen.push(t)
      // The pull is done at 1.5 s; the container runs a migration with nothing to do and exits
      // at 4.1 s, before the task would be seen RUNNING by a 2 s poll.
      const task: Task =
        t < 4100
          ? { taskArn: TASK(1), lastStatus: 'PENDING', ...(t >= 1500 && { pullStoppedAt: new Date(1500) }) }
          : { taskArn: TASK(1), lastStatus: 'DEACTIVATING', containers: [{ name: 'web', exitCode: 0 }] }
      return { tasks: [task], failures: [] }
    })
    const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    expect(result.tasks[0]).toMatchObject({ exitCode: 0, succeeded: true })
    // The first poll (at 2 s, after the pause for a concurrent migration) saw the pull done.
    expect(seen[0]).toBe(2000)
    expect(seen.at(-1)).toBe(4100)
  })

  it('reads a quiet log less often than the task, and every poll while lines arrive', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => ({
      text: `step ${i + 1}`,
      visibleAtMs: 6000 + i * 300
    }))
    const s = scenario({ exitCode: 0, stopsAtMs: 60_000, logs: lines })
    const out = recorder()
    const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
    expect(result.tasks[0]!.lastLogLines).toEqual(lines.map(l => l.text))
    const tasks = s.ecsMock.commandCalls(DescribeTasksCommand).length
    const reads = s.logsMock.commandCalls(GetLogEventsCommand).length
    expect(reads).toBeLessThan(tasks * 0.6)
    // Quiet after the lines, in the 300 ms window: the log read every 2 s (the task 16 times).
    expect(s.logReadsAt.filter(t => t >= 9000 && t < 14_000).length).toBeLessThanOrEqual(3)
    // While the lines came (6 s to 8.7 s), each poll read them: none printed more than a poll late.
    const during = s.logReadsAt.filter(t => t >= 6000 && t <= 9000)
    expect(during.length).toBeGreaterThanOrEqual(8)
  })

  it('fails with exit 1, keeps the last 20 log lines, and stops before the next command', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => ({
      text: `out ${i + 1}`,
      visibleAtMs: 5000 + i * 500
    }))
    const s = scenario({ exitCode: 1, stopsAtMs: 20_000, logs: lines })
    const result = await runMigrations(
      {
        ...MIGRATE,
        commands: [
          ['python', 'manage.py', 'migrate'],
          ['python', 'manage.py', 'loaddata', 'x']
        ]
      },
      { ...s.deps, output: recorder() }
    )
    expect(result.succeeded).toBe(false)
    expect(result.tasks).toHaveLength(1)
    expect(result.tasks[0]).toMatchObject({
      exitCode: 1,
      succeeded: false,
      reason: 'the command exited with code 1'
    })
    expect(result.tasks[0]!.lastLogLines).toEqual(lines.slice(5).map(l => l.text))
    expect(s.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1)
  })

  it.each([
    [0, true],
    [1, false]
  ])(
    'AccessDenied on reading the log mid-migration: one warning, and exit %i still decides (succeeded: %s)',
    async (exitCode, succeeded) => {
      const s = scenario({ exitCode, stopsAtMs: 20_000 })
      s.logsMock.on(GetLogEventsCommand).rejects(
        Object.assign(new Error('not authorized to perform: logs:GetLogEvents on resource: /ecs/web'), {
          name: 'AccessDeniedException'
        })
      )
      const out = recorder()
      const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
      expect(result.succeeded).toBe(succeeded)
      expect(result.tasks[0]).toMatchObject({ exitCode, succeeded })
      const warnings = out.lines.filter(l => l.startsWith('warning: '))
      expect(warnings).toEqual([
        expect.stringMatching(
          /^warning: the migrate task's log is not shown, as the role may not read log group \/ecs\/web \(logs:GetLogEvents\): .*The role needs logs:GetLogEvents\. The migration is still decided by its exit code\.$/
        )
      ])
      // Refused once, not asked again on every poll.
      expect(s.logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(1)
    }
  )

  it('runs several commands in order, each as its own task', async () => {
    const s = scenario({ exitCode: 0, stopsAtMs: 8000 })
    const commands = [['a'], ['b', 'c']]
    const out = recorder()
    const result = await runMigrations({ ...MIGRATE, commands }, { ...s.deps, output: out })
    expect(result.succeeded).toBe(true)
    expect(out.lines.filter(l => l.startsWith('==> '))).toEqual([
      '==> migrate 1/2: a',
      '==> migrate 2/2: b c'
    ])
    expect(result.tasks.map(t => [t.command, t.taskArn])).toEqual([
      [['a'], TASK(1)],
      [['b', 'c'], TASK(2)]
    ])
    const overrides = s.ecsMock
      .commandCalls(RunTaskCommand)
      .map(c => c.args[0].input.overrides?.containerOverrides?.[0]?.command)
    expect(overrides).toEqual(commands)
  })

  it('reports RunTask failures[] in plain words and starts nothing else', async () => {
    const s = scenario({})
    s.ecsMock
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', arn: 'arn:ci' }] })
    const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    expect(result.succeeded).toBe(false)
    expect(result.tasks[0]!.taskArn).toBeUndefined()
    expect(result.tasks[0]!.reason).toMatch(
      /^the task could not be started: no capacity to place the task: .*enough memory/
    )
    expect(s.ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0)
  })

  it('explains a task that could not start (image pull) without an exit code', async () => {
    const s = scenario({
      stopsAtMs: 6000,
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found'
    })
    const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    expect(result.tasks[0]!.exitCode).toBeUndefined()
    expect(result.tasks[0]!.reason).toMatch(/^the image could not be pulled/)
  })

  it('stops the task with StopTask at migrate-timeout-minutes, says so, and fails (30 minutes in milliseconds)', async () => {
    const s = scenario({ exitCode: 0, stopsAtMs: 10 * 3600_000 })
    const out = recorder()
    const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
    const stops = s.ecsMock.commandCalls(StopTaskCommand)
    expect(stops).toHaveLength(1)
    expect(stops[0]!.args[0].input).toEqual({
      cluster: 'demo',
      task: TASK(1),
      reason: 'ecs-ship: migrate-timeout-minutes (30) reached'
    })
    expect(out.lines).toContain(`migrate-timeout-minutes (30) reached: stopping task ${TASK(1)} (StopTask)`)
    expect(result.succeeded).toBe(false)
    expect(result.tasks[0]).toMatchObject({
      taskArn: TASK(1),
      exitCode: 137,
      reason: 'timed out after 30 minutes (migrate-timeout-minutes); the task was stopped with StopTask'
    })
    // Stopped at the deadline, not a poll interval later.
    expect(result.tasks[0]!.durationMs).toBeGreaterThanOrEqual(30 * 60_000)
    expect(result.tasks[0]!.durationMs).toBeLessThan(30 * 60_000 + 30_000)
  })

  it('refuses to start while another migration of the same service is running, naming it', async () => {
    const s = scenario({ exitCode: 0 })
    const other = 'arn:aws:ecs:us-east-1:123456789012:task/demo/other'
    const unrelated = 'arn:aws:ecs:us-east-1:123456789012:task/demo/api-migration'
    s.ecsMock.on(ListTasksCommand).resolves({ taskArns: [unrelated, other] })
    s.ecsMock.on(DescribeTasksCommand, { tasks: [unrelated, other] }).resolves({
      tasks: [
        { taskArn: unrelated, group: 'migrate:api', startedBy: 'ecs-ship-migrate', lastStatus: 'RUNNING' },
        { taskArn: other, group: 'migrate:web', startedBy: 'ecs-ship-migrate', lastStatus: 'PENDING' }
      ]
    })
    const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    expect(result.succeeded).toBe(false)
    expect(result.tasks[0]!.reason).toMatch(
      new RegExp(`^another migration of service web is still running: task ${other} \\(PENDING\\)`)
    )
    // startedBy must be the only filter (ECS API reference); RUNNING is the default desiredStatus.
    expect(s.ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({
      cluster: 'demo',
      startedBy: 'ecs-ship-migrate'
    })
    expect(s.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0)
  })

  it("is not blocked by another service's migration", async () => {
    const s = scenario({ exitCode: 0, stopsAtMs: 5000 })
    const unrelated = 'arn:aws:ecs:us-east-1:123456789012:task/demo/api-migration'
    s.ecsMock.on(ListTasksCommand).resolves({ taskArns: [unrelated] })
    s.ecsMock.on(DescribeTasksCommand, { tasks: [unrelated] }).resolves({
      tasks: [
        { taskArn: unrelated, group: 'migrate:api', startedBy: 'ecs-ship-migrate', lastStatus: 'RUNNING' }
      ]
    })
    const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
    expect(result.succeeded).toBe(true)
  })

  it('says logs are not available when the container does not use awslogs', async () => {
    const s = scenario({ exitCode: 0, stopsAtMs: 5000 })
    const out = recorder()
    const td: TaskDefinition = { taskDefinitionArn: NEW, containerDefinitions: [{ name: 'web' }] }
    const result = await runMigrations(MIGRATE, { ...s.deps, taskDefinition: td, output: out })
    expect(result.succeeded).toBe(true)
    expect(
      out.lines.some(l =>
        l.startsWith('logs are not available here: container web does not use the awslogs driver')
      )
    ).toBe(true)
    expect(s.logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0)
  })

  it('keeps following the task through a failed poll, but not through expired credentials', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
    // One DescribeTasks fails (after the SDK's own retries), the next ones answer as before.
    const again = scenario({ exitCode: 0, stopsAtMs: 8000 })
    let failedOnce = false
    const original = again.ecs.send.bind(again.ecs)
    again.ecs.send = (async (command: unknown) => {
      if (command instanceof DescribeTasksCommand && !failedOnce) {
        failedOnce = true
        throw throttled
      }
      return original(command as never)
    }) as typeof again.ecs.send
    const out = recorder()
    const ok = await runMigrations(MIGRATE, { ...again.deps, output: out })
    expect(ok.succeeded).toBe(true)
    expect(
      out.lines.some(l =>
        /^warning: checking migrate task task1 failed \(ThrottlingException: Rate exceeded\)/.test(l)
      )
    ).toBe(true)

    const expired = scenario({ exitCode: 0 })
    expired.ecsMock.on(DescribeTasksCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException'
      })
    )
    await expect(runMigrations(MIGRATE, { ...expired.deps, output: recorder() })).rejects.toThrow(
      /could not follow migrate task .*task1 .*ExpiredTokenException.*it may still be running/
    )
  })

  it('refuses a migrate container that is not in the task definition, before running anything', async () => {
    const s = scenario({})
    await expect(
      runMigrations(MIGRATE, { ...s.deps, containerName: 'worker', output: recorder() })
    ).rejects.toThrow(
      new ActionError(
        `input migrate-container: the task definition ${NEW} has no container named worker (it has web, datadog-agent)`
      )
    )
    expect(s.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0)
  })

  describe('a RunTask call that fails', () => {
    test.each([
      ['InvalidParameterException', 'Task definition does not support launch_type FARGATE.'],
      ['ClientException', 'TaskDefinition is inactive'],
      ['ServerException', 'An internal error occurred']
    ])('%s: a failed result that says the task could not be started', async (name, message) => {
      const s = scenario({})
      s.ecsMock.on(RunTaskCommand).rejects(Object.assign(new Error(message), { name }))
      const out = recorder()
      const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
      expect(result.succeeded).toBe(false)
      expect(result.tasks).toHaveLength(1)
      expect(result.tasks[0]).toMatchObject({
        command: MIGRATE.commands[0],
        succeeded: false,
        reason: `the task could not be started: ${name}: ${message}`
      })
      expect(result.tasks[0]!.taskArn).toBeUndefined()
      expect(out.lines.at(-1)).toBe(
        `migrate \`python manage.py migrate --no-input\` failed: the task could not be started: ${name}: ${message} (exit code none, 0 s)`
      )
      expect(s.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0)
    })

    it('AccessDenied (iam:PassRole): stops the phase with the plain message, and carries every result so far', async () => {
      const s = scenario({ exitCode: 0, stopsAtMs: 5000 })
      const denied = Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/deployer/gha is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/web-task'
        ),
        { name: 'AccessDeniedException' }
      )
      let runs = 0
      s.ecsMock.on(RunTaskCommand).callsFake(() => {
        runs++
        if (runs === 2) throw denied
        return { tasks: [{ taskArn: TASK(runs), lastStatus: 'PROVISIONING' }], failures: [] }
      })
      const error = await runMigrations(
        { ...MIGRATE, commands: [['first'], ['second']] },
        { ...s.deps, output: recorder() }
      ).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigrateAbortedError)
      const aborted = error as MigrateAbortedError
      expect(aborted.message).toMatch(
        /^AWS denied access \(AccessDeniedException\): User: .* is not authorized to perform: iam:PassRole .*The role needs iam:PassRole\.$/
      )
      expect(aborted.migrateResult.succeeded).toBe(false)
      expect(aborted.migrateResult.tasks.map(t => [t.command, t.succeeded])).toEqual([
        [['first'], true],
        [['second'], false]
      ])
      expect(aborted.migrateResult.tasks[1]!.reason).toMatch(
        /^the task could not be started: AWS denied access \(AccessDeniedException\)/
      )
    })
  })

  describe('two deploys that start a migration at the same moment', () => {
    const other = 'arn:aws:ecs:us-east-1:123456789012:task/demo/other'

    /** The first ListTasks (before RunTask) sees nothing; the next ones see both tasks. */
    function race(otherCreatedAt: Date, options: { runTaskGivesCreatedAt?: boolean } = {}) {
      const oursCreatedAt = new Date(1_000_000)
      const s = scenario({ exitCode: 0, stopsAtMs: 8000 })
      s.ecsMock.on(RunTaskCommand).resolves({
        tasks: [
          {
            taskArn: TASK(1),
            lastStatus: 'PROVISIONING',
            ...(options.runTaskGivesCreatedAt !== false && { createdAt: oursCreatedAt })
          }
        ]
      })
      s.ecsMock
        .on(ListTasksCommand)
        .resolvesOnce({ taskArns: [] })
        .resolves({ taskArns: [other, TASK(1)] })
      const migration = (taskArn: string, createdAt: Date): Task => ({
        taskArn,
        group: 'migrate:web',
        startedBy: 'ecs-ship-migrate',
        lastStatus: 'PROVISIONING',
        createdAt
      })
      s.ecsMock
        .on(DescribeTasksCommand, { tasks: [other] })
        .resolves({ tasks: [migration(other, otherCreatedAt)] })
      s.ecsMock
        .on(DescribeTasksCommand, { tasks: [other, TASK(1)] })
        .resolves({ tasks: [migration(other, otherCreatedAt), migration(TASK(1), oursCreatedAt)] })
      return s
    }

    it('stops its own task at once when the other one started first, naming it', async () => {
      const s = race(new Date(999_999))
      const out = recorder()
      const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
      expect(result.succeeded).toBe(false)
      expect(result.tasks[0]).toMatchObject({ taskArn: TASK(1), succeeded: false })
      expect(result.tasks[0]!.reason).toMatch(
        new RegExp(
          `^another migration of service web started first, at the same time as this one: task ${other}\\. .*this one \\(task ${TASK(1)}\\) was stopped at once`
        )
      )
      expect(s.ecsMock.commandCalls(StopTaskCommand).map(c => c.args[0].input)).toEqual([
        { cluster: 'demo', task: TASK(1), reason: 'ecs-ship: migration other of web started first' }
      ])
      // Ours is not followed: no log reads, and the verdict names the other task.
      expect(s.logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0)
      expect(out.lines.at(-1)).toContain(`started first, at the same time as this one: task ${other}`)
      // Every ListTasks filters by startedBy alone.
      for (const call of s.ecsMock.commandCalls(ListTasksCommand)) {
        expect(call.args[0].input).toEqual({ cluster: 'demo', startedBy: 'ecs-ship-migrate' })
      }
    })

    it('goes on when it started first: the other deploy stops its own', async () => {
      const s = race(new Date(1_000_001))
      const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      expect(result.succeeded).toBe(true)
      expect(s.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0)
    })

    it("reads its own start time with DescribeTasks when RunTask's answer lacks it", async () => {
      const s = race(new Date(1_000_001), { runTaskGivesCreatedAt: false })
      const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      expect(result.succeeded).toBe(true)
      expect(s.ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input.tasks).toEqual([other, TASK(1)])
    })

    it('breaks a tie in the same millisecond by task ARN, the same way on both sides', async () => {
      // "…/other" sorts before "…/task1": the other one counts as first.
      const s = race(new Date(1_000_000))
      const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      expect(result.succeeded).toBe(false)
      expect(s.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1)
    })

    it('stops its own task when it cannot check, as it cannot be sure it is alone', async () => {
      const s = scenario({ exitCode: 0 })
      s.ecsMock
        .on(ListTasksCommand)
        .resolvesOnce({ taskArns: [] })
        .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      const result = await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      expect(result.succeeded).toBe(false)
      expect(result.tasks[0]!.reason).toMatch(
        /^could not check whether another migration of service web started at the same time \(ThrottlingException: Rate exceeded\); task .*task1 was stopped at once/
      )
      expect(s.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1)
    })
  })

  describe('decided on the exit code; the log drained on AWS time', () => {
    it('decides when the container has an exit code, without waiting for the task to be STOPPED', async () => {
      const s = scenario({
        exitCode: 1,
        stopsAtMs: 60_000,
        exitedBeforeStoppedMs: 40_000,
        logs: [{ text: 'Traceback (most recent call last):', visibleAtMs: 5000 }]
      })
      const out = recorder()
      const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
      expect(result.tasks[0]).toMatchObject({ exitCode: 1, succeeded: false })
      // Seen exited at about 20 s; the task would be STOPPED only at 60 s.
      expect(s.stopSeenAt()).toBeLessThan(25_000)
      expect(s.clock.now() - s.stopSeenAt()!).toBeLessThanOrEqual(1250)
      expect(out.lines).toContain('task task1: container web exited')
      expect(out.lines).not.toContain('task task1: STOPPED')
    })

    it('reads every 250 ms until a read 1 s after the exit brings nothing, printing every late line', async () => {
      const late = [100, 600, 900].map((ms, i) => ({ text: `late ${i + 1}`, afterStopSeenMs: ms }))
      const s = scenario({
        exitCode: 1,
        stopsAtMs: 20_000,
        logs: [{ text: 'early', visibleAtMs: 5000 }, ...late]
      })
      const out = recorder()
      const result = await runMigrations(MIGRATE, { ...s.deps, output: out })
      expect(result.tasks[0]!.lastLogLines).toEqual(['early', 'late 1', 'late 2', 'late 3'])
      expect(out.lines.filter(l => l.startsWith('late'))).toEqual(['late 1', 'late 2', 'late 3'])
      // 'late 3' came at 1000; the read at 1250 is the empty one past the margin.
      expect(readsAfterStop(s)).toEqual([250, 500, 750, 1000, 1250])
      // The verdict line comes when the exit code is seen, after the lines read until then; the
      // lines read after it follow, under a note that says so.
      const verdict = out.lines.findIndex(l => l.startsWith('migrate `'))
      expect(out.lines.slice(verdict - 2, verdict)).toEqual(['early', 'task task1: STOPPED'])
      expect(out.lines.slice(verdict + 1)).toEqual([LATE_LINES_NOTE, 'late 1', 'late 2', 'late 3'])
      // The duration ends when the exit was seen, not when we stopped reading.
      expect(result.tasks[0]!.durationMs).toBe(s.stopSeenAt())
    })

    it("counts the margin from the task's executionStoppedAt when AWS says the container stopped earlier", async () => {
      const s = scenario({
        exitCode: 0,
        stopsAtMs: 13_000,
        executionStoppedAtMs: -500,
        logs: [{ text: 'only', visibleAtMs: 5000 }]
      })
      await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      // The container stopped at 12.5 s by AWS's clock and the poll at 13 s saw it: the empty
      // read at 13.5 s ends the drain (without executionStoppedAt it would end at 14 s).
      expect(s.stopSeenAt()).toBe(13_000)
      expect(readsAfterStop(s)).toEqual([250, 500])
    })

    it("never trusts an executionStoppedAt later than the answer that showed it (AWS's clock ahead)", async () => {
      const s = scenario({
        exitCode: 0,
        stopsAtMs: 20_000,
        executionStoppedAtMs: 5000,
        logs: [{ text: 'only', visibleAtMs: 5000 }]
      })
      await runMigrations(MIGRATE, { ...s.deps, output: recorder() })
      expect(readsAfterStop(s)).toEqual([250, 500, 750, 1000])
    })

    it('gives up after 10 s or 40 reads even when lines keep coming', async () => {
      const endless = Array.from({ length: 200 }, (_, i) => ({
        text: `chatty ${i + 1}`,
        afterStopSeenMs: (i + 1) * 100
      }))
      const s = scenario({ exitCode: 0, stopsAtMs: 20_000, logs: endless })
      const out = recorder()
      await runMigrations(MIGRATE, { ...s.deps, output: out })
      const after = readsAfterStop(s)
      expect(after.length).toBeLessThanOrEqual(40)
      expect(Math.max(...after)).toBeLessThanOrEqual(10_000)
      expect(s.clock.now() - s.stopSeenAt()!).toBeLessThanOrEqual(10_000)
    })
  })
})
