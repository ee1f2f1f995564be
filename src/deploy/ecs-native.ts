// ECS-native blue/green, linear and canary: UpdateService as in a rolling deploy, then follow
// the service deployment through its lifecycle stages with the same watch loop and health gate,
// gated on the green target group. On failure, StopServiceDeployment with ROLLBACK, unless ECS
// is already rolling back by itself, and follow the rollback until production traffic is back
// on blue and blue is healthy.
import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type Service
} from '@aws-sdk/client-ecs'
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { errorName } from '../errors.js'
import { DEFAULT_FAILURE_THRESHOLD, revisionName, targetGroupName, type Decision } from './decide.js'
import {
  blueOf,
  chooseGreen,
  decideNativeRollback,
  decideSettled,
  nativeSetup,
  type NativeSetup
} from './native.js'
import { createObserver, ruleWeights, type ObserveTarget } from './observe.js'
import type { WatchContext } from './observation.js'
import {
  concludeRollout,
  keepTrack,
  rollbackOutcome,
  startDeployment,
  type FailedResult,
  type RolloutDeps,
  type RolloutRequest,
  type RolloutResult
} from './rolling.js'
import { watchDeployment, watchLoop } from './watch.js'
import type { LoadBalancerTarget, ServicePlan } from '../plan/service.js'

/** Production weights of every blue/green load balancer, read before the deployment moves them. */
async function productionWeights(deps: RolloutDeps, setup: NativeSetup) {
  const arns = [...new Set(setup.loadBalancers.map(lb => lb.productionListenerRule))]
  const answer = await deps.elb.send(new DescribeRulesCommand({ RuleArns: arns }))
  return new Map(arns.map(arn => [arn, ruleWeights(answer.Rules?.find(r => r.RuleArn === arn))]))
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
  if (!arn) throw new Error('UpdateService started no service deployment that ListServiceDeployments shows')
  return arn
}

interface Follow {
  readonly serviceDeploymentArn: string
  readonly setup: NativeSetup
  readonly green: readonly LoadBalancerTarget[]
  readonly blue: readonly string[]
}

function observeTarget(
  request: RolloutRequest,
  follow: Follow,
  deploymentId: string,
  groups: readonly string[]
) {
  const first = follow.setup.loadBalancers[0]
  return {
    cluster: request.plan.cluster,
    service: request.plan.serviceName,
    targetGroupArns: groups,
    deploymentId,
    watchContainerHealth: false,
    serviceDeploymentArn: follow.serviceDeploymentArn,
    ...(first && {
      listenerRules: {
        production: first.productionListenerRule,
        ...(first.testListenerRule !== undefined && { test: first.testListenerRule })
      }
    })
  } satisfies ObserveTarget
}

function observerFor(deps: RolloutDeps, target: ObserveTarget) {
  return deps.makeObserver
    ? deps.makeObserver(target)
    : createObserver(deps.ecs, deps.elb, target, deps.clock)
}

function context(
  request: RolloutRequest,
  follow: Follow,
  deploymentId: string,
  label: WatchContext['label'],
  startedAt: number
): WatchContext {
  return {
    label,
    deploymentId,
    taskDefinitionArn: request.target.arn,
    startedAt,
    timeoutMs: request.timeoutMs,
    loadBalancers: follow.green,
    networkMode: request.target.networkMode,
    healthCheckGracePeriodMs: request.plan.healthCheckGracePeriodSeconds * 1000,
    containerHealthChecks: request.target.containerHealthChecks,
    failureThreshold: DEFAULT_FAILURE_THRESHOLD,
    ...(follow.setup.bakeTimeMs !== undefined && { bakeTimeMs: follow.setup.bakeTimeMs })
  }
}

export async function rollOutNative(deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> {
  const { plan } = request
  const setup = nativeSetup(plan.service)
  const weights = await productionWeights(deps, setup)
  const green = setup.loadBalancers.map(lb => chooseGreen(lb, weights.get(lb.productionListenerRule) ?? []))
  const blue = setup.loadBalancers.map((lb, i) => blueOf(lb, green[i]?.targetGroupArn ?? ''))

  const { deploymentId, service } = await startDeployment(deps, plan, request.target.arn, {
    ...(request.desiredCount !== undefined && { desiredCount: request.desiredCount }),
    forceNewDeployment: request.forceNewDeployment
  })
  const follow: Follow = {
    serviceDeploymentArn: await serviceDeploymentArn(deps, request, service),
    setup,
    green,
    blue
  }
  deps.log(
    `UpdateService: ${plan.serviceName} → ${revisionName(request.target.arn)}, ${setup.strategy} deployment ${deploymentId}; green is ${green.map(g => targetGroupName(g.targetGroupArn)).join(', ')}, blue ${blue.map(targetGroupName).join(', ')}`
  )
  if (!request.wait) {
    deps.log('wait-for-service-stability is false: not waiting for the new tasks to be healthy')
    return { status: 'succeeded', deploymentId, taskDefinitionArn: request.target.arn, rolledBack: false }
  }

  const watchContext = context(request, follow, deploymentId, 'deployment', deps.clock.now())
  const decision = await keepTrack(request, deploymentId, 'ECS', () =>
    watchDeployment(
      observerFor(
        deps,
        observeTarget(
          request,
          follow,
          deploymentId,
          green.map(g => g.targetGroupArn)
        )
      ),
      watchContext,
      { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
    )
  )
  // ECS's own rollback is followed even with rollback-on-failure off: the verdict must say where
  // the service ended.
  const ecsRollsBack = decision.kind === 'failed' && decision.failure.cause === 'ecs-rollback'
  return concludeRollout(
    deps,
    request,
    deploymentId,
    decision,
    request.rollbackOnFailure || ecsRollsBack
      ? failedResult => rollBackNative(deps, request, follow, deploymentId, decision, failedResult)
      : undefined
  )
}

async function rollBackNative(
  deps: RolloutDeps,
  request: RolloutRequest,
  follow: Follow,
  deploymentId: string,
  decision: Decision,
  failedResult: FailedResult
): Promise<RolloutResult> {
  let byEcs = decision.kind === 'failed' && decision.failure.cause === 'ecs-rollback'
  if (byEcs) {
    deps.log(`ECS is already rolling back ${follow.serviceDeploymentArn}: following its rollback`)
  } else {
    try {
      await deps.ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: follow.serviceDeploymentArn,
          stopType: 'ROLLBACK'
        })
      )
      deps.log(`rolling back: StopServiceDeployment ${follow.serviceDeploymentArn} (ROLLBACK)`)
    } catch (error) {
      // ECS started its own rollback between our last poll and this call: follow that one.
      const name = errorName(error)
      if (name !== 'ConflictException' && name !== 'InvalidParameterException') throw error
      byEcs = true
      deps.log(`ECS had already started rolling back (${name}): following its rollback`)
    }
  }

  const rollbackContext = context(request, follow, deploymentId, 'rollback', deps.clock.now())
  const rollbackDecision = await watchDeployment(
    observerFor(deps, observeTarget(request, follow, deploymentId, follow.blue)),
    rollbackContext,
    {
      clock: deps.clock,
      log: deps.log,
      ...(deps.backoff !== undefined && { backoff: deps.backoff }),
      decide: observation =>
        decideNativeRollback(observation, {
          serviceDeploymentArn: follow.serviceDeploymentArn,
          blueTargetGroupArns: follow.blue,
          desiredCount: request.desiredCount ?? request.plan.desiredCount,
          startedAt: rollbackContext.startedAt,
          timeoutMs: request.timeoutMs
        })
    }
  )
  const rollback = {
    deploymentId: follow.serviceDeploymentArn,
    decision: rollbackDecision,
    byEcs,
    startedBy: byEcs ? 'ECS (its own rollback)' : 'ecs-ship (StopServiceDeployment ROLLBACK)'
  }
  return rollbackOutcome(request, deploymentId, decision, rollback, failedResult, rollbackDecision.reason)
}

/**
 * Waits for another ECS-native deployment of the service (someone else's, or ECS's own rollback)
 * to end before ours starts, following its service deployment. Fails, with nothing changed,
 * when it does not end within the timeout.
 */
export async function waitForNativeInFlight(
  deps: RolloutDeps,
  plan: ServicePlan,
  timeoutMs: number
): Promise<void> {
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
  const context = { deploymentId: serviceDeploymentArn, startedAt: deps.clock.now(), timeoutMs }
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
          ...(found?.lifecycleStage !== undefined && { lifecycleStage: found.lifecycleStage })
        }
      }
    },
    observation => decideSettled(observation, context),
    context,
    { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
  )
  if (decision.kind !== 'done')
    throw new Error(
      `the in-flight deployment did not settle in time (${decision.reason}); nothing was changed`
    )
  deps.log(`service deployment ${serviceDeploymentArn} settled: ${decision.reason}`)
}
