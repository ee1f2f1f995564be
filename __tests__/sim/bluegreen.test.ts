// ECS blue/green, linear and canary deployments on the simulator, through the real SDK clients:
// the documented lifecycle stages, the listener-rule weights ECS shifts, rollbacks (circuit
// breaker, failing hook, StopServiceDeployment) and how the APIs show each of them.
import {
  ConflictException,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceDeploymentNotFoundException,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type DeploymentLifecycleHook,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { lifecyclePlan, productionPercents, stepBakeMinutes } from '../../sim/world/bluegreen-plan.js'
import { advance } from '../../sim/tick.js'
import { ecsHandlers } from '../../sim/api/ecs.js'
import { loadFixture } from '../../sim/fixtures/index.js'
import { findService, newState, type SimState } from '../../sim/world/model.js'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web'
const HOOK_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:smoke-test'
const STAGES = [
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
]

let sim: RunningSimulator
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.02 })
  const config = {
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  }
  ecs = new ECSClient(config)
  elb = new ElasticLoadBalancingV2Client(config)
})
afterAll(async () => {
  ecs.destroy()
  elb.destroy()
  await sim.close()
})

async function useFixture(name: string): Promise<void> {
  await sim.control.reset()
  await sim.control.loadFixture(name)
}

/** Polls every 50 ms until `check` holds; at most `tries` times. */
async function until(check: () => Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error('condition not reached')
}

async function webService(): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
  const web = services?.[0]
  if (!web) throw new Error('no web service')
  return web
}

/** Registers web:<n> with the image tag and deploys it; returns the new service deployment's ARN. */
async function deploy(tag: string, lifecycleHooks?: DeploymentLifecycleHook[]): Promise<string> {
  const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' })))
    .taskDefinition
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: current?.requiresCompatibilities,
      networkMode: current?.networkMode,
      cpu: current?.cpu,
      memory: current?.memory,
      executionRoleArn: current?.executionRoleArn,
      containerDefinitions: (current?.containerDefinitions ?? []).map(c => ({
        ...c,
        image: `${REPO}:${tag}`
      }))
    })
  )
  const updated = await ecs.send(
    new UpdateServiceCommand({
      cluster: 'demo',
      service: 'web',
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      ...(lifecycleHooks ? { deploymentConfiguration: { lifecycleHooks } } : {})
    })
  )
  const arn = updated.service?.currentServiceDeployment
  if (!arn) throw new Error('no current service deployment')
  return arn
}

async function serviceDeployment(arn: string): Promise<ServiceDeployment> {
  const { serviceDeployments } = await ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })
  )
  const found = serviceDeployments?.[0]
  if (!found) throw new Error(`no service deployment ${arn}`)
  return found
}

async function untilStatus(arn: string, status: string): Promise<ServiceDeployment> {
  let last: ServiceDeployment | undefined
  await until(async () => (last = await serviceDeployment(arn)).status === status)
  return last as ServiceDeployment
}

/** The percent of a listener rule's traffic each target group gets, by target-group name. */
async function weights(
  which: 'productionListenerRule' | 'testListenerRule'
): Promise<Record<string, number>> {
  const ruleArn = (await webService()).loadBalancers?.[0]?.advancedConfiguration?.[which] ?? ''
  const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules?.[0]
  const groups = rule?.Actions?.find(a => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? []
  const names = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []
  return Object.fromEntries(
    groups.map(g => [names.find(n => n.TargetGroupArn === g.TargetGroupArn)?.TargetGroupName, g.Weight])
  )
}

async function targetsIn(name: string) {
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]
  return (
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn })))
      .TargetHealthDescriptions ?? []
  )
}

async function runningTaskDefinitions(): Promise<string[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'demo', serviceName: 'web' }))
  if (!taskArns?.length) return []
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'demo', tasks: taskArns }))
  return (tasks ?? []).map(t => t.taskDefinitionArn?.split('/').at(-1) ?? '')
}

/** A longer deregistration delay on web-tg-green keeps a rollback in progress long enough to watch. */
async function slowGreenDraining(): Promise<void> {
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg-green'] }))).TargetGroups?.[0]
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tg?.TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '150' }]
    })
  )
}

async function milestones(kind: string) {
  return (await sim.control.milestones()).filter(m => m.kind === kind)
}

describe('BLUE_GREEN', () => {
  beforeEach(() => useFixture('django-web-bluegreen'))

  it('walks every lifecycle stage, then serves production from web-tg-green with blue gone', async () => {
    const web = await webService()
    expect(web.deploymentConfiguration?.strategy).toBe('BLUE_GREEN')
    expect(web.deploymentConfiguration?.bakeTimeInMinutes).toBe(1)
    expect(web.loadBalancers?.[0]?.advancedConfiguration?.alternateTargetGroupArn).toMatch(
      /:targetgroup\/web-tg-green\//
    )
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })

    const arn = await deploy('v2')
    // During the bake time both revisions run: green is PRIMARY and serves production, blue waits.
    await until(async () => (await serviceDeployment(arn)).lifecycleStage === 'BAKE_TIME')
    const baking = await webService()
    expect(baking.currentServiceDeployment).toBe(arn)
    expect(
      baking.deployments?.map(d => [d.status, d.rolloutState, d.taskDefinition?.split('/').at(-1)])
    ).toEqual([
      ['PRIMARY', 'IN_PROGRESS', 'web:2'],
      ['ACTIVE', 'COMPLETED', 'web:1']
    ])
    expect((await serviceDeployment(arn)).status).toBe('IN_PROGRESS')
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })

    const done = await untilStatus(arn, 'SUCCESSFUL')
    expect(done.lifecycleStage).toBe('CLEAN_UP')
    expect(done.finishedAt).toBeInstanceOf(Date)
    expect(done.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100)
    expect((await milestones('lifecycle-stage')).map(m => m.detail.stage)).toEqual(STAGES)
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    const after = await webService()
    expect(
      after.deployments?.map(d => [d.status, d.rolloutState, d.taskDefinition?.split('/').at(-1)])
    ).toEqual([['PRIMARY', 'COMPLETED', 'web:2']])
    expect(await runningTaskDefinitions()).toEqual(['web:2', 'web:2'])
    expect(await targetsIn('web-tg')).toEqual([])
    expect((await targetsIn('web-tg-green')).map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect((await milestones('deployment-completed')).map(m => m.detail.taskDefinition)).toEqual([
      expect.stringMatching(/task-definition\/web:2$/)
    ])
  })

  it('registers green only in the alternate target group while blue keeps serving', async () => {
    // A slow POST_SCALE_UP hook holds the deployment where green is up but serves nothing yet.
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'succeeded', afterSeconds: 600 } } })
    const arn = await deploy('v2', [{ hookTargetArn: HOOK_ARN, lifecycleStages: ['POST_SCALE_UP'] }])
    await until(async () => (await serviceDeployment(arn)).lifecycleStage === 'POST_SCALE_UP')
    expect((await targetsIn('web-tg')).map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect((await targetsIn('web-tg-green')).map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect((await runningTaskDefinitions()).sort()).toEqual(['web:1', 'web:1', 'web:2', 'web:2'])
  })

  it('alternates: the deployment after a success uses web-tg as green', async () => {
    await untilStatus(await deploy('v2'), 'SUCCESSFUL')
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'succeeded', afterSeconds: 60 } } })
    const arn = await deploy('v3', [{ hookTargetArn: HOOK_ARN, lifecycleStages: ['POST_SCALE_UP'] }])
    await until(async () => (await serviceDeployment(arn)).lifecycleStage === 'POST_SCALE_UP')
    expect(await targetsIn('web-tg')).toHaveLength(2)
    expect(await targetsIn('web-tg-green')).toHaveLength(2)
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    await untilStatus(arn, 'SUCCESSFUL')
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await targetsIn('web-tg-green')).toEqual([])
    expect(await runningTaskDefinitions()).toEqual(['web:3', 'web:3'])
  })

  it('rolls back a crash-looping revision: traffic stays on blue, green stops, ROLLBACK_SUCCESSFUL', async () => {
    await sim.control.setBehaviours({
      images: { [`${REPO}:crash`]: { kind: 'exit', exitCode: 3, afterSeconds: 2 } }
    })
    await slowGreenDraining()
    const blueRevision = (await serviceDeployment((await webService()).currentServiceDeployment ?? ''))
      .targetServiceRevision?.arn
    const arn = await deploy('crash')
    const rolling = await untilStatus(arn, 'ROLLBACK_IN_PROGRESS')
    expect(rolling.rollback?.reason).toBe('ECS deployment circuit breaker: tasks failed to start.')
    expect(rolling.rollback?.serviceRevisionArn).toBe(blueRevision)
    expect(rolling.lifecycleStage).toBe('SCALE_UP')
    // Blue is PRIMARY again at once; the failed revision stays listed until its tasks have stopped.
    const during = await webService()
    expect(during.taskDefinition).toMatch(/web:1$/)
    expect(during.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED' })
    expect(during.deployments?.[0]?.taskDefinition).toMatch(/web:1$/)

    const done = await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    expect(done.statusReason).toBe('ECS deployment circuit breaker: tasks failed to start.')
    expect(done.rollback?.startedAt).toBeInstanceOf(Date)
    expect(done.finishedAt).toBeInstanceOf(Date)
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    await until(async () => (await webService()).deployments?.length === 1)
    expect((await webService()).deployments?.map(d => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'COMPLETED']
    ])
    expect(await runningTaskDefinitions()).toEqual(['web:1', 'web:1'])
    expect((await targetsIn('web-tg')).map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect((await milestones('rollout-failed')).map(m => m.detail.reason)).toEqual([
      'ECS deployment circuit breaker: tasks failed to start.'
    ])
  })

  it('rolls back when a lifecycle hook fails, naming the hook', async () => {
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'failed', afterSeconds: 60 } } })
    const arn = await deploy('v2', [
      {
        hookTargetArn: HOOK_ARN,
        roleArn: 'arn:aws:iam::123456789012:role/ecs-hooks',
        lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT']
      }
    ])
    await until(async () => (await serviceDeployment(arn)).lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT')
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    const running = await serviceDeployment(arn)
    expect(running.lifecycleHookDetails?.[0]).toMatchObject({ targetArn: HOOK_ARN, status: 'IN_PROGRESS' })

    const done = await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    expect(done.statusReason).toContain(HOOK_ARN)
    expect(done.rollback?.reason).toContain(HOOK_ARN)
    expect(done.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT')
    expect(done.lifecycleHookDetails?.[0]?.status).toBe('FAILED')
    expect(await weights('testListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
  })

  it('rolls back on StopServiceDeployment ROLLBACK after production moved to green', async () => {
    await slowGreenDraining()
    const arn = await deploy('v2')
    await until(async () => (await serviceDeployment(arn)).lifecycleStage === 'BAKE_TIME')
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    const stopped = await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })
    )
    expect(stopped.serviceDeploymentArn).toBe(arn)

    const rolling = await untilStatus(arn, 'ROLLBACK_IN_PROGRESS')
    expect(rolling.rollback?.reason).toBe('A user requested a rollback with StopServiceDeployment.')
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 100, 'web-tg-green': 0 })
    // The developer guide: stopping a deployment that is already rolling back lets the rollback go on.
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))
    expect(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toContain((await serviceDeployment(arn)).status)

    await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    await until(async () => (await runningTaskDefinitions()).every(td => td === 'web:1'))
    expect((await targetsIn('web-tg')).map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect(await milestones('rollout-failed')).toEqual([])
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: 'demo', service: 'web', status: ['ROLLBACK_SUCCESSFUL'] })
    )
    expect(listed.serviceDeployments?.map(d => d.serviceDeploymentArn)).toEqual([arn])
  })

  it('answers StopServiceDeployment errors: finished, unknown, ABORT', async () => {
    const arn = await deploy('v2')
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ABORT' }))
    ).rejects.toBeInstanceOf(InvalidParameterException)
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${arn}0`, stopType: 'ROLLBACK' }))
    ).rejects.toBeInstanceOf(ServiceDeploymentNotFoundException)
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))
    await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))
    ).rejects.toBeInstanceOf(ConflictException)
  })
})

describe('LINEAR', () => {
  beforeEach(() => useFixture('django-web-linear'))

  it('shifts production traffic in 50 % steps, waiting between them', async () => {
    const arn = await deploy('v2')
    await until(async () => (await weights('productionListenerRule'))['web-tg-green'] === 50)
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 50, 'web-tg-green': 50 })
    expect((await serviceDeployment(arn)).lifecycleStage).toBe('PRODUCTION_TRAFFIC_SHIFT')
    await untilStatus(arn, 'SUCCESSFUL')
    expect((await milestones('traffic-shifted')).map(m => m.detail.production)).toEqual([
      { 'web-tg': 100, 'web-tg-green': 0 }, // test traffic moved; production untouched
      { 'web-tg': 50, 'web-tg-green': 50 },
      { 'web-tg': 0, 'web-tg-green': 100 }
    ])
  })
})

describe('CANARY', () => {
  beforeEach(() => useFixture('django-web-canary'))

  it('shifts 10 % first, bakes, then the rest', async () => {
    const arn = await deploy('v2')
    await until(async () => (await weights('productionListenerRule'))['web-tg-green'] === 10)
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 90, 'web-tg-green': 10 })
    await untilStatus(arn, 'SUCCESSFUL')
    expect(await weights('productionListenerRule')).toEqual({ 'web-tg': 0, 'web-tg-green': 100 })
    expect((await webService()).deployments?.map(d => d.rolloutState)).toEqual(['COMPLETED'])
  })
})

describe('StopServiceDeployment, step by step (explicit clock)', () => {
  const ecsCall = ecsHandlers as Record<string, (s: SimState, i: unknown, n: number) => unknown>

  it('is ROLLBACK_REQUESTED until ECS acts on it, then ROLLBACK_IN_PROGRESS', () => {
    const state = newState({ timeScale: 1 })
    loadFixture(state, 'django-web-bluegreen')
    const start = Date.now()
    ecsCall.UpdateService?.(state, { cluster: 'demo', service: 'web', forceNewDeployment: true }, start)
    const svc = findService(state, 'demo', 'web')
    const arn = svc?.history.at(-1)?.serviceDeploymentArn ?? ''
    advance(state, start + 10_000)
    ecsCall.StopServiceDeployment?.(
      state,
      { serviceDeploymentArn: arn, stopType: 'ROLLBACK' },
      start + 10_000
    )
    advance(state, start + 10_000)
    expect(svc?.history.at(-1)?.status).toBe('ROLLBACK_REQUESTED')
    advance(state, start + 11_000)
    expect(svc?.history.at(-1)?.status).toBe('ROLLBACK_IN_PROGRESS')
  })

  it('rolls a rolling deployment back with a new deployment of the last completed revision', () => {
    const state = newState({ timeScale: 1 })
    loadFixture(state, 'django-web')
    const start = Date.now()
    ecsCall.UpdateService?.(state, { cluster: 'demo', service: 'web', forceNewDeployment: true }, start)
    const svc = findService(state, 'demo', 'web')
    const stopped = svc?.history.at(-1)
    ecsCall.StopServiceDeployment?.(
      state,
      { serviceDeploymentArn: stopped?.serviceDeploymentArn, stopType: 'ROLLBACK' },
      start
    )
    for (let s = 1; s <= 120; s++) advance(state, start + s * 1000)
    expect(stopped?.status).toBe('ROLLBACK_SUCCESSFUL')
    expect(stopped?.rollback?.serviceRevisionArn).toBe(svc?.history.at(-1)?.targetServiceRevision?.arn)
    expect(svc?.deployments.map(d => d.deployment.rolloutState)).toEqual(['COMPLETED'])
  })
})

describe('the lifecycle plan (pure)', () => {
  it.each([
    [{ strategy: 'BLUE_GREEN' as const }, [100], 0],
    [
      { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } },
      [50, 100],
      1
    ],
    [{ strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 30 } }, [30, 60, 90, 100], 6],
    [{ strategy: 'LINEAR' as const }, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 6],
    [
      { strategy: 'CANARY' as const, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } },
      [10, 100],
      1
    ],
    [{ strategy: 'CANARY' as const }, [5, 100], 10]
  ])('%j shifts production in steps %j, %d minutes apart', (config, percents, minutes) => {
    expect(productionPercents(config)).toEqual(percents)
    expect(stepBakeMinutes(config)).toBe(minutes)
  })

  it('lists the documented stages in order, RECONCILE_SERVICE only with more than one active revision', () => {
    const stages = (reconcile: boolean) =>
      lifecyclePlan({ strategy: 'BLUE_GREEN' }, reconcile).flatMap(s => (s.kind === 'enter' ? [s.stage] : []))
    expect(stages(false)).toEqual(STAGES)
    expect(stages(true)).toEqual(['RECONCILE_SERVICE', ...STAGES])
  })

  it('runs PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT hooks at every step of a linear shift', () => {
    const plan = lifecyclePlan({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 50 } }, false)
    const shift = plan.slice(
      plan.findIndex(s => s.kind === 'enter' && s.stage === 'PRODUCTION_TRAFFIC_SHIFT') + 1,
      plan.findIndex(s => s.kind === 'enter' && s.stage === 'POST_PRODUCTION_TRAFFIC_SHIFT')
    )
    expect(shift).toEqual([
      { kind: 'hooks', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' },
      { kind: 'shift-production-traffic', percent: 50 },
      { kind: 'hooks', stage: 'PRODUCTION_TRAFFIC_SHIFT' },
      { kind: 'wait', minutes: 6 },
      { kind: 'hooks', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' },
      { kind: 'shift-production-traffic', percent: 100 },
      { kind: 'hooks', stage: 'PRODUCTION_TRAFFIC_SHIFT' }
    ])
  })
})
