// End to end: ECS-native blue/green, linear and canary through the bundled action against the
// simulator: the deploy follows the service deployment's stages and traffic split to the end,
// gates on the green target group, and on failure rolls back once (itself, or by following
// ECS's own rollback) and verifies that production is back on a healthy blue.
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

const simulator = useSimulator(0.05, 'django-web-bluegreen')
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})

const endpoint = () => ({
  region: 'us-east-1',
  endpoint: sim.url,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
})

async function loadFixture(name: string, graceSeconds?: number): Promise<void> {
  await sim.control.reset()
  await sim.control.loadFixture(name)
  if (graceSeconds === undefined) return
  // The action honours the grace period on its own (real) clock; none keeps failure tests short.
  const ecs = new ECSClient(endpoint())
  try {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'demo',
        service: 'web',
        healthCheckGracePeriodSeconds: graceSeconds
      })
    )
  } finally {
    ecs.destroy()
  }
}

/** Production weights by target group name, as the listener rule has them now. */
async function production(): Promise<Record<string, number>> {
  const ecs = new ECSClient(endpoint())
  const elb = new ElasticLoadBalancingV2Client(endpoint())
  try {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] })))
      .services?.[0]
    const rule = service?.loadBalancers?.[0]?.advancedConfiguration?.productionListenerRule ?? ''
    const found = (await elb.send(new DescribeRulesCommand({ RuleArns: [rule] }))).Rules?.[0]
    const weights: Record<string, number> = {}
    for (const action of found?.Actions ?? [])
      for (const tg of action.ForwardConfig?.TargetGroups ?? [])
        weights[/targetgroup\/([^/]+)/.exec(tg.TargetGroupArn ?? '')?.[1] ?? '?'] = tg.Weight ?? 0
    return weights
  } finally {
    ecs.destroy()
    elb.destroy()
  }
}

function expectRun(run: ActionRun, exitCode: number, status: string): void {
  if (run.exitCode !== exitCode || run.outputs.status !== status)
    throw new Error(
      `expected exit ${exitCode} / status ${status}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
}

const operations = async (name: string) =>
  (await sim.control.calls()).filter(c => c.operation === name && !c.error).length

describe('ECS-native blue/green', () => {
  it('follows every stage to the end, gated on green, and the next deploy uses the other target group', async () => {
    await loadFixture('django-web-bluegreen')
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 0, 'succeeded')
    expect(run.stdout).toContain('green is web-tg-green, blue web-tg')
    expect(run.stdout).toContain('stage BAKE_TIME')
    expect(run.stdout).toMatch(/production web-tg 0% \/ web-tg-green 100%/)
    expect(run.stdout).toMatch(/healthy: .*web-tg-green \(2\/2\)/)
    expect(await production()).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    expect(run.summary).toContain('BLUE_GREEN: target groups web-tg ⇄ web-tg-green')

    const next = await runOnSim(sim, { image: `${REPO}:v1` })
    expectRun(next, 0, 'succeeded')
    expect(next.stdout).toContain('green is web-tg, blue web-tg-green')
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await operations('StopServiceDeployment')).toBe(0)
  })

  it('mode rollback puts the previous revision back through the same blue/green flow', async () => {
    await loadFixture('django-web-bluegreen')
    expectRun(await runOnSim(sim, { image: `${REPO}:v2` }), 0, 'succeeded')
    const back = await runOnSim(sim, { mode: 'rollback' })
    expectRun(back, 0, 'succeeded')
    expect(back.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(back.stdout).toContain('green is web-tg, blue web-tg-green')
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  it('a deploy that finds another blue/green deployment in flight waits for ECS to finish it', async () => {
    await loadFixture('django-web-bluegreen')
    let second: Promise<ActionRun> | undefined
    const first = await runOnSim(
      sim,
      { image: `${REPO}:v2` },
      {
        runPost: false,
        onLine: line => {
          if (!second && line.startsWith('UpdateService:'))
            second = runOnSim(sim, { image: `${REPO}:v3` }, { runPost: false })
        }
      }
    )
    const next = await (second ?? Promise.reject(new Error('the second deploy never started')))
    expectRun(first, 0, 'succeeded')
    expectRun(next, 0, 'succeeded')
    expect(next.stdout).toMatch(/is in flight \(service deployment .*\): waiting for it to settle/)
    expect(next.outputs['previous-task-definition-arn']).toBe(first.outputs['task-definition-arn'])
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  it('rolls back a green revision that fails its health checks, once, and verifies blue', async () => {
    await loadFixture('django-web-bluegreen', 0)
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:bad-health`]: { kind: 'unhealthy-target', reasonCode: 'Target.ResponseCodeMismatch' }
      }
    })
    const run = await runOnSim(sim, { image: `${REPO}:bad-health` })
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toContain('Target.ResponseCodeMismatch')
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    // Either we stopped it (once) or ECS's breaker got there first and we followed: never both.
    const stops = await operations('StopServiceDeployment')
    expect(stops).toBeLessThanOrEqual(1)
    if (stops === 0) expect(run.stdout).toContain('ECS')
    expect(run.summary).toContain('↩️ rolled back')
  })

  it('follows a rollback ECS started itself (a failing lifecycle hook) without starting another', async () => {
    await loadFixture('django-web-bluegreen')
    const ecs = new ECSClient(endpoint())
    try {
      await ecs.send(
        new UpdateServiceCommand({
          cluster: 'demo',
          service: 'web',
          deploymentConfiguration: {
            strategy: 'BLUE_GREEN',
            bakeTimeInMinutes: 1,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            lifecycleHooks: [
              {
                hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke-test',
                roleArn: 'arn:aws:iam::123456789012:role/ecs-hooks',
                lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT']
              }
            ]
          }
        })
      )
    } finally {
      ecs.destroy()
    }
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'failed' } } })
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toMatch(/ECS is (already )?rolling back/)
    expect(await operations('StopServiceDeployment')).toBe(0)
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })
})

describe.each([
  ['django-web-linear', /production web-tg 50% \/ web-tg-green 50%/],
  ['django-web-canary', /production web-tg 90% \/ web-tg-green 10%/]
])('%s', (fixture, split) => {
  it('shows the traffic split as it moves, and ends on green', async () => {
    await loadFixture(fixture)
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 0, 'succeeded')
    expect(run.stdout).toMatch(split)
    expect(await production()).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
  })
})
