// End to end: blue/green deployments that wait for approval, through the bundled action against
// the simulator, for ECS-native pause hooks and CodeDeploy Ready: deploy with wait-until ready,
// then promote or abort; the refusals (nothing waits, the new targets are unhealthy); promoting
// twice; a promoted revision that fails once production moves to it (rolled back, or not with
// rollback-on-failure false); and a pause met under wait-until succeeded, waited out to its expiry
// (CONTINUE, ROLLBACK, CodeDeploy's stop). The action never continues a pause it was not asked to.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator, writeAppspecWithHook, type RunOnSimOptions } from '../helpers/e2e.js'

// At 0.05 a fixture's 5-minute wait for approval lasts 15 s: time for a promote, and an expiry
// that a test can wait out.
const simulator = useSimulator(0.05, 'django-web-bluegreen-pause')
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})

const endpoint = () => ({
  region: 'us-east-1',
  endpoint: sim.url,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
})

async function useFixture(name: string): Promise<void> {
  await sim.control.reset()
  await sim.control.loadFixture(name)
}

function expectRun(run: ActionRun, exitCode: number, status?: string): void {
  if (run.exitCode !== exitCode || (status !== undefined && run.outputs.status !== status))
    throw new Error(
      `expected exit ${exitCode} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
}

const count = async (operation: string) =>
  (await sim.control.calls()).filter(c => c.operation === operation && !c.error).length

/** ECS-native: production weights by target group name, as the listener rule has them now. */
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

/** CodeDeploy: the target group the production listener (port 80) forwards to, by name. */
async function codeDeployProduction(): Promise<string> {
  const elb = new ElasticLoadBalancingV2Client(endpoint())
  try {
    const listeners = (await elb.send(new DescribeListenersCommand({}))).Listeners ?? []
    const listener = listeners.find(l => l.Port === 80)
    const action = listener?.DefaultActions?.find(a => a.Type === 'forward')
    const forwarded = action?.ForwardConfig?.TargetGroups?.filter(t => (t.Weight ?? 1) > 0).map(
      t => t.TargetGroupArn
    ) ?? [action?.TargetGroupArn]
    return forwarded.map(arn => /targetgroup\/([^/]+)/.exec(arn ?? '')?.[1] ?? '?').join(',')
  } finally {
    elb.destroy()
  }
}

/** The revision the service runs, as DescribeServices says it. */
async function serviceRevision(): Promise<string | undefined> {
  const ecs = new ECSClient(endpoint())
  try {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] })))
      .services?.[0]
    return service?.taskDefinition?.split('/').at(-1)
  } finally {
    ecs.destroy()
  }
}

async function codeDeployStatus(id: string): Promise<string | undefined> {
  const codedeploy = new CodeDeployClient(endpoint())
  try {
    return (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo?.status
  } finally {
    codedeploy.destroy()
  }
}

/** Polls every 100 ms (at most 20 s) until a target of the group is unhealthy. */
async function untilUnhealthy(targetGroup: string): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client(endpoint())
  try {
    const arn = (await elb.send(new DescribeTargetGroupsCommand({ Names: [targetGroup] }))).TargetGroups?.[0]
      ?.TargetGroupArn
    for (let i = 0; i < 200; i++) {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
      if ((health.TargetHealthDescriptions ?? []).some(t => t.TargetHealth?.State === 'unhealthy')) return
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error(`no target of ${targetGroup} turned unhealthy`)
  } finally {
    elb.destroy()
  }
}

const ready = (inputs: Record<string, string> = {}, options: RunOnSimOptions = {}) =>
  runOnSim(sim, { image: `${REPO}:v2`, 'wait-until': 'ready', ...inputs }, options)

describe('ECS-native blue/green with a pause hook', () => {
  it('deploy stops at the pause with green healthy; promote moves production; a second promote says so', async () => {
    const deploy = await ready({ 'test-url': 'http://test.example.com:8080' })
    expectRun(deploy, 0, 'ready')
    expect(deploy.outputs['deployment-id']).toMatch(/:service-deployment\/demo\/web\//)
    expect(deploy.outputs['hook-id']).toMatch(/^ecs-pause-/)
    expect(Date.parse(deploy.outputs['expires-at'] ?? '')).toBeGreaterThan(Date.now())
    expect(deploy.stdout).toMatch(
      /paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until .* \(then ECS rolls back to web:1\)/
    )
    expect(deploy.summary).toContain('⏳ waiting for approval')
    expect(deploy.summary).toContain('to promote: run ecs-ship with mode: promote')
    expect(deploy.summary).toContain('http://test.example.com:8080')
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await count('ContinueServiceDeployment')).toBe(0)

    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 0, 'succeeded')
    expect(promote.stdout).toContain('ContinueServiceDeployment CONTINUE')
    expect(promote.stdout).toMatch(/healthy: .*web-tg-green \(2\/2\)/)
    expect(promote.outputs['task-definition-arn']).toMatch(/task-definition\/web:2$/)
    expect(await production()).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    expect(await count('ContinueServiceDeployment')).toBe(1)

    const again = await runOnSim(sim, {
      mode: 'promote',
      'deployment-id': deploy.outputs['deployment-id'] ?? ''
    })
    expectRun(again, 0, 'unchanged')
    expect(again.stdout).toMatch(/already promoted/)
    expect(await count('ContinueServiceDeployment')).toBe(1)
  })

  it('abort rolls the waiting deployment back and follows it until blue serves production, healthy', async () => {
    const deploy = await ready()
    expectRun(deploy, 0, 'ready')
    const abort = await runOnSim(sim, {
      mode: 'abort',
      'deployment-id': deploy.outputs['deployment-id'] ?? ''
    })
    expectRun(abort, 0, 'aborted')
    expect(abort.stdout).toContain('ContinueServiceDeployment ROLLBACK')
    expect(abort.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(abort.summary).toContain('↩️ aborted')
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })

    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(/nothing waits for approval/)
  })

  it('a second deploy refuses at once while another waits for approval, changing nothing', async () => {
    expectRun(await ready(), 0, 'ready')
    const next = await runOnSim(sim, { image: `${REPO}:v3` })
    expectRun(next, 1)
    expect(next.stdout + next.stderr).toMatch(
      /waits for approval at POST_TEST_TRAFFIC_SHIFT; nothing was changed\. Promote or abort it first/
    )
    expect(await count('UpdateService')).toBe(1)
    expect(await count('ContinueServiceDeployment')).toBe(0)
  })

  it('refuses to promote while the green targets are unhealthy, and continues nothing', async () => {
    expectRun(await ready(), 0, 'ready')
    await sim.control.setBehaviours({ failingTargets: { 'web:2': 'Target.ResponseCodeMismatch' } })
    await untilUnhealthy('web-tg-green')
    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(
      /not promoting .*the new revision's targets are not all healthy/
    )
    expect(await count('ContinueServiceDeployment')).toBe(0)
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  describe('a revision that fails once production moves to it (five minutes of bake time)', () => {
    beforeEach(async () => {
      await useFixture('django-web-bluegreen-pause-long-bake')
      // Healthy on test traffic, so the deploy stops ready and promote goes ahead; its targets
      // fail their checks from the production shift on.
      await sim.control.setBehaviours({ failingInProduction: { 'web:2': 'Target.ResponseCodeMismatch' } })
      expectRun(await ready(), 0, 'ready')
    })

    it('promote sees it fail during the bake, rolls back, and ends on web:1, healthy on production', async () => {
      const promote = await runOnSim(sim, { mode: 'promote' })
      expectRun(promote, 1, 'rolled-back')
      expect(promote.stdout).toContain('ContinueServiceDeployment CONTINUE')
      expect(promote.stdout).toMatch(/stage BAKE_TIME .*production web-tg 0% \/ web-tg-green 100%/)
      expect(promote.stdout).toMatch(/failed ELB health checks in \(target-group \S+\/web-tg-green\//)
      expect(promote.stdout).toMatch(/rolling back: StopServiceDeployment \S+ \(ROLLBACK\)/)
      expect(promote.stdout).toMatch(/rollback \d+: ROLLBACK_SUCCESSFUL .*production web-tg 100%/)
      expect(promote.stdout).toMatch(
        /::error::.*; rolled back to \S+\/web:1 \(production traffic 100%25 on web-tg; web-tg 2\/2 healthy\)/
      )
      expect(promote.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
      expect(promote.summary).toMatch(/rolled back/i)
      expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
      expect(await serviceRevision()).toBe('web:1')
      expect(await count('StopServiceDeployment')).toBe(1)
    })

    it('with rollback-on-failure false, promote fails naming it and stops nothing', async () => {
      const promote = await runOnSim(sim, { mode: 'promote', 'rollback-on-failure': 'false' })
      expectRun(promote, 1, 'failed')
      expect(promote.stdout).toMatch(
        /::error::deploy failed: .*failed ELB health checks.*web-tg-green.*\(rollback-on-failure is off\)/
      )
      expect(await count('StopServiceDeployment')).toBe(0)
    })
  })

  it('refuses to promote or abort when nothing waits, changing nothing', async () => {
    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(/nothing waits for approval, so nothing was promoted/)
    const abort = await runOnSim(sim, { mode: 'abort' })
    expectRun(abort, 1)
    expect(abort.stdout + abort.stderr).toMatch(/nothing waits for approval, so nothing was aborted/)
    expect((await sim.control.calls()).filter(c => c.mutating && !c.error)).toEqual([])
  })

  it('under wait-until succeeded reports the pause at once and waits it out: ROLLBACK at expiry', async () => {
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toMatch(/paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until/)
    expect(run.stdout).toMatch(/ECS is (already )?rolling back/)
    expect(await count('ContinueServiceDeployment')).toBe(0)
    expect(await count('StopServiceDeployment')).toBe(0)
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  it('under wait-until succeeded waits the pause out: CONTINUE at expiry ends on green', async () => {
    await useFixture('django-web-bluegreen-pause-continue')
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 0, 'succeeded')
    expect(run.stdout).toMatch(
      /paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until .* \(then ECS moves production traffic/
    )
    expect(await count('ContinueServiceDeployment')).toBe(0)
    expect(await production()).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
  })

  it('refuses wait-until ready in the plan when the only pause comes after production moves, changing nothing', async () => {
    await useFixture('django-web-bluegreen-pause-post-production')
    const deploy = await ready()
    expectRun(deploy, 1)
    expect(deploy.stdout + deploy.stderr).toMatch(
      /input wait-until: `ready`.* service web pauses only at POST_PRODUCTION_TRAFFIC_SHIFT, after production traffic moved/
    )
    expect((await sim.control.calls()).filter(c => c.mutating && !c.error)).toEqual([])
    expect(await production()).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  it('refuses wait-until ready in the plan when the service has no pause hook, changing nothing', async () => {
    await useFixture('django-web-bluegreen')
    const deploy = await ready()
    expectRun(deploy, 1)
    expect(deploy.stdout + deploy.stderr).toMatch(/input wait-until: `ready`.* service web has no PAUSE hook/)
    expect((await sim.control.calls()).filter(c => c.mutating && !c.error)).toEqual([])
  })

  it('a rolling service refuses wait-until ready and promote', async () => {
    await useFixture('django-web')
    const deploy = await ready()
    expectRun(deploy, 1)
    expect(deploy.stdout + deploy.stderr).toMatch(/input wait-until: `ready`.*rolling strategy/)
    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(/rolling strategy .* never waits for approval/)
  })
})

describe('CodeDeploy with a manual reroute (Ready)', () => {
  beforeEach(async () => {
    await useFixture('django-web-codedeploy-ready')
  })

  it('deploy stops at Ready; promote reroutes production and follows it to Succeeded; a second promote says so', async () => {
    const deploy = await ready()
    expectRun(deploy, 0, 'ready')
    const id = deploy.outputs['deployment-id'] ?? ''
    expect(id).toMatch(/^d-[A-Z0-9]+$/)
    expect(deploy.outputs['expires-at']).toMatch(/^\d{4}-/)
    expect(deploy.summary).toContain('CodeDeploy waits at Ready for approval')
    expect(await codeDeployStatus(id)).toBe('Ready')
    expect(await codeDeployProduction()).toBe('web-tg')

    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 0, 'succeeded')
    expect(promote.stdout).toContain('ContinueDeployment READY_WAIT')
    expect(promote.stdout).toMatch(
      /healthy: CodeDeploy deployment d-\w+ Succeeded; web-tg-green 2\/2 healthy/
    )
    expect(await codeDeployProduction()).toBe('web-tg-green')

    const again = await runOnSim(sim, { mode: 'promote', 'deployment-id': id })
    expectRun(again, 0, 'unchanged')
    expect(again.stdout).toMatch(/already promoted/)
    expect(await count('ContinueDeployment')).toBe(1)
  })

  it('abort stops the deployment with auto-rollback and follows it until the original serves, healthy', async () => {
    expectRun(await ready(), 0, 'ready')
    const abort = await runOnSim(sim, { mode: 'abort' })
    expectRun(abort, 0, 'aborted')
    expect(abort.stdout).toContain('StopDeployment')
    expect(await codeDeployProduction()).toBe('web-tg')
    expect(await count('ContinueDeployment')).toBe(0)
  })

  it('a second deploy refuses at once while another waits at Ready, changing nothing', async () => {
    expectRun(await ready(), 0, 'ready')
    const next = await runOnSim(sim, { image: `${REPO}:v3` })
    expectRun(next, 1)
    expect(next.stdout + next.stderr).toMatch(/waits for approval at Ready; nothing was changed/)
    expect(await count('CreateDeployment')).toBe(1)
  })

  it('refuses to promote while the replacement targets are unhealthy', async () => {
    expectRun(await ready(), 0, 'ready')
    await sim.control.setBehaviours({ failingTargets: { 'web:2': 'Target.ResponseCodeMismatch' } })
    await untilUnhealthy('web-tg-green')
    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(/the new revision's targets are not all healthy/)
    expect(await count('ContinueDeployment')).toBe(0)
  })

  describe('a replacement that fails once production is rerouted to it, during a long AfterAllowTraffic hook', () => {
    // The AppSpec lives in a workspace of its own: the action reads one only inside the
    // workspace, the directory a run starts in.
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ecs-ship-approve-'))
      writeAppspecWithHook(dir, 'AfterAllowTraffic', 'production-smoke-test')
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    let id: string
    beforeEach(async () => {
      // Healthy on test traffic; failing from the reroute on, while a production smoke test
      // (five simulated minutes, and it would pass) keeps the deployment in progress.
      await sim.control.setBehaviours({
        failingInProduction: { 'web:2': 'Target.ResponseCodeMismatch' },
        hooks: { 'production-smoke-test': { outcome: 'succeeded', afterSeconds: 300 } }
      })
      const deploy = await ready({ 'codedeploy-appspec': 'appspec-AfterAllowTraffic.yaml' }, { cwd: dir })
      expectRun(deploy, 0, 'ready')
      id = deploy.outputs['deployment-id'] ?? ''
    })

    it('promote sees the replacement fail, stops the deployment with auto-rollback, and ends on web:1, healthy', async () => {
      const promote = await runOnSim(sim, { mode: 'promote' })
      expectRun(promote, 1, 'rolled-back')
      expect(promote.stdout).toContain('ContinueDeployment READY_WAIT')
      expect(promote.stdout).toMatch(/Green 2\/2 running, 100% traffic/)
      expect(promote.stdout).toMatch(
        /replacement tasks fail their load balancer health checks: target \S+ is unhealthy in web-tg-green \(Target\.ResponseCodeMismatch/
      )
      expect(promote.stdout).toMatch(/rolling back: StopDeployment d-\w+ with auto-rollback/)
      expect(promote.stdout).toMatch(
        /::error::.*; rolled back to \S+\/web:1 \(CodeDeploy rollback d-\w+ Succeeded; web-tg 2\/2 healthy\)/
      )
      expect(promote.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
      expect(await codeDeployStatus(id)).toBe('Stopped')
      expect(await codeDeployProduction()).toBe('web-tg')
      expect(await serviceRevision()).toBe('web:1')
    })

    it('with rollback-on-failure false, promote fails naming it and stops nothing', async () => {
      const promote = await runOnSim(sim, { mode: 'promote', 'rollback-on-failure': 'false' })
      expectRun(promote, 1, 'failed')
      expect(promote.stdout).toMatch(
        /::error::deploy failed: replacement tasks fail their load balancer health checks: .*\(rollback-on-failure is off; CodeDeploy carries deployment d-\w+ on/
      )
      expect(await count('StopDeployment')).toBe(0)
    })
  })

  it('refuses to promote when nothing waits', async () => {
    const promote = await runOnSim(sim, { mode: 'promote' })
    expectRun(promote, 1)
    expect(promote.stdout + promote.stderr).toMatch(/nothing waits for approval/)
  })

  it('under wait-until succeeded reports Ready at once and waits it out: CodeDeploy stops it at expiry', async () => {
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 1)
    expect(run.stdout).toMatch(
      /paused at Ready, waiting for approval until about .* \(then CodeDeploy stops the deployment/
    )
    expect(run.stdout + run.stderr).toMatch(/TIMEOUT/)
    expect(await count('ContinueDeployment')).toBe(0)
    expect(await codeDeployProduction()).toBe('web-tg')
  })
})
