// ECS-native blue/green, linear and canary: UpdateService as in a rolling deploy, then follow
// the service deployment through its lifecycle stages with the same watch loop and health gate,
// gated on the green target group. On failure, StopServiceDeployment with ROLLBACK, unless ECS
// is already rolling back by itself, and follow the rollback until production traffic is back
// on blue and blue is healthy.
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type Service
} from '@aws-sdk/client-ecs'
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { revisionName, targetGroupName } from '../../aws/names.js'
import { ActionError, describeError, errorName } from '../../errors.js'
import { inFlightDeployment, startDeployment } from '../../service/deployment.js'
import type { LoadBalancerTarget, ServicePlan } from '../../service/plan.js'
import { watchDeployment, watchLoop } from '../../watch/loop.js'
import { checkSettledDeployment, type RunningCheck } from '../../watch/settled.js'
import {
  createObserver,
  readTargetCountEvidence,
  ruleWeights,
  toHooks,
  type ObserveTarget
} from '../../watch/observe.js'
import type { ServiceDeploymentView, WatchContext } from '../../watch/observation.js'
import { decide, DEFAULT_FAILURE_THRESHOLD, statusProgress, type Decision } from '../../watch/verdict.js'
import type {
  FailedRollout,
  RollbackOutcome,
  RollbackRecord,
  RolloutDeps,
  RolloutRequest,
  StartedDeployment,
  Strategy,
  Waiting,
  WaitingLookup
} from '../../rollout/contract.js'
import { pauseNotice } from '../../service/approval.js'
import {
  awaitingHook,
  blueOf,
  chooseGreen,
  decideNativeRollback,
  decidePause,
  decideSettled,
  type NativeSetup
} from './verdict.js'

/** An ECS-native deployment as it was started: which group is green, which blue. */
interface NativeDeployment extends StartedDeployment {
  readonly serviceDeploymentArn: string
  readonly setup: NativeSetup
  readonly green: readonly LoadBalancerTarget[]
  readonly blue: readonly string[]
  /** The follow ended (out of time) while it waited at a pause hook: nobody's verdict yet. */
  readonly waitingAtEnd?: Waiting
}

export function ecsNativeStrategy(
  deps: RolloutDeps,
  setup: NativeSetup,
  waitUntil: 'succeeded' | 'ready' = 'succeeded'
): Strategy<NativeDeployment> {
  return {
    name: 'ecs-native',
    deps,
    carriedOnBy: 'ECS',
    notFollowingLine: 'wait-for-service-stability is false: not waiting for the new tasks to be healthy',
    findInFlight: async plan => inFlightDeployment(plan.service),
    // Green tasks sit in whichever target group was free: follow ECS's own status instead.
    waitForInFlight: (_inFlight, { plan, timeoutMs }) => waitForNativeInFlight(deps, plan, timeoutMs),
    checkRunning: request => checkRunningNative(deps, setup, request),
    rollOut: request => rollOutNative(deps, setup, request),
    follow: async (deployment, request) => {
      let waiting: Waiting | undefined
      const pause = {
        waitUntil,
        taskDefinitionArn: request.target.arn,
        previousTaskDefinitionArn: request.previous.arn
      }
      const decision = await watchDeployment(
        observerFor(
          deps,
          observeTarget(
            request,
            deployment,
            deployment.green.map(g => g.targetGroupArn)
          )
        ),
        context(request, deployment, 'deployment', deps.clock.now()),
        {
          clock: deps.clock,
          log: deps.log,
          ...(deps.backoff !== undefined && { backoff: deps.backoff }),
          // A pause hook is reported as soon as it is seen, and never continued from here.
          decide: (observation, watchContext) => {
            const judged = decidePause(observation, decide(observation, watchContext), pause)
            waiting = judged.waiting
            return judged.decision
          }
        }
      )
      if (decision.kind === 'done') return { decision, followed: deployment, ...(waiting && { waiting }) }
      return { decision, followed: { ...deployment, ...(waiting && { waitingAtEnd: waiting }) } }
    },
    // ECS's own rollback is followed even with rollback-on-failure off.
    followsRollbackAnyway: decision =>
      decision.kind === 'failed' && decision.failure.cause === 'ecs-rollback',
    rollBack: failed => rollBackNative(deps, failed),
    findWaiting: (plan, deploymentId) => findWaitingNative(deps, setup, plan, deploymentId),
    promote: (waiting, request) => promoteNative(deps, setup, waiting, request),
    abort: (waiting, request) => abortNative(deps, setup, waiting, request)
  }
}

/** Production weights of every blue/green load balancer, read before the deployment moves them. */
async function productionWeights(deps: RolloutDeps, setup: NativeSetup) {
  const arns = [...new Set(setup.loadBalancers.map(lb => lb.productionListenerRule))]
  const answer = await deps.elb.send(new DescribeRulesCommand({ RuleArns: arns }))
  return new Map(arns.map(arn => [arn, ruleWeights(answer.Rules?.find(r => r.RuleArn === arn))]))
}

/**
 * The service already runs the revision: its tasks must be healthy in the target groups that take
 * production traffic now (blue, after the last deployment completed).
 */
async function checkRunningNative(
  deps: RolloutDeps,
  setup: NativeSetup,
  request: RolloutRequest
): Promise<RunningCheck> {
  const weights = await productionWeights(deps, setup)
  const production = setup.loadBalancers.map(lb => {
    const blue = blueOf(lb, chooseGreen(lb, weights.get(lb.productionListenerRule) ?? []).targetGroupArn)
    return { targetGroupArn: blue, containerName: lb.containerName, containerPort: lb.containerPort }
  })
  const { plan } = request
  return checkSettledDeployment({
    service: plan.service,
    observer: deploymentId =>
      observerFor(deps, {
        cluster: plan.cluster,
        service: plan.serviceName,
        targetGroupArns: production.map(p => p.targetGroupArn),
        deploymentId,
        watchContainerHealth: false
      }),
    context: deploymentId => ({
      label: 'current deployment',
      deploymentId,
      taskDefinitionArn: request.target.arn,
      startedAt: deps.clock.now(),
      timeoutMs: request.timeoutMs,
      loadBalancers: production,
      networkMode: request.target.networkMode,
      healthCheckGracePeriodMs: plan.healthCheckGracePeriodSeconds * 1000,
      containerHealthChecks: request.target.containerHealthChecks,
      failureThreshold: DEFAULT_FAILURE_THRESHOLD
    }),
    wait: request.wait,
    options: {
      clock: deps.clock,
      log: deps.log,
      ...(deps.backoff !== undefined && { backoff: deps.backoff })
    }
  })
}

/** The ARN of the service deployment UpdateService started. */
async function serviceDeploymentArn(
  deps: RolloutDeps,
  request: RolloutRequest,
  service: Service | undefined
) {
  if (service?.currentServiceDeployment) return service.currentServiceDeployment
  const answer = await deps.ecs.send(
    new ListServiceDeploymentsCommand({
      cluster: request.plan.cluster,
      service: request.plan.serviceName,
      status: ['PENDING', 'IN_PROGRESS']
    })
  )
  const arn = answer.serviceDeployments?.[0]?.serviceDeploymentArn
  if (!arn)
    throw new ActionError('UpdateService started no service deployment that ListServiceDeployments shows')
  return arn
}

async function rollOutNative(
  deps: RolloutDeps,
  setup: NativeSetup,
  request: RolloutRequest
): Promise<NativeDeployment> {
  const { plan } = request
  const weights = await productionWeights(deps, setup)
  const green = setup.loadBalancers.map(lb => chooseGreen(lb, weights.get(lb.productionListenerRule) ?? []))
  const blue = setup.loadBalancers.map((lb, i) => blueOf(lb, green[i]?.targetGroupArn ?? ''))

  const { deploymentId, service } = await startDeployment(deps, plan, request.target.arn, {
    ...(request.desiredCount !== undefined && { desiredCount: request.desiredCount }),
    forceNewDeployment: request.forceNewDeployment
  })
  const deployment: NativeDeployment = {
    id: deploymentId,
    serviceDeploymentArn: await serviceDeploymentArn(deps, request, service),
    setup,
    green,
    blue
  }
  deps.log(
    `UpdateService: ${plan.serviceName} → ${revisionName(request.target.arn)}, ${setup.strategy} deployment ${deploymentId}; green is ${green.map(g => targetGroupName(g.targetGroupArn)).join(', ')}, blue ${blue.map(targetGroupName).join(', ')}`
  )
  return deployment
}

function observeTarget(
  request: RolloutRequest,
  deployment: NativeDeployment,
  groups: readonly string[]
): ObserveTarget {
  const first = deployment.setup.loadBalancers[0]
  return {
    cluster: request.plan.cluster,
    service: request.plan.serviceName,
    targetGroupArns: groups,
    deploymentId: deployment.id,
    watchContainerHealth: false,
    serviceDeploymentArn: deployment.serviceDeploymentArn,
    ...(first && {
      listenerRules: {
        production: first.productionListenerRule,
        ...(first.testListenerRule !== undefined && { test: first.testListenerRule })
      }
    })
  }
}

function observerFor(deps: RolloutDeps, target: ObserveTarget) {
  return deps.makeObserver
    ? deps.makeObserver(target)
    : createObserver(deps.ecs, deps.elb, target, deps.clock)
}

function context(
  request: RolloutRequest,
  deployment: NativeDeployment,
  label: WatchContext['label'],
  startedAt: number
): WatchContext {
  return {
    label,
    deploymentId: deployment.id,
    taskDefinitionArn: request.target.arn,
    startedAt,
    timeoutMs: request.timeoutMs,
    loadBalancers: deployment.green,
    networkMode: request.target.networkMode,
    healthCheckGracePeriodMs: request.plan.healthCheckGracePeriodSeconds * 1000,
    containerHealthChecks: request.target.containerHealthChecks,
    failureThreshold: DEFAULT_FAILURE_THRESHOLD,
    ...(deployment.setup.bakeTimeMs !== undefined && { bakeTimeMs: deployment.setup.bakeTimeMs })
  }
}

/** StopServiceDeployment with ROLLBACK (unless ECS rolls back by itself), followed back to blue. */
async function rollBackNative(
  deps: RolloutDeps,
  { deployment, request, decision }: FailedRollout<NativeDeployment>
): Promise<RollbackOutcome> {
  if (deployment.waitingAtEnd)
    // Waiting for a person is not a failure of the revision: theirs is the call, not ours.
    return {
      kind: 'not-rolled-back',
      reason: `deploy failed: ${decision.reason}; not rolled back: it still waits for approval. Run mode: promote or mode: abort (deployment-id ${deployment.serviceDeploymentArn})`
    }
  if (decision.kind === 'failed' && decision.failure.cause === 'stopped')
    // Stopped by someone, or superseded by a newer deployment: rolling back now would undo theirs.
    return {
      kind: 'not-rolled-back',
      reason: `deploy failed: ${decision.reason}; not rolling back a service deployment that was stopped`
    }
  let byEcs = decision.kind === 'failed' && decision.failure.cause === 'ecs-rollback'
  if (byEcs) {
    deps.log(`ECS is already rolling back ${deployment.serviceDeploymentArn}: following its rollback`)
  } else {
    try {
      await deps.ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: deployment.serviceDeploymentArn,
          stopType: 'ROLLBACK'
        })
      )
      deps.log(`rolling back: StopServiceDeployment ${deployment.serviceDeploymentArn} (ROLLBACK)`)
    } catch (error) {
      // ECS started its own rollback between our last poll and this call: follow that one.
      const name = errorName(error)
      if (name !== 'ConflictException' && name !== 'InvalidParameterException') throw error
      byEcs = true
      deps.log(`ECS had already started rolling back (${name}): following its rollback`)
    }
  }

  const rollbackDecision = await followNativeRollback(deps, deployment, request)
  return {
    kind: 'followed',
    rollback: {
      deploymentId: deployment.serviceDeploymentArn,
      decision: rollbackDecision,
      byEcs,
      startedBy: byEcs ? 'ECS (its own rollback)' : 'ecs-ship (StopServiceDeployment ROLLBACK)'
    },
    healthyAs: rollbackDecision.reason
  }
}

/** Follows a rollback until production traffic is all on blue and blue is healthy. */
async function followNativeRollback(
  deps: RolloutDeps,
  deployment: NativeDeployment,
  request: RolloutRequest
): Promise<Decision> {
  const rollbackContext = context(request, deployment, 'rollback', deps.clock.now())
  return watchDeployment(
    observerFor(deps, observeTarget(request, deployment, deployment.blue)),
    rollbackContext,
    {
      clock: deps.clock,
      log: deps.log,
      ...(deps.backoff !== undefined && { backoff: deps.backoff }),
      decide: observation =>
        decideNativeRollback(observation, {
          serviceDeploymentArn: deployment.serviceDeploymentArn,
          blueTargetGroupArns: deployment.blue,
          desiredCount: request.desiredCount ?? request.plan.desiredCount,
          startedAt: rollbackContext.startedAt,
          timeoutMs: request.timeoutMs
        })
    }
  )
}

/**
 * Waits for another ECS-native deployment of the service (someone else's, or ECS's own rollback)
 * to end before ours starts, following its service deployment. Fails, with nothing changed,
 * when it does not end within the timeout.
 */
async function waitForNativeInFlight(deps: RolloutDeps, plan: ServicePlan, timeoutMs: number): Promise<void> {
  let arn = plan.service.currentServiceDeployment
  if (!arn) {
    const answer = await deps.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: plan.cluster,
        service: plan.serviceName,
        status: ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED']
      })
    )
    arn = answer.serviceDeployments?.[0]?.serviceDeploymentArn
  }
  if (!arn) return
  const serviceDeploymentArn = arn
  deps.log(
    `another deployment of ${plan.serviceName} is in flight (service deployment ${serviceDeploymentArn}): waiting for it to settle before deploying`
  )
  const watchContext = { deploymentId: serviceDeploymentArn, startedAt: deps.clock.now(), timeoutMs }
  let paused: ServiceDeploymentView | undefined
  const decision = await watchLoop(
    async () => {
      const answer = await deps.ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeploymentArn] })
      )
      const found = answer.serviceDeployments?.[0]
      return {
        at: deps.clock.now(),
        serviceDeployment: {
          arn: serviceDeploymentArn,
          status: found?.status ?? 'UNKNOWN',
          ...(found?.lifecycleStage !== undefined && { lifecycleStage: found.lifecycleStage }),
          ...(found?.lifecycleHookDetails !== undefined && { hooks: toHooks(found.lifecycleHookDetails) })
        }
      }
    },
    observation => {
      // One that waits for a person does not settle by waiting: say so now, not at the timeout.
      if (awaitingHook(observation.serviceDeployment)) paused = observation.serviceDeployment
      return paused
        ? {
            kind: 'failed',
            reason: 'it waits for approval',
            progress: statusProgress('paused'),
            failure: { cause: 'stopped', evidence: [] }
          }
        : decideSettled(observation, watchContext)
    },
    watchContext,
    { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
  )
  if (paused)
    throw new ActionError(
      `another deployment of ${plan.serviceName} (${serviceDeploymentArn}) waits for approval at ${paused.lifecycleStage ?? 'a pause hook'}; nothing was changed. Promote or abort it first (mode: promote or mode: abort, deployment-id ${serviceDeploymentArn}), then deploy again`
    )
  if (decision.kind !== 'done')
    throw new ActionError(
      `the in-flight deployment did not settle in time (${decision.reason}); nothing was changed`
    )
  deps.log(`service deployment ${serviceDeploymentArn} settled: ${decision.reason}`)
}

const SERVICE_DEPLOYMENT_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\//

/**
 * The service deployment that waits at a pause hook: the one named, else the service's current
 * one, else its latest. Its green targets' health is read as it is now; nothing changes.
 */
async function findWaitingNative(
  deps: RolloutDeps,
  setup: NativeSetup,
  plan: ServicePlan,
  deploymentId: string | undefined
): Promise<WaitingLookup> {
  if (deploymentId !== undefined && !SERVICE_DEPLOYMENT_ARN.test(deploymentId))
    return {
      kind: 'none',
      reason: `input deployment-id: "${deploymentId}" is not a service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/…), which is what an ECS-native deployment waits under`
    }
  let arn = deploymentId ?? plan.service.currentServiceDeployment
  if (arn === undefined) {
    const listed = await deps.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: plan.cluster, service: plan.serviceName, maxResults: 1 })
    )
    arn = listed.serviceDeployments?.[0]?.serviceDeploymentArn
  }
  if (arn === undefined)
    return { kind: 'none', reason: `service ${plan.serviceName} has no service deployment` }
  const answer = await deps.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  const found = answer.serviceDeployments?.[0]
  if (!found) return { kind: 'none', reason: `service deployment ${arn} was not found` }
  if (
    found.serviceArn !== undefined &&
    plan.service.serviceArn !== undefined &&
    found.serviceArn !== plan.service.serviceArn
  )
    return {
      kind: 'none',
      reason: `service deployment ${arn} belongs to another service (${found.serviceArn})`
    }
  const status = found.status ?? 'UNKNOWN'
  const hooks = toHooks(found.lifecycleHookDetails ?? [])
  const view = {
    arn,
    status,
    ...(found.lifecycleStage !== undefined && { lifecycleStage: found.lifecycleStage }),
    hooks
  }
  const hook = awaitingHook(view)
  const primary = plan.service.deployments?.find(d => d.status === 'PRIMARY')
  const older = plan.service.deployments?.find(d => d.status === 'ACTIVE')
  const target = primary?.taskDefinition ?? plan.taskDefinitionArn
  if (!hook) {
    // ECS lists only the current stage's hooks, so what happened at a pause is read from the
    // deployment's status and its rollback reason.
    const rollbackReason = found.rollback?.reason ?? ''
    if (/timed out/i.test(rollbackReason))
      return {
        kind: 'expired',
        deploymentId: arn,
        reason: `the pause of service deployment ${arn} ran out and ECS rolled it back (${status}): ${rollbackReason}`
      }
    // The service's first deployment replaced nothing, so it had nothing to pause for.
    const replaced = (found.sourceServiceRevisions ?? []).length > 0
    if (status === 'SUCCESSFUL' && replaced && setup.pauseStages.length > 0)
      return {
        kind: 'promoted',
        deploymentId: arn,
        taskDefinitionArn: target,
        reason: `service deployment ${arn} was already promoted: it went on past its pause at ${setup.pauseStages.join(', ')} and is SUCCESSFUL`
      }
    const what =
      setup.pauseStages.length > 0
        ? `it is ${status}${found.lifecycleStage ? ` at stage ${found.lifecycleStage}` : ''}, not at a pause`
        : `it is ${status}, and the service has no pause hook`
    return {
      kind: 'none',
      reason: `the latest service deployment of ${plan.serviceName} (${arn}) does not wait for approval: ${what}`
    }
  }
  const green = await greenEvidence(deps, setup, plan.desiredCount)
  const judged = decidePause(
    { serviceDeployment: view },
    {
      kind: 'wait',
      reason: '',
      progress: {
        running: 0,
        pending: 0,
        desired: plan.desiredCount,
        failedTasks: 0,
        deployments: 0,
        targetGroups: green,
        line: ''
      }
    },
    {
      waitUntil: 'succeeded',
      taskDefinitionArn: target,
      previousTaskDefinitionArn: older?.taskDefinition ?? plan.taskDefinitionArn
    }
  )
  if (!judged.waiting) return { kind: 'none', reason: `service deployment ${arn} does not wait for approval` }
  return { kind: 'waiting', waiting: judged.waiting }
}

/** The target groups that carry no production traffic now (green), with their targets' health. */
async function greenEvidence(deps: RolloutDeps, setup: NativeSetup, desired: number) {
  const weights = await productionWeights(deps, setup)
  return Promise.all(
    setup.loadBalancers.map(async lb => {
      const green = chooseGreen(lb, weights.get(lb.productionListenerRule) ?? []).targetGroupArn
      return readTargetCountEvidence(deps.elb, green, desired)
    })
  )
}

/** The deployment handle of a waiting service deployment, as if this run had started it. */
async function waitingDeployment(
  deps: RolloutDeps,
  setup: NativeSetup,
  waiting: Waiting,
  request: RolloutRequest
): Promise<NativeDeployment> {
  const weights = await productionWeights(deps, setup)
  const green = setup.loadBalancers.map(lb => chooseGreen(lb, weights.get(lb.productionListenerRule) ?? []))
  const blue = setup.loadBalancers.map((lb, i) => blueOf(lb, green[i]?.targetGroupArn ?? ''))
  const deployments = request.plan.service.deployments ?? []
  const ours =
    deployments.find(d => d.status === 'PRIMARY' && d.taskDefinition === waiting.taskDefinitionArn) ??
    deployments.find(d => d.status === 'PRIMARY')
  if (!ours?.id)
    throw new ActionError(`service ${request.plan.serviceName} has no PRIMARY deployment to follow`)
  return { id: ours.id, serviceDeploymentArn: waiting.deploymentId, setup, green, blue }
}

/** ContinueServiceDeployment, worded when ECS refuses (the hook moved on between our look and the call). */
async function continueHook(deps: RolloutDeps, waiting: Waiting, action: 'CONTINUE' | 'ROLLBACK') {
  try {
    await deps.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: waiting.deploymentId,
        hookId: waiting.hookId,
        action
      })
    )
  } catch (error) {
    throw new ActionError(
      `ECS refused to ${action === 'CONTINUE' ? 'continue' : 'roll back'} ${waiting.deploymentId} at its pause hook ${waiting.hookId ?? '?'}: ${describeError(error)}. Nothing was changed by this run.`
    )
  }
}

async function promoteNative(
  deps: RolloutDeps,
  setup: NativeSetup,
  waiting: Waiting,
  request: RolloutRequest
): Promise<NativeDeployment> {
  const deployment = await waitingDeployment(deps, setup, waiting, request)
  await continueHook(deps, waiting, 'CONTINUE')
  deps.log(
    `ContinueServiceDeployment CONTINUE: ${waiting.deploymentId} (hook ${waiting.hookId ?? '?'}) was ${pauseNotice(waiting)}`
  )
  return deployment
}

async function abortNative(
  deps: RolloutDeps,
  setup: NativeSetup,
  waiting: Waiting,
  request: RolloutRequest
): Promise<RollbackRecord> {
  const deployment = await waitingDeployment(deps, setup, waiting, request)
  await continueHook(deps, waiting, 'ROLLBACK')
  deps.log(
    `ContinueServiceDeployment ROLLBACK: ${waiting.deploymentId} (hook ${waiting.hookId ?? '?'}); following the rollback to ${revisionName(waiting.previousTaskDefinitionArn)}`
  )
  const decision = await followNativeRollback(deps, deployment, request)
  return {
    deploymentId: waiting.deploymentId,
    decision,
    byEcs: false,
    startedBy: 'ecs-ship (ContinueServiceDeployment ROLLBACK at the pause hook)'
  }
}
