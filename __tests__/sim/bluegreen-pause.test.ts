// ECS-native blue/green deployments that stop at a PAUSE lifecycle hook, through the real SDK
// clients: the pause as DescribeServiceDeployments shows it, ContinueServiceDeployment with
// CONTINUE and ROLLBACK, the timeout action at expiresAt both ways, what ContinueServiceDeployment
// refuses, and a green revision that turns unhealthy while it waits or once production reaches
// it. The developer guide: "Pause hooks for Amazon ECS service deployments", "Continuing service
// deployments".
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListTasksCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceDeploymentNotFoundException,
  UpdateServiceCommand,
  type DeploymentLifecycleHookDetail,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ecsHandlers } from '../../sim/api/ecs.js'
import { loadFixture } from '../../sim/fixtures/index.js'
import { startSimulator } from '../../sim/index.js'
import { advance } from '../../sim/tick.js'
import { findService, newState, type SimState } from '../../sim/world/model.js'
import type { RunningSimulator } from '../../sim/contract.js'

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web'
/** The fixtures' pause hook times out after 5 simulated minutes. */
const TIMEOUT_MS = 5 * 60 * 1000 * 0.02

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
async function until(check: () => Promise<boolean>, tries = 600): Promise<void> {
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
async function deploy(tag: string): Promise<string> {
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
      taskDefinition: registered.taskDefinition?.taskDefinitionArn
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

/** Waits for the deployment to pause; answers it and its one hook. */
async function untilPaused(
  arn: string
): Promise<{ paused: ServiceDeployment; hook: DeploymentLifecycleHookDetail }> {
  let paused: ServiceDeployment | undefined
  await until(
    async () =>
      (paused = await serviceDeployment(arn)).lifecycleHookDetails?.[0]?.status === 'AWAITING_ACTION'
  )
  const hook = paused?.lifecycleHookDetails?.[0]
  if (!paused || !hook) throw new Error('not paused')
  return { paused, hook }
}

const continueDeployment = (serviceDeploymentArn: string, hookId: string | undefined, action?: string) =>
  ecs.send(
    new ContinueServiceDeploymentCommand({
      serviceDeploymentArn,
      hookId,
      action: action as 'CONTINUE' | 'ROLLBACK' | undefined
    })
  )

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

async function targetStates(name: string): Promise<string[]> {
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0]
  const { TargetHealthDescriptions } = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn })
  )
  return (TargetHealthDescriptions ?? []).map(t => t.TargetHealth?.State ?? '')
}

async function runningTaskDefinitions(): Promise<string[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'demo', serviceName: 'web' }))
  if (!taskArns?.length) return []
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'demo', tasks: taskArns }))
  return (tasks ?? []).map(t => t.taskDefinitionArn?.split('/').at(-1) ?? '').sort()
}

const PRODUCTION_ON_BLUE = { 'web-tg': 100, 'web-tg-green': 0 }
const ALL_ON_GREEN = { 'web-tg': 0, 'web-tg-green': 100 }

describe('django-web-bluegreen-pause (PAUSE at POST_TEST_TRAFFIC_SHIFT, 5 minutes, then ROLLBACK)', () => {
  beforeEach(() => useFixture('django-web-bluegreen-pause'))

  it('has the pause hook in the service deployment configuration', async () => {
    expect((await webService()).deploymentConfiguration?.lifecycleHooks).toEqual([
      {
        targetType: 'PAUSE',
        lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        timeoutConfiguration: { timeoutInMinutes: 5, action: 'ROLLBACK' }
      }
    ])
  })

  it('pauses after the test traffic shift: green serves test traffic, blue production, the hook awaits action', async () => {
    const arn = await deploy('v2')
    const { paused, hook } = await untilPaused(arn)
    expect(paused).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' })
    expect(hook).toEqual({
      hookId: expect.stringMatching(/^ecs-pause-[A-Za-z0-9_-]{43}$/),
      targetType: 'PAUSE',
      status: 'AWAITING_ACTION',
      expiresAt: expect.any(Date),
      timeoutAction: 'ROLLBACK'
    })
    // expiresAt: the stage began (updatedAt) plus the timeout, in the simulator's scaled time.
    expect((hook.expiresAt?.getTime() ?? 0) - (paused.updatedAt?.getTime() ?? 0)).toBe(TIMEOUT_MS)
    expect(await weights('testListenerRule')).toEqual(ALL_ON_GREEN)
    expect(await weights('productionListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    expect(await targetStates('web-tg-green')).toEqual(['healthy', 'healthy'])
    expect(await runningTaskDefinitions()).toEqual(['web:1', 'web:1', 'web:2', 'web:2'])
    // It stays there: nothing moves it on but ContinueServiceDeployment or the timeout.
    await new Promise(r => setTimeout(r, 500))
    const later = await serviceDeployment(arn)
    expect(later.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT')
    expect(later.lifecycleHookDetails?.[0]?.status).toBe('AWAITING_ACTION')
    expect(await weights('productionListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    const awaiting = (await sim.control.milestones()).filter(m => m.kind === 'hook-awaiting-action')
    expect(awaiting.map(m => m.detail.hookId)).toEqual([hook.hookId])
  })

  it('CONTINUE: production shifts to green and the deployment succeeds', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    expect(await continueDeployment(arn, hook.hookId, 'CONTINUE')).toMatchObject({
      serviceDeploymentArn: arn
    })
    // The same hook cannot be continued twice.
    await expect(continueDeployment(arn, hook.hookId, 'CONTINUE')).rejects.toBeInstanceOf(
      InvalidParameterException
    )
    await until(async () => (await weights('productionListenerRule'))['web-tg-green'] === 100)
    const done = await untilStatus(arn, 'SUCCESSFUL')
    expect(done.lifecycleStage).toBe('CLEAN_UP')
    expect(await weights('productionListenerRule')).toEqual(ALL_ON_GREEN)
    expect(await runningTaskDefinitions()).toEqual(['web:2', 'web:2'])
    // A finished deployment is not IN_PROGRESS any more.
    await expect(continueDeployment(arn, hook.hookId)).rejects.toThrow(/is SUCCESSFUL/)
  })

  it('the action defaults to CONTINUE', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    await continueDeployment(arn, hook.hookId)
    await untilStatus(arn, 'SUCCESSFUL')
    expect(await weights('productionListenerRule')).toEqual(ALL_ON_GREEN)
  })

  it('ROLLBACK: test traffic returns to blue, green stops, production never moved', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    await continueDeployment(arn, hook.hookId, 'ROLLBACK')
    const requested = await serviceDeployment(arn)
    expect(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']).toContain(requested.status)
    await expect(continueDeployment(arn, hook.hookId, 'CONTINUE')).rejects.toBeInstanceOf(
      InvalidParameterException
    )
    const done = await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    expect(done.rollback?.reason).toMatch(/ContinueServiceDeployment asked for a rollback/)
    expect(done.lifecycleHookDetails?.[0]).toMatchObject({ hookId: hook.hookId, status: 'FAILED' })
    expect(await weights('productionListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    expect(await weights('testListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    expect(await runningTaskDefinitions()).toEqual(['web:1', 'web:1'])
    expect((await webService()).taskDefinition).toMatch(/web:1$/)
    // A user's rollback is not a failure ECS found.
    expect((await sim.control.milestones()).filter(m => m.kind === 'rollout-failed')).toEqual([])
  })

  it('expiry: the hook times out and its ROLLBACK applies', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    const done = await untilStatus(arn, 'ROLLBACK_SUCCESSFUL')
    expect(done.lifecycleHookDetails?.[0]).toMatchObject({ hookId: hook.hookId, status: 'TIMED_OUT' })
    expect(done.rollback?.reason).toMatch(/timed out at POST_TEST_TRAFFIC_SHIFT/)
    expect(await weights('productionListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    expect(await runningTaskDefinitions()).toEqual(['web:1', 'web:1'])
    await expect(continueDeployment(arn, hook.hookId)).rejects.toThrow(/ROLLBACK_SUCCESSFUL/)
    expect((await sim.control.milestones()).filter(m => m.kind === 'rollout-failed')).toHaveLength(1)
  })

  it('refuses what ECS refuses: unknown deployment, unknown hook, missing hook id, bad action', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    await expect(continueDeployment(`${arn}x`, hook.hookId)).rejects.toBeInstanceOf(
      ServiceDeploymentNotFoundException
    )
    await expect(continueDeployment(arn, 'ecs-pause-unknown')).rejects.toThrow(/does not exist/)
    await expect(continueDeployment(arn, 'ecs-pause-unknown')).rejects.toBeInstanceOf(
      InvalidParameterException
    )
    await expect(continueDeployment(arn, '')).rejects.toBeInstanceOf(InvalidParameterException)
    await expect(continueDeployment(arn, hook.hookId, 'SKIP')).rejects.toBeInstanceOf(
      InvalidParameterException
    )
    // None of that moved the deployment.
    expect((await serviceDeployment(arn)).lifecycleHookDetails?.[0]?.status).toBe('AWAITING_ACTION')
  })

  it('refuses a deployment that has not reached a pause: its hook does not exist yet', async () => {
    const arn = await deploy('v2')
    await expect(continueDeployment(arn, 'ecs-pause-not-yet')).rejects.toBeInstanceOf(
      InvalidParameterException
    )
  })

  it('refuses a PAUSE hook at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT, and a timeout out of range', async () => {
    for (const stage of ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'] as const)
      await expect(
        ecs.send(
          new UpdateServiceCommand({
            cluster: 'demo',
            service: 'web',
            deploymentConfiguration: { lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: [stage] }] }
          })
        )
      ).rejects.toThrow(/PAUSE hooks cannot be configured/)
    await expect(
      ecs.send(
        new UpdateServiceCommand({
          cluster: 'demo',
          service: 'web',
          deploymentConfiguration: {
            lifecycleHooks: [
              {
                targetType: 'PAUSE',
                lifecycleStages: ['POST_SCALE_UP'],
                timeoutConfiguration: { timeoutInMinutes: 20161 }
              }
            ]
          }
        })
      )
    ).rejects.toBeInstanceOf(InvalidParameterException)
  })

  it('a green revision made unhealthy while paused fails its checks; blue stays healthy', async () => {
    const arn = await deploy('v2')
    await untilPaused(arn)
    await sim.control.setBehaviours({ failingTargets: { 'web:2': 'Target.ResponseCodeMismatch' } })
    await until(async () => (await targetStates('web-tg-green')).includes('unhealthy'))
    expect(await targetStates('web-tg')).toEqual(['healthy', 'healthy'])
    expect(await weights('productionListenerRule')).toEqual(PRODUCTION_ON_BLUE)
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg-green'] })))
      .TargetGroups?.[0]
    const { TargetHealthDescriptions } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn })
    )
    expect(
      TargetHealthDescriptions?.find(t => t.TargetHealth?.State === 'unhealthy')?.TargetHealth?.Reason
    ).toBe('Target.ResponseCodeMismatch')
    // Healed: the replacements ECS starts pass again, and the pause still waits.
    await sim.control.setBehaviours({})
    await until(async () => {
      const states = await targetStates('web-tg-green')
      return states.filter(s => s === 'healthy').length === 2 && !states.includes('unhealthy')
    })
    expect((await serviceDeployment(arn)).lifecycleHookDetails?.[0]?.status).toBe('AWAITING_ACTION')
  })

  it('a green revision failing in production passes its checks on test traffic, and fails them once production moves', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    await sim.control.setBehaviours({ failingInProduction: { 'web:2': 'Target.ResponseCodeMismatch' } })
    // Five health-check intervals (10 s each, scaled by 0.02) on test traffic: still healthy.
    await new Promise(r => setTimeout(r, 5 * 10_000 * 0.02))
    expect(await targetStates('web-tg-green')).toEqual(['healthy', 'healthy'])
    await continueDeployment(arn, hook.hookId)
    await until(async () => (await targetStates('web-tg-green')).includes('unhealthy'))
    // Blue still runs through the bake time, healthy: only the revision production reached fails.
    expect(await targetStates('web-tg')).toEqual(['healthy', 'healthy'])
    expect((await serviceDeployment(arn)).lifecycleStage).toBe('BAKE_TIME')
    const unhealthy = (await sim.control.milestones()).find(m => m.kind === 'target-unhealthy')
    expect(unhealthy?.detail.reason).toBe('Target.ResponseCodeMismatch')
  })
})

describe('django-web-bluegreen-pause-continue (timeout action CONTINUE)', () => {
  beforeEach(() => useFixture('django-web-bluegreen-pause-continue'))

  it('expiry: the hook times out and the deployment goes on to production and succeeds', async () => {
    const arn = await deploy('v2')
    const { hook } = await untilPaused(arn)
    expect(hook.timeoutAction).toBe('CONTINUE')
    const done = await untilStatus(arn, 'SUCCESSFUL')
    expect(done.lifecycleStage).toBe('CLEAN_UP')
    expect(await weights('productionListenerRule')).toEqual(ALL_ON_GREEN)
    expect(await runningTaskDefinitions()).toEqual(['web:2', 'web:2'])
    const stages = (await sim.control.milestones())
      .filter(m => m.kind === 'lifecycle-stage')
      .map(m => m.detail.stage)
    expect(stages.slice(stages.indexOf('POST_TEST_TRAFFIC_SHIFT'))).toEqual([
      'POST_TEST_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP'
    ])
  })
})

describe('ContinueServiceDeployment, step by step (explicit clock)', () => {
  const ecsCall = ecsHandlers as Record<string, (s: SimState, i: unknown, n: number) => unknown>

  /** The django-web-bluegreen-pause world with web:1 deployed again, advanced second by second until it pauses. */
  function pausedWorld() {
    const state = newState({ timeScale: 1 })
    loadFixture(state, 'django-web-bluegreen-pause')
    const start = Date.now()
    ecsCall.UpdateService?.(state, { cluster: 'demo', service: 'web', forceNewDeployment: true }, start)
    const svc = findService(state, 'demo', 'web')
    const history = svc?.history.at(-1)
    let now = start
    for (let s = 1; s <= 600 && history?.lifecycleHookDetails?.[0]?.status !== 'AWAITING_ACTION'; s++)
      advance(state, (now = start + s * 1000))
    const hookId = history?.lifecycleHookDetails?.[0]?.hookId
    if (!history || !hookId) throw new Error('not paused')
    return { state, history, hookId, now }
  }

  it('the hook leaves AWAITING_ACTION within the call: a second call before ECS acts is refused', () => {
    const { state, history, hookId, now } = pausedWorld()
    const input = { serviceDeploymentArn: history.serviceDeploymentArn, hookId, action: 'CONTINUE' }
    ecsCall.ContinueServiceDeployment?.(state, input, now)
    expect(history.lifecycleHookDetails?.[0]?.status).toBe('SUCCEEDED')
    expect(() => ecsCall.ContinueServiceDeployment?.(state, input, now)).toThrow(
      /is SUCCEEDED. Only a pause hook in AWAITING_ACTION status can be continued/
    )
    // ECS acts on its next pass, not within the call.
    advance(state, now)
    expect(history.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT')
    advance(state, now + 1000)
    expect(history.lifecycleStage).not.toBe('POST_TEST_TRAFFIC_SHIFT')
  })

  it('ROLLBACK is ROLLBACK_REQUESTED until ECS acts on it, then ROLLBACK_IN_PROGRESS', () => {
    const { state, history, hookId, now } = pausedWorld()
    ecsCall.ContinueServiceDeployment?.(
      state,
      { serviceDeploymentArn: history.serviceDeploymentArn, hookId, action: 'ROLLBACK' },
      now
    )
    advance(state, now)
    expect(history.status).toBe('ROLLBACK_REQUESTED')
    advance(state, now + 1000)
    expect(history.status).toBe('ROLLBACK_IN_PROGRESS')
  })

  it('the timeout applies at expiresAt, not before', () => {
    const { state, history } = pausedWorld()
    const hook = history.lifecycleHookDetails?.[0]
    const expiresAt = hook?.expiresAt?.getTime() ?? 0
    advance(state, expiresAt - 1)
    expect(hook?.status).toBe('AWAITING_ACTION')
    expect(history.status).toBe('IN_PROGRESS')
    advance(state, expiresAt)
    expect(hook?.status).toBe('TIMED_OUT')
    expect(history.status).toBe('ROLLBACK_IN_PROGRESS')
  })
})
