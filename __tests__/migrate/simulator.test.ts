// The migrate phase against the local AWS simulator: real ECS and CloudWatch Logs SDK clients
// over HTTP, tasks that move through their lifecycle on the simulator's scaled clock. Our clock
// runs at the same scale, so a 1-minute migrate timeout takes about a second.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RunTaskCommand,
  type Service,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { startSimulator } from '../../sim/index.js'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import { runMigrations, type MigrateDeps, type MigrateOutput } from '../../src/migrate/index.js'
import { findRunningMigration } from '../../src/migrate/index.js'
import type { Clock } from '../../src/util/clock.js'

const TIME_SCALE = 0.02
const REGION = 'us-east-1'
const COMMAND = ['python', 'manage.py', 'migrate', '--no-input']
const KEY = COMMAND.join(' ')

/** Simulated milliseconds: real time divided by the simulator's scale. */
const scaledClock: Clock = {
  now: () => Date.now() / TIME_SCALE,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms * TIME_SCALE))
}

let sim: RunningSimulator
let ecs: ECSClient
let logs: CloudWatchLogsClient

beforeAll(async () => {
  sim = await startSimulator({ timeScale: TIME_SCALE, fixture: 'django-web', region: REGION })
  const config = {
    region: REGION,
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' }
  }
  ecs = new ECSClient(config)
  logs = new CloudWatchLogsClient(config)
})

afterAll(async () => {
  ecs?.destroy()
  logs?.destroy()
  await sim?.close()
})

beforeEach(async () => {
  await sim.control.reset()
  await sim.control.loadFixture('django-web')
})

function quiet(): MigrateOutput & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: l => lines.push(l),
    warning: m => lines.push(`warning: ${m}`)
  }
}

async function deps(output: MigrateOutput): Promise<MigrateDeps> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
  const service = described.services?.[0] as Service
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))
  return {
    ecs,
    logs,
    clock: scaledClock,
    cluster: 'demo',
    service,
    taskDefinition: td.taskDefinition as TaskDefinition,
    containerName: 'web',
    // Simulated milliseconds: 1 s to 5 s between polls.
    backoff: { minMs: 1000, maxMs: 5000, factor: 1.5 },
    output
  }
}

const ops = (calls: readonly CallRecord[]) =>
  calls.filter(c => !c.error).map(c => `${c.service}:${c.operation}`)

describe('migrate on the simulator', () => {
  it('runs a successful migration in the service network and shows every log line once, in order', async () => {
    const logLines = [
      'Operations to perform:',
      '  Apply all migrations: shop',
      'Running migrations:',
      '  Applying shop.0042_orders... OK'
    ]
    await sim.control.setBehaviours({ commands: { [KEY]: { exitCode: 0, runSeconds: 20, logLines } } })
    const out = quiet()
    const result = await runMigrations({ commands: [COMMAND], timeoutMinutes: 5 }, await deps(out))

    expect(result.succeeded).toBe(true)
    expect(result.tasks[0]).toMatchObject({
      command: COMMAND,
      exitCode: 0,
      succeeded: true,
      lastLogLines: logLines
    })
    expect(out.lines.filter(l => logLines.includes(l))).toEqual(logLines)
    const calls = await sim.control.calls()
    const run = calls.find(c => c.operation === 'RunTask')
    expect(run?.params).toMatchObject({
      cluster: 'demo',
      startedBy: 'ecs-ship-migrate',
      group: 'migrate:web',
      propagateTags: 'TASK_DEFINITION',
      overrides: { containerOverrides: [{ name: 'web', command: COMMAND }] }
    })
    expect((run?.params as { networkConfiguration?: unknown }).networkConfiguration).toBeDefined()
    expect(ops(calls)).not.toContain('ecs:UpdateService')
    expect(ops(calls)).not.toContain('ecs:StopTask')
  })

  it('fails with exit 1, returns its log lines, and never touches the service', async () => {
    const logLines = [
      'Running migrations:',
      'django.db.utils.ProgrammingError: relation "shop_order" does not exist'
    ]
    await sim.control.setBehaviours({ commands: { [KEY]: { exitCode: 1, runSeconds: 10, logLines } } })
    const result = await runMigrations(
      { commands: [COMMAND, ['python', 'manage.py', 'loaddata', 'seed']], timeoutMinutes: 5 },
      await deps(quiet())
    )
    expect(result.succeeded).toBe(false)
    expect(result.tasks).toHaveLength(1)
    expect(result.tasks[0]).toMatchObject({
      exitCode: 1,
      reason: 'the command exited with code 1',
      lastLogLines: logLines
    })
    const calls = ops(await sim.control.calls())
    expect(calls.filter(c => c === 'ecs:RunTask')).toHaveLength(1)
    expect(calls).not.toContain('ecs:UpdateService')
  })

  it('explains a task that cannot start', async () => {
    const d = await deps(quiet())
    const image = d.taskDefinition.containerDefinitions?.find(c => c.name === 'web')?.image as string
    await sim.control.setBehaviours({
      images: {
        [image]: {
          kind: 'cannot-start',
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found'
        }
      }
    })
    const result = await runMigrations({ commands: [COMMAND], timeoutMinutes: 5 }, d)
    expect(result.succeeded).toBe(false)
    expect(result.tasks[0]?.exitCode).toBeUndefined()
    expect(result.tasks[0]?.reason).toMatch(/^the image could not be pulled.*CannotPullContainerError/)
    expect(ops(await sim.control.calls())).not.toContain('ecs:UpdateService')
  })

  it('stops the task with StopTask at the timeout and says so', async () => {
    await sim.control.setBehaviours({
      commands: { [KEY]: { exitCode: 0, runSeconds: 3600, logLines: ['working…'] } }
    })
    const out = quiet()
    const result = await runMigrations({ commands: [COMMAND], timeoutMinutes: 1 }, await deps(out))
    expect(result.succeeded).toBe(false)
    expect(result.tasks[0]?.reason).toMatch(
      /^timed out after 1 minute \(migrate-timeout-minutes\); the task was stopped with StopTask/
    )
    const stop = (await sim.control.calls()).find(c => c.operation === 'StopTask' && !c.error)
    expect(stop?.params).toMatchObject({ cluster: 'demo', task: result.tasks[0]?.taskArn })
    expect(out.lines.some(l => l.startsWith('migrate-timeout-minutes (1) reached: stopping task'))).toBe(true)
  })

  it('refuses a second migration of the same service while the first runs, naming it', async () => {
    await sim.control.setBehaviours({
      commands: { [KEY]: { exitCode: 0, runSeconds: 60, logLines: ['slow'] } }
    })
    const first = runMigrations({ commands: [COMMAND], timeoutMinutes: 5 }, await deps(quiet()))
    // Wait (bounded) until the first task is visible as a running migration.
    let running
    for (let i = 0; i < 100 && !running; i++) {
      running = await findRunningMigration(ecs, 'demo', 'web')
      if (!running) await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(running?.taskArn).toBeDefined()
    const second = await runMigrations({ commands: [COMMAND], timeoutMinutes: 5 }, await deps(quiet()))
    expect(second.succeeded).toBe(false)
    expect(second.tasks[0]?.taskArn).toBeUndefined()
    expect(second.tasks[0]?.reason).toContain(
      `another migration of service web is still running: task ${running?.taskArn}`
    )
    const firstResult = await first
    expect(firstResult.succeeded).toBe(true)
    expect(ops(await sim.control.calls()).filter(c => c === 'ecs:RunTask')).toHaveLength(1)
  })

  it('lets one of two migrations started at the same moment go on; the later one stops itself', async () => {
    await sim.control.setBehaviours({
      commands: { [KEY]: { exitCode: 0, runSeconds: 20, logLines: ['migrating'] } }
    })
    // Both deploys pass their first check before either starts its task: the race the check
    // after RunTask is there for.
    let arrived = 0
    let open: () => void = () => {}
    const gate = new Promise<void>(resolve => (open = resolve))
    const gated = Object.create(ecs) as ECSClient
    gated.send = (async (command: unknown) => {
      if (command instanceof RunTaskCommand) {
        if (++arrived === 2) open()
        await gate
      }
      return ecs.send(command as never)
    }) as typeof ecs.send
    const base = await deps(quiet())
    const migrate = { commands: [COMMAND], timeoutMinutes: 5 }
    const results = await Promise.all([
      runMigrations(migrate, { ...base, ecs: gated, output: quiet() }),
      runMigrations(migrate, { ...base, ecs: gated, output: quiet() })
    ])

    const winner = results.find(r => r.succeeded)
    const loser = results.find(r => !r.succeeded)
    expect(winner?.tasks[0]?.taskArn).toBeDefined()
    expect(loser?.tasks[0]?.reason).toContain(
      `another migration of service web started first, at the same time as this one: task ${winner?.tasks[0]?.taskArn}`
    )
    const calls = (await sim.control.calls()).filter(c => !c.error)
    expect(calls.filter(c => c.operation === 'RunTask')).toHaveLength(2)
    const stops = calls.filter(c => c.operation === 'StopTask')
    expect(stops.map(c => (c.params as { task?: string }).task)).toEqual([loser?.tasks[0]?.taskArn])
    for (const list of calls.filter(c => c.operation === 'ListTasks')) {
      expect(list.params).toEqual({ cluster: 'demo', startedBy: 'ecs-ship-migrate' })
    }
  })
})
