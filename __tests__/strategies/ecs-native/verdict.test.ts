import type { Service } from '@aws-sdk/client-ecs'
import { decide, DEFAULT_FAILURE_THRESHOLD, describeBakeLeft } from '../../../src/watch/verdict.js'
import {
  blueOf,
  chooseGreen,
  decideNativeRollback,
  decideSettled,
  nativeSetup
} from '../../../src/strategies/ecs-native/verdict.js'
import type { Observation, TrafficView, WatchContext } from '../../../src/watch/observation.js'

const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123'
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/4567'
const PROD_RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/demo-alb/1/2/prod'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const OURS = 'ecs-svc/222'
const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/222'

const service: Service = {
  serviceName: 'web',
  deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 },
  loadBalancers: [
    {
      targetGroupArn: BLUE,
      containerName: 'web',
      containerPort: 8000,
      advancedConfiguration: {
        alternateTargetGroupArn: GREEN,
        productionListenerRule: PROD_RULE,
        roleArn: 'arn:aws:iam::123456789012:role/ecs-bg'
      }
    }
  ]
}

describe('nativeSetup', () => {
  it('reads the target group pair, the production rule and the bake time', () => {
    const setup = nativeSetup(service)
    expect(setup.loadBalancers).toEqual([
      {
        containerName: 'web',
        containerPort: 8000,
        targetGroupArns: [BLUE, GREEN],
        productionListenerRule: PROD_RULE
      }
    ])
    expect(setup.bakeTimeMs).toBe(120_000)
    expect(setup.strategy).toBe('BLUE_GREEN')
  })

  it('refuses a blue/green service without an alternate target group, naming the service', () => {
    expect(() =>
      nativeSetup({
        ...service,
        loadBalancers: [{ targetGroupArn: BLUE, containerName: 'web', containerPort: 8000 }]
      })
    ).toThrow(/service web uses the ECS-native BLUE_GREEN strategy but none of its load balancers/)
  })
})

describe('chooseGreen', () => {
  const [lb] = nativeSetup(service).loadBalancers
  const weights = (blue: number, green: number): TrafficView['weights'] => [
    { targetGroupArn: BLUE, weight: blue },
    { targetGroupArn: GREEN, weight: green }
  ]
  it('makes green the target group without production traffic; they take turns', () => {
    expect(chooseGreen(lb!, weights(100, 0)).targetGroupArn).toBe(GREEN)
    expect(chooseGreen(lb!, weights(0, 100)).targetGroupArn).toBe(BLUE)
    expect(blueOf(lb!, GREEN)).toBe(BLUE)
    expect(blueOf(lb!, BLUE)).toBe(GREEN)
  })
  it('takes the alternate as green when nothing serves yet', () => {
    expect(chooseGreen(lb!, []).targetGroupArn).toBe(GREEN)
  })
})

const context: WatchContext = {
  label: 'deployment',
  deploymentId: OURS,
  taskDefinitionArn: NEW,
  startedAt: 0,
  timeoutMs: 30 * 60_000,
  loadBalancers: [{ targetGroupArn: GREEN, containerName: 'web', containerPort: 8000 }],
  networkMode: 'awsvpc',
  healthCheckGracePeriodMs: 0,
  containerHealthChecks: false,
  failureThreshold: DEFAULT_FAILURE_THRESHOLD,
  bakeTimeMs: 120_000
}

function observation(
  status: string,
  stage: string | undefined,
  overrides: Partial<Observation> = {}
): Observation {
  return {
    at: 100_000,
    deployments: [
      {
        id: OURS,
        status: 'PRIMARY',
        taskDefinition: NEW,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: status === 'SUCCESSFUL' ? 'COMPLETED' : 'IN_PROGRESS'
      }
    ],
    tasks: [1, 2].map(n => ({
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/t${n}`,
      startedBy: OURS,
      taskDefinitionArn: NEW,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      startedAt: 0,
      containers: [{ name: 'web' }],
      privateIp: `10.0.0.${n}`,
      bindings: []
    })),
    targetGroups: [
      {
        arn: GREEN,
        targets: [1, 2].map(n => ({ id: `10.0.0.${n}`, port: 8000, state: 'healthy' }))
      }
    ],
    serviceDeployment: {
      arn: SD,
      status,
      ...(stage !== undefined && { lifecycleStage: stage }),
      stageSince: 40_000
    },
    traffic: [
      {
        rule: 'production',
        weights: [
          { targetGroupArn: BLUE, weight: 0 },
          { targetGroupArn: GREEN, weight: 100 }
        ]
      }
    ],
    ...overrides
  }
}

describe('decide, ECS-native', () => {
  it('waits out the bake time and says how long is left, with the stage and split in the progress line', () => {
    const decision = decide(observation('IN_PROGRESS', 'BAKE_TIME'), context)
    expect(decision.kind).toBe('wait')
    expect(decision.reason).toBe('ECS to finish the bake time (about 60 s left)')
    expect(decision.progress.line).toContain('stage BAKE_TIME (under a minute of bake time left)')
    expect(describeBakeLeft(4 * 60_000 + 1)).toBe('about 5 min of bake time left')
    expect(decision.progress.line).toContain('production web-tg 0% / web-tg-green 100%')
  })

  it('is done only when the service deployment is SUCCESSFUL and green is healthy', () => {
    expect(decide(observation('SUCCESSFUL', 'CLEAN_UP'), context).kind).toBe('done')
    const unhealthy = observation('SUCCESSFUL', 'CLEAN_UP', {
      targetGroups: [{ arn: GREEN, targets: [{ id: '10.0.0.1', port: 8000, state: 'healthy' }] }]
    })
    expect(decide(unhealthy, context).kind).toBe('wait')
  })

  it('reports a rollback ECS started itself, with its reason', () => {
    const decision = decide(
      observation('ROLLBACK_IN_PROGRESS', 'PRODUCTION_TRAFFIC_SHIFT', {
        serviceDeployment: { arn: SD, status: 'ROLLBACK_IN_PROGRESS', statusReason: 'lifecycle hook failed' }
      }),
      context
    )
    expect(decision.kind).toBe('failed')
    if (decision.kind !== 'failed') return
    expect(decision.failure.cause).toBe('ecs-rollback')
    expect(decision.reason).toContain('lifecycle hook failed')
  })
})

describe('decideNativeRollback', () => {
  const rollback = {
    serviceDeploymentArn: SD,
    blueTargetGroupArns: [BLUE],
    desiredCount: 2,
    startedAt: 0,
    timeoutMs: 60_000
  }
  const blueBack = (status: string, blueWeight: number, healthy: number): Observation =>
    observation(status, undefined, {
      targetGroups: [
        {
          arn: BLUE,
          targets: [1, 2].map(n => ({
            id: `10.0.1.${n}`,
            port: 8000,
            state: n <= healthy ? 'healthy' : 'initial'
          }))
        }
      ],
      traffic: [
        {
          rule: 'production',
          weights: [
            { targetGroupArn: BLUE, weight: blueWeight },
            { targetGroupArn: GREEN, weight: 100 - blueWeight }
          ]
        }
      ],
      at: 10_000
    })

  it('is done when ECS says so, production is all on blue, and blue is healthy', () => {
    expect(decideNativeRollback(blueBack('ROLLBACK_SUCCESSFUL', 100, 2), rollback).kind).toBe('done')
    expect(decideNativeRollback(blueBack('ROLLBACK_IN_PROGRESS', 100, 2), rollback).kind).toBe('wait')
    expect(decideNativeRollback(blueBack('ROLLBACK_SUCCESSFUL', 50, 2), rollback).reason).toBe(
      'production traffic to return to blue'
    )
    expect(decideNativeRollback(blueBack('ROLLBACK_SUCCESSFUL', 100, 1), rollback).reason).toBe(
      'blue targets to be healthy'
    )
  })

  it('fails at once on ROLLBACK_FAILED, and at the timeout otherwise', () => {
    expect(decideNativeRollback(blueBack('ROLLBACK_FAILED', 0, 0), rollback).kind).toBe('failed')
    const late = { ...blueBack('ROLLBACK_IN_PROGRESS', 0, 0), at: 60_000 }
    expect(decideNativeRollback(late, rollback).reason).toMatch(/^timed out after 1 minute/)
  })
})

describe('decideSettled', () => {
  const context = { startedAt: 0, timeoutMs: 60_000 }
  const at = (status: string, time = 1000) => ({ at: time, serviceDeployment: { arn: SD, status } })
  it('waits while the deployment or its rollback runs, and is done when ECS ends it either way', () => {
    expect(decideSettled(at('IN_PROGRESS'), context).kind).toBe('wait')
    expect(decideSettled(at('ROLLBACK_IN_PROGRESS'), context).kind).toBe('wait')
    for (const end of ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'])
      expect(decideSettled(at(end), context)).toMatchObject({ kind: 'done', reason: `it ended ${end}` })
    expect(decideSettled(at('IN_PROGRESS', 60_000), context).kind).toBe('failed')
  })
})
