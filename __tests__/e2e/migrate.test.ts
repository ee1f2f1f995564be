// End to end: the bundled action (dist/index.js; `npm run bundle` first) with migrate-command set,
// run as the GitHub runner runs it, against the local AWS simulator. A migration runs after the
// new revision is registered and before the service is touched; a failing one stops the deploy
// and leaves the service as it was.
//
// The timeout case takes a real minute: migrate-timeout-minutes is a whole number of minutes on
// the action's own clock, which the simulator's time scale does not shorten.
import { DescribeServicesCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

const MIGRATE = 'python manage.py migrate --no-input'
const simulator = useSimulator()
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})

function deploy(inputs: Record<string, string>, pollMs = 100): Promise<ActionRun> {
  return runOnSim(sim, inputs, { pollMs })
}

const mutating = (calls: readonly CallRecord[]) =>
  calls.filter(c => c.mutating && !c.error).map(c => `${c.service}:${c.operation}`)

function explain(run: ActionRun): string {
  return `exit ${run.exitCode}, status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
}

/** The job log's ::error:: line (what the run failed with). */
const errorLine = (run: ActionRun): string =>
  run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

/** The lines of the Migrate phase's group (groups do not nest: no other group may open inside). */
function migrateGroupLines(run: ActionRun): string[] {
  const lines = run.stdout.split('\n')
  const start = lines.indexOf('::group::Migrate')
  const end = lines.indexOf('::endgroup::', start)
  return start >= 0 && end > start ? lines.slice(start + 1, end) : []
}

describe('migrate on the simulator, end to end', () => {
  it('runs the migration with the new revision, then deploys', async () => {
    const logLines = ['Running migrations:', '  Applying shop.0042_orders... OK']
    await sim.control.setBehaviours({ commands: { [MIGRATE]: { exitCode: 0, runSeconds: 15, logLines } } })
    const run = await deploy({ image: `${REPO}:v2`, 'migrate-command': MIGRATE })
    if (run.exitCode !== 0 || run.outputs.status !== 'succeeded') throw new Error(explain(run))
    expect(run.outputs['migrate-exit-code']).toBe('0')
    expect(run.outputs['migrate-task-arn']).toMatch(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:task\//)
    const group = migrateGroupLines(run)
    expect(group[0]).toBe('==> migrate: python manage.py migrate --no-input')
    expect(group).toContain('  Applying shop.0042_orders... OK')
    // Decided on the exit code, once: after every line (the last one written just before the exit).
    const verdicts = group.filter(l => /^migrate `python manage.py migrate --no-input` succeeded/.test(l))
    expect(verdicts).toHaveLength(1)
    expect(group.indexOf(verdicts[0]!)).toBeGreaterThan(group.indexOf('  Applying shop.0042_orders... OK'))
    expect(group.filter(l => l.startsWith('::group::'))).toEqual([])
    expect(mutating(await sim.control.calls())).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:RunTask',
      'ecs:UpdateService'
    ])
    const runTask = (await sim.control.calls()).find(c => c.operation === 'RunTask')
    expect((runTask?.params as { taskDefinition?: string }).taskDefinition).toBe(
      run.outputs['task-definition-arn']
    )
    expect(run.summary).toContain('### Migrations')
  })

  it('stops the deploy when the migration exits 1, shows its log, and leaves the service alone', async () => {
    const logLines = ['Running migrations:', 'django.db.utils.OperationalError: could not connect to server']
    await sim.control.setBehaviours({ commands: { [MIGRATE]: { exitCode: 1, runSeconds: 5, logLines } } })
    const run = await deploy({ image: `${REPO}:v3`, 'migrate-command': MIGRATE })
    if (run.exitCode !== 1) throw new Error(explain(run))
    expect(run.outputs['migrate-exit-code']).toBe('1')
    expect(run.stdout).toContain('django.db.utils.OperationalError: could not connect to server')
    expect(run.stdout).toMatch(/::error::.*migration failed.*exited with code 1.*the service was not changed/)
    expect(run.summary).toContain('could not connect to server')
    expect(mutating(await sim.control.calls())).not.toContain('ecs:UpdateService')
  })

  it('a migration past migrate-timeout-minutes is stopped (StopTask), said so, and the service left alone', async () => {
    const logLines = ['Running migrations:', '  Applying shop.0043_big_backfill...']
    // 20 000 s at the test's time scale (1/20): far longer than the one-minute timeout.
    await sim.control.setBehaviours({
      commands: { [MIGRATE]: { exitCode: 0, runSeconds: 20_000, logLines } }
    })
    const run = await runOnSim(
      sim,
      { image: `${REPO}:v6`, 'migrate-command': MIGRATE, 'migrate-timeout-minutes': '1' },
      { pollMs: 500, timeoutMs: 150_000 }
    )
    if (run.exitCode !== 1) throw new Error(explain(run))
    expect(run.stdout).toMatch(
      /migrate-timeout-minutes \(1\) reached: stopping task arn:aws:ecs:\S+ \(StopTask\)/
    )
    expect(errorLine(run)).toMatch(/migration failed: .*the service was not changed/)
    expect(run.stdout).toContain('Running migrations:')
    expect(mutating(await sim.control.calls())).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:RunTask',
      'ecs:StopTask'
    ])
  }, 180_000)

  it('refuses to run while another migration of the service is still running, naming it', async () => {
    await sim.control.setBehaviours({
      commands: { [MIGRATE]: { exitCode: 0, runSeconds: 3600, logLines: [] } }
    })
    // Another deploy's migration, started the way ecs-ship starts one.
    const ecs = new ECSClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' }
    })
    try {
      const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] })))
        .services?.[0]
      const other = await ecs.send(
        new RunTaskCommand({
          cluster: 'demo',
          taskDefinition: service?.taskDefinition,
          startedBy: 'ecs-ship-migrate',
          group: 'migrate:web',
          ...(service?.networkConfiguration && { networkConfiguration: service.networkConfiguration }),
          overrides: { containerOverrides: [{ name: 'web', command: MIGRATE.split(' ') }] }
        })
      )
      const otherArn = other.tasks?.[0]?.taskArn
      expect(otherArn).toBeDefined()
      const before = (await sim.control.calls()).length
      const run = await deploy({ image: `${REPO}:v5`, 'migrate-command': MIGRATE })
      if (run.exitCode !== 1) throw new Error(explain(run))
      expect(run.stdout).toContain(`another migration of service web is still running: task ${otherArn}`)
      const after = mutating((await sim.control.calls()).slice(before))
      expect(after).not.toContain('ecs:RunTask')
      expect(after).not.toContain('ecs:UpdateService')
    } finally {
      ecs.destroy()
    }
  })

  it('a migrate task that cannot start: fails the job with the reason, in the log and the summary', async () => {
    const image = `${REPO}:v6`
    await sim.control.setBehaviours({
      images: {
        [image]: {
          kind: 'cannot-start',
          stopCode: 'TaskFailedToStart',
          stoppedReason:
            'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref'
        }
      }
    })
    const run = await deploy({ image, 'migrate-command': MIGRATE })
    if (run.exitCode !== 1) throw new Error(explain(run))
    expect(run.outputs.status).toBe('failed')
    expect(errorLine(run)).toMatch(
      /migration failed: python manage\.py migrate --no-input: the image could not be pulled.*CannotPullContainerError.*the service was not changed/
    )
    expect(run.outputs['migrate-task-arn']).toMatch(/:task\//)
    expect(run.outputs['migrate-exit-code']).toBeUndefined()
    expect(run.summary).toContain('### Migrations')
    expect(run.summary).toMatch(
      /\| `python manage\.py migrate --no-input` \| - \| .* \| the image could not be pulled/
    )
    expect(mutating(await sim.control.calls())).toEqual(['ecs:RegisterTaskDefinition', 'ecs:RunTask'])
  })

  it('a RunTask call that fails: a Migrations row says the task could not be started, nothing else changes', async () => {
    // Server errors on every try: the SDK retries, then RunTask throws.
    await sim.control.setFaults([{ operation: 'ecs:RunTask', serverErrorRatio: 1 }])
    const run = await deploy({ image: `${REPO}:v7`, 'migrate-command': MIGRATE })
    if (run.exitCode !== 1) throw new Error(explain(run))
    const reason =
      /the task could not be started: ECS RunTask \(task definition web:2, cluster demo\) failed after 3 tries( in \d+ s)?: (?:ServerException|ServiceUnavailableException)/
    expect(errorLine(run)).toMatch(/migration failed: python manage\.py migrate --no-input: /)
    expect(errorLine(run)).toMatch(reason)
    expect(run.summary).toContain('### Migrations')
    expect(run.summary).toMatch(reason)
    expect(run.outputs['migrate-task-arn']).toBeUndefined()
    expect(mutating(await sim.control.calls())).toEqual(['ecs:RegisterTaskDefinition'])
  })

  it('RunTask refused by IAM (iam:PassRole): fails at once with the plain message, nothing else changes', async () => {
    await sim.control.setFaults([{ operation: 'ecs:RunTask', accessDenied: true }])
    const run = await deploy({ image: `${REPO}:v8`, 'migrate-command': MIGRATE })
    if (run.exitCode !== 1) throw new Error(explain(run))
    expect(errorLine(run)).toMatch(
      /^::error::ECS RunTask \(task definition web:2, cluster demo\) failed after 1 try: AWS denied access \(AccessDeniedException\): .*not authorized.*The role needs ecs:RunTask\.$/
    )
    const calls = await sim.control.calls()
    expect(calls.filter(c => c.operation === 'RunTask')).toHaveLength(1)
    expect(mutating(calls)).toEqual(['ecs:RegisterTaskDefinition'])
  })

  it('refuses a migrate-command with an unclosed quote before anything changes', async () => {
    const run = await deploy({ image: `${REPO}:v4`, 'migrate-command': `${MIGRATE}\necho "oops` })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::.*migrate-command line 2: unclosed quote/)
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})
