// The recovery branches of an ECS-native blue/green rollout, driven through carryOut the way the
// rollout phase drives them: ECS's own rollback followed, ours started with StopServiceDeployment,
// the races around that call, and a rollback that ends badly. AWS calls go to mocked clients; the
// watch loop reads scripted observations on a fake clock, so nothing waits.
import { mockClient } from 'aws-sdk-client-mock'
import {
  ECSClient,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service
} from '@aws-sdk/client-ecs'
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { carryOut } from '../../../src/rollout/conclude.js'
import type { RolloutDeps, RolloutRequest } from '../../../src/rollout/contract.js'
import { planFromService } from '../../../src/service/plan.js'
import { ecsNativeStrategy } from '../../../src/strategies/ecs-native/index.js'
import { nativeSetup } from '../../../src/strategies/ecs-native/verdict.js'
import { fakeClock } from '../../../src/util/clock.js'
import type { ObserveTarget } from '../../../src/watch/observe.js'
import type { DeploymentView, Observation, ServiceDeploymentView } from '../../../src/watch/observation.js'

const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-a/0123456789abcdef'
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-b/fedcba9876543210'
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188'
const PRODUCTION_RULE = `${LISTENER}/f2f7dc8efc522ab2/9683b2d02a6cabee`
const TEST_RULE = `${LISTENER}/f2f7dc8efc522ab2/1f7f3e9d8c7b6a5e`
const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/Kq3ZsP0tYd7wUb2m'
const OURS = 'ecs-svc/8888888888888888888'

const service: Service = {
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web',
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  taskDefinition: OLD,
  healthCheckGracePeriodSeconds: 30,
  deploymentController: { type: 'ECS' },
  deploymentConfiguration: { strategy: 'BLUE_GREEN' },
  loadBalancers: [
    {
      targetGroupArn: TG_A,
      containerName: 'web',
      containerPort: 8000,
      advancedConfiguration: {
        alternateTargetGroupArn: TG_B,
        productionListenerRule: PRODUCTION_RULE,
        testListenerRule: TEST_RULE,
        roleArn: 'arn:aws:iam::123456789012:role/ecs-blue-green'
      }
    }
  ],
  deployments: [{ id: 'ecs-svc/7777777777777777777', status: 'PRIMARY', taskDefinition: OLD }]
}
const plan = planFromService('demo', service)
const setup = nativeSetup(service)

const ecsMock = mockClient(ECSClient)
const elbMock = mockClient(ElasticLoadBalancingV2Client)
afterEach(() => {
  ecsMock.reset()
  elbMock.reset()
})

function request(overrides: Partial<RolloutRequest> = {}): RolloutRequest {
  return {
    plan,
    target: { arn: NEW, networkMode: 'awsvpc', containerHealthChecks: false },
    previous: { arn: OLD, networkMode: 'awsvpc', containerHealthChecks: false },
    forceNewDeployment: false,
    wait: true,
    timeoutMs: 10 * 60_000,
    rollbackOnFailure: true,
    ...overrides
  }
}

/** The production rule as DescribeRules answers it: weights for target groups A and B. */
function productionRule(a: number, b: number) {
  return {
    Rules: [
      {
        RuleArn: PRODUCTION_RULE,
        Actions: [
          {
            Type: 'forward' as const,
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: TG_A, Weight: a },
                { TargetGroupArn: TG_B, Weight: b }
              ]
            }
          }
        ]
      }
    ]
  }
}

/** The AWS side of starting the rollout: production on A (unless told), UpdateService answering with our deployment. */
function startsRollout(weights: [number, number] = [100, 0]) {
  elbMock.on(DescribeRulesCommand).resolves(productionRule(...weights))
  ecsMock.on(UpdateServiceCommand).resolves({
    service: {
      currentServiceDeployment: SD,
      deployments: [
        { id: OURS, status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/7777777777777777777', status: 'ACTIVE', taskDefinition: OLD }
      ]
    }
  })
}

const dep = (o: Partial<DeploymentView> = {}): DeploymentView => ({
  id: OURS,
  status: 'PRIMARY',
  taskDefinition: NEW,
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 0,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...o
})

/** Our deployment as ECS marks it FAILED while the service deployment still runs: we see it first. */
const seenFailing = (at: number): Observation => ({
  at,
  deployments: [dep({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })],
  tasks: [],
  targetGroups: [{ arn: TG_B, targets: [] }],
  serviceDeployment: { arn: SD, status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' }
})
const FAILED_REASON = `ECS marked deployment ${OURS} FAILED: tasks failed to start`

/** ECS has started rolling back by itself (a lifecycle hook failed). */
const ecsRollingBack = (at: number): Observation => ({
  at,
  deployments: [dep()],
  tasks: [],
  targetGroups: [{ arn: TG_B, targets: [] }],
  serviceDeployment: {
    arn: SD,
    status: 'ROLLBACK_IN_PROGRESS',
    statusReason: 'lifecycle hook PRE_SCALE_UP failed'
  }
})
const ECS_ROLLBACK_REASON = `ECS is rolling back deployment ${OURS} (ROLLBACK_IN_PROGRESS): lifecycle hook PRE_SCALE_UP failed`

/** One poll of the rollback: the service deployment's status, production weights, blue's targets. */
function rollbackPoll(
  blue: string,
  green: string,
  o: { status: string; onBlue: number; healthy: number; statusReason?: string }
) {
  const serviceDeployment: ServiceDeploymentView = {
    arn: SD,
    status: o.status,
    ...(o.statusReason !== undefined && { statusReason: o.statusReason })
  }
  return (at: number): Observation => ({
    at,
    deployments: [dep()],
    tasks: [],
    targetGroups: [
      {
        arn: blue,
        targets: [1, 2].map(n => ({
          id: `10.0.0.${n}`,
          port: 8000,
          state: n <= o.healthy ? 'healthy' : 'initial'
        }))
      }
    ],
    serviceDeployment,
    traffic: [
      {
        rule: 'production',
        weights: [
          { targetGroupArn: blue, weight: o.onBlue },
          { targetGroupArn: green, weight: 100 - o.onBlue }
        ]
      }
    ]
  })
}

/** A rollback that takes a few polls: traffic back on blue first, then blue healthy, then ECS done. */
const rollbackBackTo = (blue: string, green: string) =>
  sequence(
    rollbackPoll(blue, green, { status: 'ROLLBACK_IN_PROGRESS', onBlue: 0, healthy: 0 }),
    rollbackPoll(blue, green, { status: 'ROLLBACK_IN_PROGRESS', onBlue: 100, healthy: 1 }),
    rollbackPoll(blue, green, { status: 'ROLLBACK_SUCCESSFUL', onBlue: 100, healthy: 2 })
  )

/** Each poll the next observation; the last one repeats. */
function sequence(...polls: ((at: number) => Observation)[]) {
  let n = 0
  return (at: number) => (polls[Math.min(n++, polls.length - 1)] as (at: number) => Observation)(at)
}

/** Observers in the order the strategy asks for them: the deployment's first, the rollback's second. */
function scripted(...scripts: ((at: number) => Observation)[]) {
  const clock = fakeClock(1000)
  const targets: ObserveTarget[] = []
  const log: string[] = []
  const make = (target: ObserveTarget) => {
    const script = scripts[targets.length]
    targets.push(target)
    if (!script)
      throw new Error(`unexpected observer #${targets.length} of ${target.targetGroupArns.join(', ')}`)
    return { observe: async () => script(clock.now()) }
  }
  const deps: RolloutDeps = {
    ecs: new ECSClient({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    clock,
    log: line => log.push(line),
    makeObserver: make
  }
  return { deps, targets, log }
}

const rollOut = (deps: RolloutDeps, r: RolloutRequest) => carryOut(ecsNativeStrategy(deps, setup), r)

const stopCalls = () => ecsMock.commandCalls(StopServiceDeploymentCommand).map(c => c.args[0].input)

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name })

const HEALTHY_ON_A = 'production traffic 100% on web-a; web-a 2/2 healthy'

describe('ECS-native: ECS rolls back by itself', () => {
  it.each([true, false])(
    'follows ECS’s own rollback without a StopServiceDeployment (rollback-on-failure %s)',
    async rollbackOnFailure => {
      startsRollout()
      const s = scripted(ecsRollingBack, rollbackBackTo(TG_A, TG_B))
      const result = await rollOut(s.deps, request({ rollbackOnFailure }))

      expect(stopCalls()).toEqual([])
      expect(result).toMatchObject({
        status: 'rolled-back',
        deploymentId: OURS,
        taskDefinitionArn: OLD,
        rolledBack: true,
        reason: `deploy failed: ${ECS_ROLLBACK_REASON}; rolled back to ${OLD} (${HEALTHY_ON_A})`,
        rollback: { deploymentId: SD, byEcs: true, startedBy: 'ECS (its own rollback)' }
      })
      expect(result.rollback?.decision.kind).toBe('done')
      // The rollback is followed on blue (A), through the same service deployment.
      expect(s.targets.map(t => t.targetGroupArns)).toEqual([[TG_B], [TG_A]])
      expect(s.targets[1]).toMatchObject({
        serviceDeploymentArn: SD,
        listenerRules: { production: PRODUCTION_RULE, test: TEST_RULE }
      })
      expect(s.log).toContain(`ECS is already rolling back ${SD}: following its rollback`)
    }
  )
})

describe('ECS-native: ecs-ship sees the failure first', () => {
  it('stops the service deployment with ROLLBACK and follows the rollback back to blue', async () => {
    startsRollout()
    const s = scripted(seenFailing, rollbackBackTo(TG_A, TG_B))
    const result = await rollOut(s.deps, request())

    expect(stopCalls()).toEqual([{ serviceDeploymentArn: SD, stopType: 'ROLLBACK' }])
    expect(result).toMatchObject({
      status: 'rolled-back',
      taskDefinitionArn: OLD,
      rolledBack: true,
      reason: `deploy failed: ${FAILED_REASON}; rolled back to ${OLD} (${HEALTHY_ON_A})`,
      rollback: {
        deploymentId: SD,
        byEcs: false,
        startedBy: 'ecs-ship (StopServiceDeployment ROLLBACK)'
      }
    })
    expect(s.log).toContain(`rolling back: StopServiceDeployment ${SD} (ROLLBACK)`)
  })

  it.each(['ConflictException', 'InvalidParameterException'])(
    'takes %s from StopServiceDeployment for ECS’s own rollback, and follows that',
    async name => {
      startsRollout()
      ecsMock
        .on(StopServiceDeploymentCommand)
        .rejects(awsError(name, 'The service deployment is already rolling back.'))
      const s = scripted(seenFailing, rollbackBackTo(TG_A, TG_B))
      const result = await rollOut(s.deps, request())

      expect(stopCalls()).toEqual([{ serviceDeploymentArn: SD, stopType: 'ROLLBACK' }])
      expect(result).toMatchObject({
        status: 'rolled-back',
        taskDefinitionArn: OLD,
        rollback: { deploymentId: SD, byEcs: true, startedBy: 'ECS (its own rollback)' }
      })
      expect(s.log).toContain(`ECS had already started rolling back (${name}): following its rollback`)
    }
  )

  it('fails loudly, following nothing, when StopServiceDeployment fails otherwise', async () => {
    startsRollout()
    ecsMock.on(StopServiceDeploymentCommand).rejects(awsError('ServerException', 'Internal failure.'))
    const s = scripted(seenFailing)
    const result = await rollOut(s.deps, request())

    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: NEW,
      rolledBack: false,
      reason: `deploy failed: ${FAILED_REASON}; THE ROLLBACK TO ${OLD} FAILED TOO: ServerException: Internal failure.. The service needs attention now.`
    })
    expect(result.rollback).toBeUndefined()
    expect(s.targets).toHaveLength(1)
  })
})

describe('ECS-native: a rollback that ends badly', () => {
  it('says both reasons when ECS cannot roll back', async () => {
    startsRollout()
    const s = scripted(
      seenFailing,
      rollbackPoll(TG_A, TG_B, {
        status: 'ROLLBACK_FAILED',
        onBlue: 0,
        healthy: 0,
        statusReason: 'blue tasks failed to start'
      })
    )
    const result = await rollOut(s.deps, request())

    expect(result).toMatchObject({
      status: 'failed',
      rolledBack: false,
      reason: `deploy failed: ${FAILED_REASON}; THE ROLLBACK TO ${OLD} FAILED TOO: ECS could not roll back: blue tasks failed to start. The service needs attention now.`,
      rollback: { deploymentId: SD, byEcs: false, decision: { kind: 'failed' } }
    })
  })

  it('gives up at the timeout when production never comes back to blue, with the last state', async () => {
    startsRollout()
    const s = scripted(
      seenFailing,
      rollbackPoll(TG_A, TG_B, { status: 'ROLLBACK_IN_PROGRESS', onBlue: 0, healthy: 2 })
    )
    const result = await rollOut(s.deps, request())

    expect(result.status).toBe('failed')
    expect(result.rolledBack).toBe(false)
    expect(result.rollback?.decision).toMatchObject({ kind: 'failed', failure: { cause: 'timeout' } })
    expect(result.reason).toBe(
      `deploy failed: ${FAILED_REASON}; THE ROLLBACK TO ${OLD} FAILED TOO: timed out after 10 minutes waiting for the rollback; ` +
        `last state: rollback Kq3ZsP0tYd7wUb2m: ROLLBACK_IN_PROGRESS · production web-a 0% / web-b 100% · web-a 2/2 healthy. The service needs attention now.`
    )
    expect(result.rollbackDurationMs).toBe(10 * 60_000)
  })
})

describe('ECS-native: rollback-on-failure off', () => {
  it('neither stops nor follows anything when ECS is not rolling back', async () => {
    startsRollout()
    const s = scripted(seenFailing)
    const result = await rollOut(s.deps, request({ rollbackOnFailure: false }))

    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: NEW,
      rolledBack: false,
      reason: `deploy failed: ${FAILED_REASON} (rollback-on-failure is off)`
    })
    expect(result.reason).toMatch(/\(rollback-on-failure is off\)$/)
    expect(stopCalls()).toEqual([])
    expect(s.targets).toHaveLength(1)
  })
})

describe('ECS-native: green and blue from the production rule', () => {
  it.each([
    ['A serves production', [100, 0] as [number, number], TG_B, TG_A],
    ['B serves production', [0, 100] as [number, number], TG_A, TG_B],
    ['nobody serves yet: the service’s own group is blue', [0, 0] as [number, number], TG_B, TG_A]
  ])('%s: the deployment is gated on green, the rollback on blue', async (_case, weights, green, blue) => {
    const order: string[] = []
    elbMock.on(DescribeRulesCommand).callsFake(() => {
      order.push('DescribeRules')
      return productionRule(...weights)
    })
    ecsMock.on(UpdateServiceCommand).callsFake(() => {
      order.push('UpdateService')
      return {
        service: {
          currentServiceDeployment: SD,
          deployments: [{ id: OURS, status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }]
        }
      }
    })
    const s = scripted(seenFailing, rollbackBackTo(blue, green))
    const result = await rollOut(s.deps, request())

    // Read before UpdateService moves anything.
    expect(order).toEqual(['DescribeRules', 'UpdateService'])
    expect(elbMock.commandCalls(DescribeRulesCommand)[0]?.args[0].input).toEqual({
      RuleArns: [PRODUCTION_RULE]
    })
    expect(s.targets.map(t => t.targetGroupArns)).toEqual([[green], [blue]])
    expect(result.status).toBe('rolled-back')
    const name = blue === TG_A ? 'web-a' : 'web-b'
    expect(result.reason).toContain(`(production traffic 100% on ${name}; ${name} 2/2 healthy)`)
  })
})

describe('ECS-native: a deployment that waits at a pause hook', () => {
  /** Paused at POST_TEST_TRAFFIC_SHIFT with green (B) healthy, the hook awaiting action. */
  const paused = (at: number): Observation => ({
    at,
    deployments: [dep({ runningCount: 2 })],
    tasks: [1, 2].map(n => ({
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/${n}`,
      startedBy: OURS,
      taskDefinitionArn: NEW,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containers: [],
      privateIp: `10.0.0.${n}`,
      bindings: []
    })),
    targetGroups: [
      {
        arn: TG_B,
        targets: [1, 2].map(n => ({ id: `10.0.0.${n}`, port: 8000, state: 'healthy' }))
      }
    ],
    serviceDeployment: {
      arn: SD,
      status: 'IN_PROGRESS',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      hooks: [
        {
          hookId: 'ecs-pause-1',
          targetType: 'PAUSE',
          status: 'AWAITING_ACTION',
          expiresAt: Date.parse('2026-12-05T06:30:00Z'),
          timeoutAction: 'ROLLBACK'
        }
      ]
    }
  })

  it('is not rolled back when the watch runs out of time while it waits: someone else decides', async () => {
    startsRollout()
    const s = scripted(paused)
    const result = await rollOut(s.deps, request({ timeoutMs: 60_000 }))

    expect(stopCalls()).toEqual([])
    expect(result.status).toBe('failed')
    expect(result.reason).toMatch(
      /while it was paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until 2026-12-05 06:30:00 UTC/
    )
    expect(result.reason).toMatch(
      /not rolled back: it still waits for approval\. Run mode: promote or mode: abort/
    )
    expect(s.log.some(line => line.includes('· paused at POST_TEST_TRAFFIC_SHIFT'))).toBe(true)
  })

  it('under wait-until ready, ends at the pause with green healthy and hands the waiting deployment on', async () => {
    startsRollout()
    const s = scripted(paused)
    const result = await carryOut(ecsNativeStrategy(s.deps, setup, 'ready'), request())

    expect(result.status).toBe('succeeded')
    expect(result.waiting).toMatchObject({
      deploymentId: SD,
      hookId: 'ecs-pause-1',
      stage: 'POST_TEST_TRAFFIC_SHIFT',
      atExpiry: 'ROLLBACK',
      taskDefinitionArn: NEW,
      previousTaskDefinitionArn: OLD
    })
    expect(stopCalls()).toEqual([])
  })
})
