// The recovery branches of a CodeDeploy blue/green rollout, driven through carryOut the way the
// rollout phase drives them: the group's own rollback followed, ours started with StopDeployment,
// the race when the deployment finished first, and the previous revision deployed again when
// production had moved. CodeDeploy, ELB and ECS answer from mocked clients, scripted per
// deployment and poll, the way observe.ts calls them; the clock is fake, so nothing waits.
import { createHash } from 'node:crypto'
import { mockClient } from 'aws-sdk-client-mock'
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type ECSTaskSet,
  type LifecycleEvent
} from '@aws-sdk/client-codedeploy'
import { ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs'
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { carryOut } from '../../../src/rollout/conclude.js'
import type { RolloutDeps, RolloutRequest } from '../../../src/rollout/contract.js'
import { planFromService } from '../../../src/service/plan.js'
import type { AppSpec } from '../../../src/strategies/codedeploy/appspec.js'
import { codeDeployStrategy } from '../../../src/strategies/codedeploy/index.js'
import type { CodeDeploySetup } from '../../../src/strategies/codedeploy/setup.js'
import { fakeClock } from '../../../src/util/clock.js'

const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const TG_BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef'
const TG_GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/fedcba9876543210'
const DEPLOY = 'd-DEPLOY0001'
const CD_ROLLBACK = 'd-ROLLBACK01'
const REDEPLOY = 'd-REDEPLOY01'

const service: Service = {
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web',
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  taskDefinition: OLD,
  deploymentController: { type: 'CODE_DEPLOY' },
  loadBalancers: [{ targetGroupArn: TG_BLUE, containerName: 'web', containerPort: 8000 }]
}
const plan = planFromService('demo', service)

/** The user's AppSpec file, with a hook: a rollback must run without it. */
const APPSPEC: AppSpec = {
  version: 0.0,
  Resources: [
    {
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: '<set by ecs-ship>',
          LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8000 }
        }
      }
    }
  ],
  Hooks: [{ AfterAllowTraffic: 'after-traffic-check' }]
}

function setup(overrides: Partial<CodeDeploySetup> = {}): CodeDeploySetup {
  return {
    application: 'AppECS-demo-web',
    deploymentGroup: 'DgpECS-demo-web',
    deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
    appspec: APPSPEC,
    waitUntil: 'succeeded',
    autoRollback: false,
    blueTargetGroupArn: TG_BLUE,
    greenTargetGroupArn: TG_GREEN,
    ...overrides
  }
}

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

/** What GetDeployment and GetDeploymentTarget say about one deployment on one poll. */
interface Poll {
  readonly status: DeploymentInfo['status']
  readonly rollbackId?: string
  readonly error?: DeploymentInfo['errorInformation']
  readonly events?: LifecycleEvent[]
  /** Production traffic on Blue (the original task set); Green gets the rest. */
  readonly onBlue: number
}
/** A deployment's script: its n-th GetDeployment (1-based) answers this. */
type Script = (n: number) => Poll

const cdMock = mockClient(CodeDeployClient)
const ecsMock = mockClient(ECSClient)
const elbMock = mockClient(ElasticLoadBalancingV2Client)
afterEach(() => {
  cdMock.reset()
  ecsMock.reset()
  elbMock.reset()
})

const taskSet = (label: 'Blue' | 'Green', trafficWeight: number): ECSTaskSet => ({
  identifer: `ecs-svc/${label === 'Blue' ? '1111' : '2222'}`,
  taskSetLabel: label,
  status: label === 'Blue' ? 'PRIMARY' : 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  trafficWeight,
  targetGroup: { name: label === 'Blue' ? 'web-tg' : 'web-tg-green' }
})

const targets = (state: string, reason?: string): TargetHealthDescription[] =>
  [1, 2].map(n => ({
    Target: { Id: `10.0.1.${n}`, Port: 8000 },
    TargetHealth: {
      State: state as 'healthy',
      ...(reason !== undefined && { Reason: reason as 'Elb.InitialHealthChecking' })
    }
  }))

/**
 * Scripts the AWS side: CreateDeployment names DEPLOY (the rollout) or REDEPLOY (a rollback by a
 * new deployment); each deployment answers its script, poll by poll; the target groups answer
 * their health. `calls` counts the GetDeployment calls per deployment.
 */
function world(scripts: Record<string, Script>, health: Record<string, TargetHealthDescription[]>) {
  const calls = new Map<string, number>()
  const current = (id: string): Poll => {
    const script = scripts[id]
    if (!script) throw new Error(`no script for deployment ${id}`)
    return script(Math.max(1, calls.get(id) ?? 0))
  }
  cdMock.on(CreateDeploymentCommand).callsFake(input => ({
    deploymentId: (input as { description?: string }).description?.startsWith('ecs-ship rollback')
      ? REDEPLOY
      : DEPLOY
  }))
  cdMock.on(GetDeploymentCommand).callsFake(input => {
    const id = (input as { deploymentId: string }).deploymentId
    calls.set(id, (calls.get(id) ?? 0) + 1)
    const poll = current(id)
    return {
      deploymentInfo: {
        deploymentId: id,
        status: poll.status,
        ...(poll.error && { errorInformation: poll.error }),
        ...(poll.rollbackId !== undefined && { rollbackInfo: { rollbackDeploymentId: poll.rollbackId } })
      }
    }
  })
  cdMock.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['demo:web'] })
  cdMock.on(GetDeploymentTargetCommand).callsFake(input => {
    const id = (input as { deploymentId: string }).deploymentId
    const poll = current(id)
    return {
      deploymentTarget: {
        deploymentTargetType: 'ECSTarget',
        ecsTarget: {
          deploymentId: id,
          targetId: 'demo:web',
          lifecycleEvents: poll.events ?? [],
          taskSetsInfo: [taskSet('Blue', poll.onBlue), taskSet('Green', 100 - poll.onBlue)]
        }
      }
    }
  })
  elbMock.on(DescribeTargetHealthCommand).callsFake(input => ({
    TargetHealthDescriptions: health[(input as { TargetGroupArn: string }).TargetGroupArn] ?? []
  }))
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  return { calls }
}

function deps() {
  const log: string[] = []
  const clock = fakeClock(1000)
  const d: RolloutDeps & { codedeploy: CodeDeployClient } = {
    ecs: new ECSClient({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    codedeploy: new CodeDeployClient({ region: 'us-east-1' }),
    clock,
    backoff: { minMs: 1, maxMs: 5, factor: 1.5 },
    log: line => log.push(line)
  }
  return { deps: d, log }
}

const rollOut = (d: ReturnType<typeof deps>, s: CodeDeploySetup, r: RolloutRequest) =>
  carryOut(codeDeployStrategy(d.deps, s), r)

const stopCalls = () => cdMock.commandCalls(StopDeploymentCommand).map(c => c.args[0].input)
const createCalls = () => cdMock.commandCalls(CreateDeploymentCommand).map(c => c.args[0].input)

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name })

/** The replacement's targets fail their health checks while CodeDeploy still runs: we see it first. */
const UNHEALTHY_REASON =
  'replacement tasks fail their load balancer health checks: target 10.0.1.1 is unhealthy in web-tg-green (Target.ResponseCodeMismatch)'
const running: Poll = { status: 'InProgress', onBlue: 100 }

/** A hook after the reroute failed: the deployment ended Failed, production on the new revision. */
const afterTrafficFailed: Poll = {
  status: 'Failed',
  onBlue: 0,
  error: { code: 'HOOK_EXECUTION_FAILURE', message: 'The AfterAllowTraffic hook failed.' },
  events: [
    { lifecycleEventName: 'AllowTraffic', status: 'Succeeded' },
    {
      lifecycleEventName: 'AfterAllowTraffic',
      status: 'Failed',
      diagnostics: { errorCode: 'ScriptFailed', scriptName: 'after-traffic-check', message: 'HTTP 503' }
    }
  ]
}
const AFTER_TRAFFIC_REASON = `CodeDeploy deployment ${DEPLOY} Failed: HOOK_EXECUTION_FAILURE: The AfterAllowTraffic hook failed.; lifecycle event AfterAllowTraffic Failed (ScriptFailed: hook after-traffic-check: HTTP 503)`

/** CodeDeploy's rollback (or our redeploy) putting the previous revision on production, then done. */
const rollbackToBlue: Script = n =>
  n < 2 ? { status: 'InProgress', onBlue: 0 } : { status: 'Succeeded', onBlue: 100 }

const healthy = {
  [TG_GREEN]: targets('unhealthy', 'Target.ResponseCodeMismatch'),
  [TG_BLUE]: targets('healthy')
}

describe('CodeDeploy: the deployment group rolls back by itself', () => {
  it.each([true, false])(
    'follows the rollback named in the last poll, asking nothing more (rollback-on-failure %s)',
    async rollbackOnFailure => {
      const { calls } = world(
        {
          [DEPLOY]: n =>
            n < 2
              ? running
              : {
                  status: 'Failed',
                  onBlue: 100,
                  rollbackId: CD_ROLLBACK,
                  error: { code: 'HOOK_EXECUTION_FAILURE', message: 'A hook failed.' }
                },
          [CD_ROLLBACK]: rollbackToBlue
        },
        { [TG_GREEN]: [], [TG_BLUE]: targets('healthy') }
      )
      const d = deps()
      const result = await rollOut(d, setup({ autoRollback: true }), request({ rollbackOnFailure }))

      expect(result).toMatchObject({
        status: 'rolled-back',
        deploymentId: DEPLOY,
        taskDefinitionArn: OLD,
        rolledBack: true,
        reason: `deploy failed: CodeDeploy deployment ${DEPLOY} Failed: HOOK_EXECUTION_FAILURE: A hook failed.; rolled back to ${OLD} (CodeDeploy rollback ${CD_ROLLBACK} Succeeded; web-tg 2/2 healthy)`,
        rollback: {
          deploymentId: CD_ROLLBACK,
          byEcs: false,
          startedBy: 'CodeDeploy (the deployment group rolls back by itself)'
        }
      })
      expect(stopCalls()).toEqual([])
      expect(createCalls()).toHaveLength(1)
      // Two polls of ours, none to look its rollback up: the last poll named it.
      expect(calls.get(DEPLOY)).toBe(2)
      expect(d.log).toContain(`following rollback deployment ${CD_ROLLBACK}`)
    }
  )

  it('does not StopDeployment on top of a group that rolls back a failed lifecycle event', async () => {
    world(
      {
        // The hook failed; CodeDeploy marks the deployment Failed and names its rollback a moment later.
        [DEPLOY]: n =>
          n < 3
            ? {
                status: 'InProgress',
                onBlue: 100,
                events: [
                  {
                    lifecycleEventName: 'AfterAllowTestTraffic',
                    status: 'Failed',
                    diagnostics: {
                      errorCode: 'ScriptFailed',
                      scriptName: 'smoke-test',
                      message: 'smoke test got HTTP 500',
                      logTail: 'GET /health\n500 Internal Server Error\n'
                    }
                  }
                ]
              }
            : { status: 'Failed', onBlue: 100, rollbackId: CD_ROLLBACK },
        [CD_ROLLBACK]: rollbackToBlue
      },
      { [TG_GREEN]: targets('healthy'), [TG_BLUE]: targets('healthy') }
    )
    const d = deps()
    const result = await rollOut(d, setup({ autoRollback: true }), request())

    expect(stopCalls()).toEqual([])
    expect(result).toMatchObject({
      status: 'rolled-back',
      taskDefinitionArn: OLD,
      reason: `deploy failed: lifecycle event AfterAllowTestTraffic Failed (ScriptFailed: hook smoke-test: smoke test got HTTP 500); rolled back to ${OLD} (CodeDeploy rollback ${CD_ROLLBACK} Succeeded; web-tg 2/2 healthy)`,
      rollback: {
        deploymentId: CD_ROLLBACK,
        startedBy: 'CodeDeploy (the deployment group rolls back by itself)'
      }
    })
    // The hook's log tail is the evidence.
    expect(d.log).toEqual(expect.arrayContaining(['  GET /health', '  500 Internal Server Error']))
  })
})

describe('CodeDeploy: ecs-ship sees the failure first', () => {
  it('stops the running deployment with auto-rollback and follows the rollback it makes', async () => {
    let stopped = false
    let sinceStop = 0
    world(
      {
        // Once stopped, CodeDeploy names its rollback on the second look.
        [DEPLOY]: () =>
          !stopped
            ? running
            : ++sinceStop < 2
              ? { status: 'Stopped', onBlue: 100 }
              : { status: 'Stopped', onBlue: 100, rollbackId: CD_ROLLBACK },
        [CD_ROLLBACK]: rollbackToBlue
      },
      healthy
    )
    cdMock.on(StopDeploymentCommand).callsFake(() => {
      stopped = true
      return { status: 'Pending', statusMessage: 'Stop requested' }
    })
    const d = deps()
    const result = await rollOut(d, setup(), request())

    expect(stopCalls()).toEqual([{ deploymentId: DEPLOY, autoRollbackEnabled: true }])
    expect(result).toMatchObject({
      status: 'rolled-back',
      taskDefinitionArn: OLD,
      rolledBack: true,
      reason: `deploy failed: ${UNHEALTHY_REASON}; rolled back to ${OLD} (CodeDeploy rollback ${CD_ROLLBACK} Succeeded; web-tg 2/2 healthy)`,
      rollback: { deploymentId: CD_ROLLBACK, startedBy: 'ecs-ship (StopDeployment with auto-rollback)' }
    })
    expect(createCalls()).toHaveLength(1)
    expect(d.log).toContain(`rolling back: StopDeployment ${DEPLOY} with auto-rollback`)
  })

  it('looks the rollback up when StopDeployment says the deployment had already completed', async () => {
    const { calls } = world(
      {
        // It failed between our poll and the StopDeployment; the rollback shows on the third look.
        [DEPLOY]: n =>
          n === 1
            ? running
            : n < 4
              ? { status: 'Failed', onBlue: 100 }
              : { status: 'Failed', onBlue: 100, rollbackId: CD_ROLLBACK },
        [CD_ROLLBACK]: rollbackToBlue
      },
      healthy
    )
    cdMock
      .on(StopDeploymentCommand)
      .rejects(
        awsError('DeploymentAlreadyCompletedException', `The deployment ${DEPLOY} has already completed.`)
      )
    const d = deps()
    const result = await rollOut(d, setup(), request())

    expect(stopCalls()).toEqual([{ deploymentId: DEPLOY, autoRollbackEnabled: true }])
    expect(calls.get(DEPLOY)).toBe(4)
    expect(result).toMatchObject({
      status: 'rolled-back',
      taskDefinitionArn: OLD,
      rollback: {
        deploymentId: CD_ROLLBACK,
        startedBy: 'CodeDeploy (the deployment group rolls back by itself)'
      }
    })
    expect(d.log).toContain(`${DEPLOY} had already finished; looking for its rollback`)
  })

  it('stops looking after a few tries when the finished deployment names no rollback', async () => {
    const { calls } = world(
      { [DEPLOY]: n => (n === 1 ? running : { status: 'Failed', onBlue: 100 }) },
      healthy
    )
    cdMock
      .on(StopDeploymentCommand)
      .rejects(
        awsError('DeploymentAlreadyCompletedException', `The deployment ${DEPLOY} has already completed.`)
      )
    const result = await rollOut(deps(), setup(), request())

    // One poll, then four looks: a finished deployment gets three more chances to name a rollback.
    expect(calls.get(DEPLOY)).toBe(5)
    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: OLD,
      reason: `deploy failed: ${UNHEALTHY_REASON}; production traffic never left web:7 (CodeDeploy kept the original task set)`
    })
    expect(createCalls()).toHaveLength(1)
  })

  it('fails loudly when StopDeployment fails otherwise', async () => {
    world({ [DEPLOY]: () => running }, healthy)
    cdMock.on(StopDeploymentCommand).rejects(awsError('InvalidDeploymentIdException', 'No such deployment.'))
    const result = await rollOut(deps(), setup(), request())

    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: NEW,
      rolledBack: false,
      reason: `deploy failed: ${UNHEALTHY_REASON}; THE ROLLBACK TO ${OLD} FAILED TOO: InvalidDeploymentIdException: No such deployment.. The service needs attention now.`
    })
    expect(createCalls()).toHaveLength(1)
  })
})

describe('CodeDeploy: nothing rolls back', () => {
  it('says production never left the previous revision when the hook failed before the reroute', async () => {
    const { calls } = world(
      {
        [DEPLOY]: () => ({
          status: 'Failed',
          onBlue: 100,
          error: { code: 'HOOK_EXECUTION_FAILURE', message: 'The AfterAllowTestTraffic hook failed.' }
        })
      },
      healthy
    )
    const result = await rollOut(deps(), setup(), request({ rollbackOnFailure: false }))

    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: OLD,
      rolledBack: false,
      reason: `deploy failed: CodeDeploy deployment ${DEPLOY} Failed: HOOK_EXECUTION_FAILURE: The AfterAllowTestTraffic hook failed.; production traffic never left web:7 (CodeDeploy kept the original task set)`
    })
    expect(stopCalls()).toEqual([])
    expect(createCalls()).toHaveLength(1)
    expect(calls.get(DEPLOY)).toBe(1)
  })

  it('leaves the new revision on production when rollback-on-failure is off, and says so', async () => {
    const { calls } = world({ [DEPLOY]: () => afterTrafficFailed }, healthy)
    const result = await rollOut(deps(), setup(), request({ rollbackOnFailure: false }))

    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: NEW,
      rolledBack: false,
      reason: `deploy failed: ${AFTER_TRAFFIC_REASON} (rollback-on-failure is off; production runs the new revision)`
    })
    expect(stopCalls()).toEqual([])
    expect(createCalls()).toHaveLength(1)
    expect(calls.get(DEPLOY)).toBe(1)
  })
})

describe('CodeDeploy: production moved and nothing rolls back', () => {
  it('deploys the previous revision again, without the hooks, and follows it', async () => {
    world({ [DEPLOY]: () => afterTrafficFailed, [REDEPLOY]: rollbackToBlue }, healthy)
    const d = deps()
    const result = await rollOut(d, setup(), request())

    expect(stopCalls()).toEqual([])
    expect(result).toMatchObject({
      status: 'rolled-back',
      deploymentId: DEPLOY,
      taskDefinitionArn: OLD,
      rolledBack: true,
      reason: `deploy failed: ${AFTER_TRAFFIC_REASON}; rolled back to ${OLD} (CodeDeploy rollback ${REDEPLOY} Succeeded; web-tg 2/2 healthy)`,
      rollback: {
        deploymentId: REDEPLOY,
        byEcs: false,
        startedBy: 'ecs-ship (a new deployment of the previous revision)'
      }
    })
    expect(d.log).toContain(`rolling back: CreateDeployment ${REDEPLOY} → web:7`)

    const [deploy, redeploy] = createCalls()
    expect(createCalls()).toHaveLength(2)
    expect(redeploy).toMatchObject({
      applicationName: 'AppECS-demo-web',
      deploymentGroupName: 'DgpECS-demo-web',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      description: 'ecs-ship rollback: web → web:7',
      revision: { revisionType: 'AppSpecContent' }
    })
    const content = redeploy?.revision?.appSpecContent?.content ?? ''
    expect(redeploy?.revision?.appSpecContent?.sha256).toBe(
      createHash('sha256').update(content).digest('hex')
    )
    const spec = JSON.parse(content) as AppSpec
    expect(spec).not.toHaveProperty('Hooks')
    expect(spec.Resources[0]?.TargetService?.Properties).toEqual({
      TaskDefinition: OLD,
      LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8000 }
    })
    // The deploy itself ran the file's hooks.
    const deployed = JSON.parse(deploy?.revision?.appSpecContent?.content ?? '{}') as AppSpec
    expect(deployed.Hooks).toEqual([{ AfterAllowTraffic: 'after-traffic-check' }])
    expect(deployed.Resources[0]?.TargetService?.Properties?.TaskDefinition).toBe(NEW)
  })

  it('says loudly when the redeploy of the previous revision fails too', async () => {
    world(
      {
        [DEPLOY]: () => afterTrafficFailed,
        [REDEPLOY]: () => ({
          status: 'Failed',
          onBlue: 0,
          error: { code: 'ECS_UPDATE_ERROR', message: 'The ECS service could not be updated.' }
        })
      },
      healthy
    )
    const result = await rollOut(deps(), setup(), request())

    expect(result).toMatchObject({
      status: 'failed',
      rolledBack: false,
      reason: `deploy failed: ${AFTER_TRAFFIC_REASON}; THE ROLLBACK TO ${OLD} FAILED TOO: CodeDeploy rollback ${REDEPLOY} Failed: ECS_UPDATE_ERROR: The ECS service could not be updated.. The service needs attention now.`,
      rollback: { deploymentId: REDEPLOY, decision: { kind: 'failed' } }
    })
  })
})
