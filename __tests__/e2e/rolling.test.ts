// End to end: the bundled action (dist/index.js, build it first with `npm run bundle`) run as
// the GitHub runner runs it, against the local AWS simulator, for the rolling deploy's stories:
// healthy, crashing and unhealthy revisions rolled back, the circuit breaker's own rollback,
// an unchanged re-run, and a bad input that changes nothing.
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

const simulator = useSimulator()
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})

function deploy(inputs: Record<string, string>, pollMs = 100): Promise<ActionRun> {
  return runOnSim(sim, inputs, { pollMs })
}

async function withEcs<T>(use: (ecs: ECSClient) => Promise<T>): Promise<T> {
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
  })
  try {
    return await use(ecs)
  } finally {
    ecs.destroy()
  }
}

const mutating = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating && !c.error)
const names = (calls: readonly CallRecord[]) => calls.map(c => `${c.service}:${c.operation}`)

/** Checks exit code and status together, and shows the action's log when they are not as expected. */
function expectRun(run: ActionRun, exitCode: number, status: string): void {
  if (run.exitCode !== exitCode || run.outputs.status !== status) {
    throw new Error(
      `expected exit ${exitCode} / status ${status}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
  }
}

describe('rolling deploy on the simulator', () => {
  it('deploys a healthy revision and finishes when its targets are healthy', async () => {
    const run = await deploy({ image: `${REPO}:v2`, 'environment-variables': 'RELEASE=v2' })
    expectRun(run, 0, 'succeeded')
    expect(run.outputs['rolled-back']).toBe('false')
    expect(run.outputs['task-definition-arn']).not.toBe(run.outputs['previous-task-definition-arn'])
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\//)
    expect(run.stdout).toContain(`~ containerDefinitions[web].image: `)
    expect(run.stdout).toContain('+ containerDefinitions[web].environment RELEASE=v2')
    expect(run.stdout).toMatch(/healthy: \d+\/\d+ tasks RUNNING; every target healthy in /)
    expect(run.summary).toContain('✅ succeeded')
    // The advisor: the fixture's target group drains for 30 s and checks 2 × 10 s, read from AWS.
    expect(run.summary).toContain('### Where the time went')
    expect(run.summary).toMatch(
      /\| (\*\*)?old targets draining(\*\* \(dominant\))? \| \d+(\.\d)? s \| 30 s \(target group deregistration_delay\.timeout_seconds\) \|/
    )
    expect(run.summary).toContain('2 checks × 10 s (HealthyThresholdCount × HealthCheckIntervalSeconds)')
    expect(names(mutating(await sim.control.calls()))).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:UpdateService'
    ])
  })

  it('registers and deploys nothing when re-run with the same inputs', async () => {
    const first = await deploy({ image: `${REPO}:v2` })
    expect(first.outputs.status).toBe('succeeded')
    const before = (await sim.control.calls()).length
    const again = await deploy({ image: `${REPO}:v2` })
    expectRun(again, 0, 'unchanged')
    expect(again.outputs['task-definition-arn']).toBe(first.outputs['task-definition-arn'])
    expect(mutating((await sim.control.calls()).slice(before))).toEqual([])
  })

  it('rolls a crashing revision back and fails with the exit code', async () => {
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:crash`]: {
          kind: 'exit',
          exitCode: 3,
          afterSeconds: 2,
          logLines: ['ImproperlyConfigured: SECRET_KEY']
        }
      }
    })
    const run = await deploy({ image: `${REPO}:crash` })
    expectRun(run, 1, 'rolled-back')
    expect(run.outputs['rolled-back']).toBe('true')
    expect(run.stdout).toMatch(
      /::error::deploy failed: .*; rolled back to arn:aws:ecs:.*task-definition\/.* \(healthy\)/
    )
    expect(run.stdout).toMatch(/exited 3/)
    expect(run.outputs['task-definition-arn']).toBe(run.outputs['previous-task-definition-arn'])
    expect(run.summary).toContain('↩️ rolled back')
    // The summary keeps the revision that failed, where the service ended, and times the rollback.
    expect(run.summary).toMatch(/\| revision \| web:1 → web:2; the service is back on web:1 \|/)
    expect(run.summary).toMatch(/\| Rollout \| [\d.]+ s \| failed \|/)
    expect(run.summary).toMatch(/\| Rollback \| [\d.]+ s \| ok \|/)
    expect(run.summary).toContain('### Rollback health: healthy')
  })

  it('gates a service without a load balancer on its tasks, and says so', async () => {
    const run = await deploy({ service: 'worker', image: `${REPO}:v2` })
    expectRun(run, 0, 'succeeded')
    expect(run.stdout).toContain(
      'health gate: no load balancer; tasks RUNNING and container health checks only'
    )
    expect(run.stdout).toMatch(
      /healthy: 1\/1 tasks RUNNING; no load balancer and no container health check: gated on tasks RUNNING only/
    )
    expect(names(mutating(await sim.control.calls()))).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:UpdateService'
    ])
  })

  it('rolls back a revision whose targets fail the load balancer health check, with ELB’s reason', async () => {
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:bad-health`]: { kind: 'unhealthy-target', reasonCode: 'Target.ResponseCodeMismatch' }
      }
    })
    // The simulator runs 20× faster than real time, but the action honours the service's health-check
    // grace period on its own (real) clock: with the fixture's 30 s it would rightly wait 30 s
    // before trusting an unhealthy target. A service without a grace period keeps the test short.
    await withEcs(ecs =>
      ecs.send(
        new UpdateServiceCommand({ cluster: 'demo', service: 'web', healthCheckGracePeriodSeconds: 0 })
      )
    )
    const run = await deploy({ image: `${REPO}:bad-health` })
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toContain('Target.ResponseCodeMismatch')
    expect(run.summary).toContain('Target.ResponseCodeMismatch')
  })

  it('reports the circuit breaker’s own rollback as a failed deploy, and does not start a second rollback', async () => {
    await sim.control.reset()
    await sim.control.loadFixture('django-web-rollback')
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:no-start`]: {
          kind: 'cannot-start',
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull access denied'
        }
      }
    })
    // Poll slowly, so ECS's circuit breaker acts before our own threshold is reached.
    const run = await deploy({ image: `${REPO}:no-start` }, 4000)
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toContain('ECS is already rolling back')
    const updates = (await sim.control.calls()).filter(c => c.operation === 'UpdateService')
    expect(updates).toHaveLength(1)
  })

  it('changes nothing in AWS when an input is bad', async () => {
    const badNumber = await deploy({ image: `${REPO}:v2`, 'wait-for-minutes': 'soon' })
    expect(badNumber.exitCode).toBe(1)
    expect(badNumber.stdout).toContain('::error::input wait-for-minutes: "soon" is not a whole number')
    const unknownContainer = await deploy({ image: `${REPO}:v2`, 'container-name': 'nginx' })
    expect(unknownContainer.exitCode).toBe(1)
    expect(unknownContainer.stdout).toMatch(
      /::error::container-name: the task definition has no container "nginx"; its containers are: /
    )
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})
