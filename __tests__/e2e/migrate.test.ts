// End to end: the bundled action (dist/index.js; `npm run bundle` first) with migrate-command set,
// run as the GitHub runner runs it, against the local AWS simulator. A migration runs after the
// new revision is registered and before the service is touched; a failing one stops the deploy
// and leaves the service as it was.
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

describe('migrate on the simulator, end to end', () => {
  it('runs the migration with the new revision, then deploys', async () => {
    const logLines = ['Running migrations:', '  Applying shop.0042_orders... OK']
    await sim.control.setBehaviours({ commands: { [MIGRATE]: { exitCode: 0, runSeconds: 15, logLines } } })
    const run = await deploy({ image: `${REPO}:v2`, 'migrate-command': MIGRATE })
    if (run.exitCode !== 0 || run.outputs.status !== 'succeeded') throw new Error(explain(run))
    expect(run.outputs['migrate-exit-code']).toBe('0')
    expect(run.outputs['migrate-task-arn']).toMatch(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:task\//)
    expect(run.stdout).toContain('::group::Migrate: python manage.py migrate --no-input')
    expect(run.stdout).toContain('  Applying shop.0042_orders... OK')
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

  it('refuses a migrate-command with an unclosed quote before anything changes', async () => {
    const run = await deploy({ image: `${REPO}:v4`, 'migrate-command': `${MIGRATE}\necho "oops` })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::.*migrate-command line 2: unclosed quote/)
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})
