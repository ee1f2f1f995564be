import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
  type Deployment,
  type DeploymentRolloutState
} from '@aws-sdk/client-ecs'
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { carryOut } from '../../../src/rollout/conclude.js'
import type { RolloutDeps, RolloutRequest } from '../../../src/rollout/contract.js'
import { inFlightDeployment } from '../../../src/service/deployment.js'
import { rollingStrategy } from '../../../src/strategies/rolling/index.js'
import { LostTrackError } from '../../../src/errors.js'
import type { ObserveTarget } from '../../../src/watch/observe.js'
import type { DeploymentView, Observation, TaskView } from '../../../src/watch/observation.js'
import { planFromService } from '../../../src/service/plan.js'
import { fakeClock } from '../../../src/util/clock.js'
import { fixtureJson } from '../../../__fixtures__/load.js'

/** A rolling rollout, start to verdict, the way the rollout phase carries one out. */
const rollOut = (deps: RolloutDeps, request: RolloutRequest) => carryOut(rollingStrategy(deps), request)

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef'
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'

const ecsMock = mockClient(ECSClient)
afterEach(() => ecsMock.reset())

const plan = planFromService(
  'demo',
  fixtureJson<{ services: object[] }>('services/web-rolling.json').services[0] as never
)

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

const dep = (id: string, taskDefinition: string, o: Partial<DeploymentView> = {}): DeploymentView => ({
  id,
  status: 'PRIMARY',
  taskDefinition,
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  failedTasks: 0,
  rolloutState: 'COMPLETED',
  ...o
})

/** The SDK's Deployment has an enum rolloutState; our view keeps it a string. */
const sdk = (deployments: DeploymentView[]) => deployments as Deployment[]

const task = (
  n: number,
  startedBy: string,
  taskDefinitionArn: string,
  o: Partial<TaskView> = {}
): TaskView => ({
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/t${n}`,
  startedBy,
  taskDefinitionArn,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  containers: [{ name: 'web' }],
  privateIp: `10.0.0.${n}`,
  bindings: [],
  ...o
})

const healthyObservation = (at: number, id: string, td: string, first: number): Observation => ({
  at,
  deployments: [dep(id, td)],
  tasks: [task(first, id, td), task(first + 1, id, td)],
  targetGroups: [
    { arn: TG, targets: [first, first + 1].map(n => ({ id: `10.0.0.${n}`, port: 8000, state: 'healthy' })) }
  ]
})

const crashed = (n: number, id: string): TaskView =>
  task(n, id, NEW, {
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'web', exitCode: 3, reason: 'ImproperlyConfigured' }]
  })

/** An observer per watched deployment, each replaying its own script of observations. */
function scripted(scripts: Record<string, (at: number) => Observation>) {
  const watched: string[] = []
  const make = (target: ObserveTarget) => {
    watched.push(target.deploymentId)
    return { observe: async () => (scripts[target.deploymentId] as (at: number) => Observation)(clock.now()) }
  }
  const clock = fakeClock(1000)
  return { clock, make, watched }
}

function deps(s: ReturnType<typeof scripted>, log: string[] = []) {
  return {
    ecs: new ECSClient({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    clock: s.clock,
    log: (line: string) => log.push(line),
    makeObserver: s.make
  }
}

describe('rollOut', () => {
  it('updates the service (keeping its count) and succeeds when the new tasks are healthy', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        deployments: sdk([
          dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' }),
          dep('ecs-svc/old', OLD, { status: 'ACTIVE' })
        ])
      }
    })
    const s = scripted({ 'ecs-svc/new': at => healthyObservation(at, 'ecs-svc/new', NEW, 1) })
    const result = await rollOut(deps(s), request())
    expect(result).toMatchObject({
      status: 'succeeded',
      deploymentId: 'ecs-svc/new',
      taskDefinitionArn: NEW,
      rolledBack: false
    })
    const update = ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input
    expect(update).toEqual({ cluster: 'demo', service: 'web', taskDefinition: NEW })
  })

  it('passes desired-count and force-new-deployment only when given', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW)]) } })
    const s = scripted({ 'ecs-svc/new': at => healthyObservation(at, 'ecs-svc/new', NEW, 1) })
    await rollOut(deps(s), request({ desiredCount: 0, forceNewDeployment: true, wait: false }))
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'demo',
      service: 'web',
      taskDefinition: NEW,
      desiredCount: 0,
      forceNewDeployment: true
    })
    expect(s.watched).toEqual([])
  })

  it('rolls a crashing revision back to the previous one and watches the rollback to healthy', async () => {
    ecsMock
      .on(UpdateServiceCommand, { taskDefinition: NEW })
      .resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) } })
      .on(UpdateServiceCommand, { taskDefinition: OLD })
      .resolves({
        service: { deployments: sdk([dep('ecs-svc/back', OLD, { rolloutState: 'IN_PROGRESS' })]) }
      })
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) }]
    })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS', runningCount: 0 })],
        tasks: [crashed(1, 'ecs-svc/new'), crashed(2, 'ecs-svc/new')],
        targetGroups: [{ arn: TG, targets: [] }]
      }),
      'ecs-svc/back': at => healthyObservation(at, 'ecs-svc/back', OLD, 5)
    })
    const log: string[] = []
    const result = await rollOut(deps(s, log), request())
    expect(result.status).toBe('rolled-back')
    expect(result.rolledBack).toBe(true)
    expect(result.taskDefinitionArn).toBe(OLD)
    expect(result.reason).toBe(
      `deploy failed: 2 new tasks failed: task t1 stopped (EssentialContainerExited): Essential container in task exited; web exited 3: ImproperlyConfigured; rolled back to ${OLD} (healthy)`
    )
    expect(s.watched).toEqual(['ecs-svc/new', 'ecs-svc/back'])
    expect(result.rollback).toMatchObject({ deploymentId: 'ecs-svc/back', byEcs: false })
    expect(log).toContain(
      '  task t2 stopped (EssentialContainerExited): Essential container in task exited; web exited 3: ImproperlyConfigured'
    )
  })

  it('follows the circuit breaker’s own rollback instead of starting a second one', async () => {
    ecsMock
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) } })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [
          dep('ecs-svc/cb', OLD, { rolloutState: 'IN_PROGRESS' }),
          dep('ecs-svc/new', NEW, {
            status: 'ACTIVE',
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
          })
        ],
        tasks: [],
        targetGroups: [{ arn: TG, targets: [] }]
      }),
      'ecs-svc/cb': at => healthyObservation(at, 'ecs-svc/cb', OLD, 5)
    })
    const result = await rollOut(deps(s), request())
    expect(result.status).toBe('rolled-back')
    expect(result.reason).toContain(
      'was replaced by deployment ecs-svc/cb (web:7): ECS deployment circuit breaker: tasks failed to start.; rolled back to'
    )
    expect(result.rollback).toMatchObject({ deploymentId: 'ecs-svc/cb', byEcs: true })
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
  })

  it('does not undo somebody else’s deploy that replaced ours', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW)]) } })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [
          dep('ecs-svc/theirs', 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:9'),
          dep('ecs-svc/new', NEW, { status: 'ACTIVE', rolloutState: 'IN_PROGRESS' })
        ],
        tasks: [],
        targetGroups: []
      })
    })
    const result = await rollOut(deps(s), request())
    expect(result.status).toBe('failed')
    expect(result.reason).toContain('not rolling back, because deployment ecs-svc/theirs runs web:9')
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
  })

  it('says loudly when the rollback fails too, with both reasons', async () => {
    ecsMock
      .on(UpdateServiceCommand, { taskDefinition: NEW })
      .resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW)]) } })
      .on(UpdateServiceCommand, { taskDefinition: OLD })
      .resolves({ service: { deployments: sdk([dep('ecs-svc/back', OLD)]) } })
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [{ deployments: sdk([dep('ecs-svc/new', NEW)]) }] })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [
          dep('ecs-svc/new', NEW, { rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })
        ],
        tasks: [],
        targetGroups: []
      }),
      'ecs-svc/back': at => ({
        at,
        deployments: [
          dep('ecs-svc/back', OLD, { rolloutState: 'FAILED', rolloutStateReason: 'old image gone' })
        ],
        tasks: [],
        targetGroups: []
      })
    })
    const result = await rollOut(deps(s), request())
    expect(result.status).toBe('failed')
    expect(result.rolledBack).toBe(false)
    expect(result.reason).toBe(
      `deploy failed: ECS marked deployment ecs-svc/new FAILED: tasks failed to start; THE ROLLBACK TO ${OLD} FAILED TOO: ECS marked rollback ecs-svc/back FAILED: old image gone. The service needs attention now.`
    )
  })

  it('fails without touching the service again when rollback-on-failure is off', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW)]) } })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [dep('ecs-svc/new', NEW, { rolloutState: 'FAILED' })],
        tasks: [],
        targetGroups: []
      })
    })
    const result = await rollOut(deps(s), request({ rollbackOnFailure: false }))
    expect(result).toMatchObject({ status: 'failed', rolledBack: false })
    expect(result.reason).toContain('(rollback-on-failure is off)')
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0)
  })
})

describe('rollOut when the rollback itself cannot be started', () => {
  it('keeps the deploy’s reason and adds the rollback’s', async () => {
    ecsMock
      .on(UpdateServiceCommand, { taskDefinition: NEW })
      .resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW)]) } })
      .on(UpdateServiceCommand, { taskDefinition: OLD })
      .rejects(
        Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredTokenException'
        })
      )
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [{ deployments: sdk([dep('ecs-svc/new', NEW)]) }] })
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [dep('ecs-svc/new', NEW, { rolloutState: 'FAILED', rolloutStateReason: 'boom' })],
        tasks: [],
        targetGroups: []
      })
    })
    const result = await rollOut(deps(s), request())
    expect(result.status).toBe('failed')
    expect(result.reason).toMatch(
      /^deploy failed: ECS marked deployment ecs-svc\/new FAILED: boom; THE ROLLBACK TO .*web:7 FAILED TOO: the AWS credentials have expired \(ExpiredTokenException\)/
    )
  })
})

describe('inFlightDeployment', () => {
  const dep = (status: string, rolloutState: DeploymentRolloutState, id = 'ecs-svc/1'): Deployment => ({
    id,
    status,
    rolloutState,
    taskDefinition: `arn:td/web:${id.slice(-1)}`
  })
  it.each([
    ['settled: one COMPLETED deployment', [dep('PRIMARY', 'COMPLETED')], undefined],
    [
      'a rollout under way',
      [dep('PRIMARY', 'IN_PROGRESS', 'ecs-svc/2'), dep('ACTIVE', 'COMPLETED')],
      'ecs-svc/2'
    ],
    [
      'old tasks still draining after completion',
      [dep('PRIMARY', 'COMPLETED', 'ecs-svc/2'), dep('ACTIVE', 'COMPLETED')],
      'ecs-svc/2'
    ],
    ['a lone deployment still in progress', [dep('PRIMARY', 'IN_PROGRESS', 'ecs-svc/3')], 'ecs-svc/3'],
    ['no deployments', [], undefined]
  ])('%s', (_name, deployments, expected) => {
    expect(inFlightDeployment({ deployments })?.id).toBe(expected)
  })
})

describe('keepTrack', () => {
  it('turns credentials that expire mid-watch into an error that names the started deployment', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) }
    })
    const expired = Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredTokenException'
    })
    const s = scripted({
      'ecs-svc/new': () => {
        throw expired
      }
    })
    const failure = await rollOut(deps(s), request()).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LostTrackError)
    expect((failure as LostTrackError).deploymentId).toBe('ecs-svc/new')
    expect((failure as LostTrackError).message).toMatch(
      /^stopped following deployment ecs-svc\/new of web:8: the AWS credentials have expired .*\. ECS carries on with it, and nothing was rolled back\. .*mode: rollback to put .*web:7 back\.$/
    )
    // Nothing was rolled back: only our own UpdateService was made.
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
  })
})

describe('rollback timing', () => {
  it('says how long the rollback took, from the failure verdict to its own', async () => {
    ecsMock
      .on(UpdateServiceCommand, { taskDefinition: NEW })
      .resolves({ service: { deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) } })
      .on(UpdateServiceCommand, { taskDefinition: OLD })
      .resolves({
        service: { deployments: sdk([dep('ecs-svc/back', OLD, { rolloutState: 'IN_PROGRESS' })]) }
      })
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ deployments: sdk([dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS' })]) }]
    })
    let backSince: number | undefined
    const s = scripted({
      'ecs-svc/new': at => ({
        at,
        deployments: [dep('ecs-svc/new', NEW, { rolloutState: 'IN_PROGRESS', runningCount: 0 })],
        tasks: [crashed(1, 'ecs-svc/new'), crashed(2, 'ecs-svc/new')],
        targetGroups: [{ arn: TG, targets: [] }]
      }),
      // The rollback's tasks turn healthy 30 s after it started.
      'ecs-svc/back': at => {
        backSince ??= at
        const o = healthyObservation(at, 'ecs-svc/back', OLD, 5)
        return at - backSince < 30_000
          ? { ...o, deployments: [dep('ecs-svc/back', OLD, { rolloutState: 'IN_PROGRESS' })] }
          : o
      }
    })
    const result = await rollOut(deps(s), request())
    expect(result.status).toBe('rolled-back')
    expect(result.rollbackDurationMs).toBeGreaterThanOrEqual(30_000)
  })
})
