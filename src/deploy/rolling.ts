// A rolling deploy: UpdateService to the new revision, watch our deployment to healthy, and on
// failure put the previous revision back (or follow ECS's own circuit-breaker rollback) and
// watch that too. The verdict is in decide(); this file is the sequence of AWS calls.
import {
  DescribeServicesCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs'
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { credentialErrorMessage, describeError, isCredentialError, LostTrackError } from '../errors.js'
import type { BackoffSettings } from '../util/backoff.js'
import type { Clock } from '../util/clock.js'
import type { ServicePlan } from '../plan/service.js'
import { DEFAULT_FAILURE_THRESHOLD, revisionName, type Decision } from './decide.js'
import { createObserver, type Observer, type ObserveTarget } from './observe.js'
import type { WatchContext } from './observation.js'
import { watchDeployment } from './watch.js'

export type RolloutStatus = 'succeeded' | 'failed' | 'rolled-back'

export interface RevisionFacts {
  readonly arn: string
  readonly networkMode: string
  readonly containerHealthChecks: boolean
}

export interface RolloutRequest {
  readonly plan: ServicePlan
  readonly target: RevisionFacts
  readonly previous: RevisionFacts
  readonly desiredCount?: number
  readonly forceNewDeployment: boolean
  readonly wait: boolean
  readonly timeoutMs: number
  readonly rollbackOnFailure: boolean
}

export interface RolloutResult {
  readonly status: RolloutStatus
  readonly deploymentId?: string
  /** The revision the service runs (or is meant to run) afterwards. */
  readonly taskDefinitionArn: string
  readonly rolledBack: boolean
  /** Plain-words reason, for failures (and the rolled-back message). */
  readonly reason?: string
  readonly decision?: Decision
  /** How long the rollback took, from the failure verdict to its own verdict (for the phase table). */
  readonly rollbackDurationMs?: number
  readonly rollback?: {
    readonly deploymentId: string
    readonly decision: Decision
    readonly byEcs: boolean
    /** Who started the rollback, in words, when it was not ECS's circuit breaker or ecs-ship's UpdateService. */
    readonly startedBy?: string
  }
}

export interface RolloutDeps {
  readonly ecs: ECSClient
  readonly elb: ElasticLoadBalancingV2Client
  /** Only for services with the CODE_DEPLOY controller. */
  readonly codedeploy?: CodeDeployClient
  readonly clock: Clock
  readonly backoff?: BackoffSettings
  readonly log: (line: string) => void
  /** Tests may replace how observers are made; the action uses createObserver. */
  readonly makeObserver?: (target: ObserveTarget) => Observer
}

/** The deployment an UpdateService created: the PRIMARY one with our revision. */
export function newDeploymentId(service: Service | undefined, taskDefinitionArn: string): string {
  const deployments = service?.deployments ?? []
  const primary =
    deployments.find(d => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
    deployments.find(d => d.status === 'PRIMARY')
  if (!primary?.id) throw new Error('UpdateService returned no PRIMARY deployment')
  return primary.id
}

async function updateService(
  deps: RolloutDeps,
  plan: ServicePlan,
  taskDefinition: string,
  extra: { desiredCount?: number; forceNewDeployment?: boolean }
): Promise<string> {
  return (await startDeployment(deps, plan, taskDefinition, extra)).deploymentId
}

/** UpdateService to a revision: the new deployment's id, and the service as ECS answered. */
export async function startDeployment(
  deps: Pick<RolloutDeps, 'ecs'>,
  plan: ServicePlan,
  taskDefinition: string,
  extra: { desiredCount?: number; forceNewDeployment?: boolean }
): Promise<{ deploymentId: string; service: Service | undefined }> {
  const answer = await deps.ecs.send(
    new UpdateServiceCommand({
      cluster: plan.cluster,
      service: plan.serviceName,
      taskDefinition,
      // Only when asked: otherwise the service keeps its count and autoscaling is not reset.
      ...(extra.desiredCount !== undefined && { desiredCount: extra.desiredCount }),
      ...(extra.forceNewDeployment && { forceNewDeployment: true })
    })
  )
  return { deploymentId: newDeploymentId(answer.service, taskDefinition), service: answer.service }
}

export function watchContext(
  request: Pick<RolloutRequest, 'plan' | 'timeoutMs'>,
  revision: RevisionFacts,
  deploymentId: string,
  label: WatchContext['label'],
  startedAt: number
): WatchContext {
  return {
    label,
    deploymentId,
    taskDefinitionArn: revision.arn,
    startedAt,
    timeoutMs: request.timeoutMs,
    loadBalancers: request.plan.loadBalancers,
    networkMode: revision.networkMode,
    healthCheckGracePeriodMs: request.plan.healthCheckGracePeriodSeconds * 1000,
    containerHealthChecks: revision.containerHealthChecks,
    failureThreshold: DEFAULT_FAILURE_THRESHOLD
  }
}

async function watch(deps: RolloutDeps, context: WatchContext, plan: ServicePlan): Promise<Decision> {
  const target: ObserveTarget = {
    cluster: plan.cluster,
    service: plan.serviceName,
    targetGroupArns: plan.targetGroupArns,
    deploymentId: context.deploymentId,
    watchContainerHealth: context.loadBalancers.length === 0 && context.containerHealthChecks
  }
  const [ecs, elb] = [deps.ecs, deps.elb]
  const observer = deps.makeObserver
    ? deps.makeObserver(target)
    : createObserver(ecs, elb, target, deps.clock)
  return watchDeployment(observer, context, {
    clock: deps.clock,
    log: deps.log,
    ...(deps.backoff !== undefined && { backoff: deps.backoff })
  })
}

/**
 * A deployment of the service that has not settled yet: someone else's deploy, or ECS's own
 * rollback. Starting ours on top would replace it half-way, so a deploy waits for it first.
 */
export function inFlightDeployment(service: Service): { id: string; taskDefinition: string } | undefined {
  const deployments = service.deployments ?? []
  const primary = deployments.find(d => d.status === 'PRIMARY')
  if (!primary?.id || !primary.taskDefinition) return undefined
  const unsettled = deployments.length > 1 || primary.rolloutState === 'IN_PROGRESS'
  return unsettled ? { id: primary.id, taskDefinition: primary.taskDefinition } : undefined
}

/**
 * Watches an in-flight deployment (found by inFlightDeployment) with the same loop as ours, until
 * it is done or has failed; either way the service has settled and a fresh plan can be made.
 * Fails when it does not settle within the timeout, before anything of ours has changed.
 */
export async function waitForInFlight(
  deps: RolloutDeps,
  plan: ServicePlan,
  revision: RevisionFacts,
  inFlight: { id: string },
  timeoutMs: number
): Promise<Decision> {
  deps.log(
    `another deployment of ${plan.serviceName} is in flight (${inFlight.id}, ${revisionName(revision.arn)}): waiting for it to settle before deploying`
  )
  const context = watchContext(
    { plan, timeoutMs },
    revision,
    inFlight.id,
    'in-flight deployment',
    deps.clock.now()
  )
  const decision = await watch(deps, context, plan)
  if (decision.kind === 'failed' && decision.failure.cause === 'timeout') {
    throw new Error(
      `the in-flight deployment ${inFlight.id} did not settle in time (${decision.reason}); nothing was changed`
    )
  }
  deps.log(`deployment ${inFlight.id} settled: ${decision.kind === 'done' ? 'completed' : decision.reason}`)
  return decision
}

export async function rollOut(deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> {
  const { plan } = request
  const deploymentId = await updateService(deps, plan, request.target.arn, {
    ...(request.desiredCount !== undefined && { desiredCount: request.desiredCount }),
    forceNewDeployment: request.forceNewDeployment
  })
  deps.log(
    `UpdateService: ${plan.serviceName} → ${revisionName(request.target.arn)}, deployment ${deploymentId}`
  )
  return settleRollout(deps, request, deploymentId)
}

/**
 * Follows a deployment that has already been started (by our UpdateService, or by the preview's
 * CreateService/UpdateService) to its verdict, and on failure rolls back as the request says.
 */
export async function settleRollout(
  deps: RolloutDeps,
  request: RolloutRequest,
  deploymentId: string
): Promise<RolloutResult> {
  if (!request.wait) {
    deps.log('wait-for-service-stability is false: not waiting for the new tasks to be healthy')
    return { status: 'succeeded', deploymentId, taskDefinitionArn: request.target.arn, rolledBack: false }
  }

  const decision = await keepTrack(request, deploymentId, 'ECS', () =>
    watch(
      deps,
      watchContext(request, request.target, deploymentId, 'deployment', deps.clock.now()),
      request.plan
    )
  )
  return concludeRollout(
    deps,
    request,
    deploymentId,
    decision,
    request.rollbackOnFailure
      ? failedResult => rollBack(deps, request, deploymentId, decision, failedResult)
      : undefined
  )
}

/**
 * Follows a deployment this run started. If following it becomes impossible (credentials expire
 * or are denied mid-wait, the polls keep failing), the deployment still goes on without us: the
 * error says so and carries its id, instead of a bare AWS error that hides what was started.
 */
export async function keepTrack<T>(
  request: RolloutRequest,
  deploymentId: string,
  carriedOnBy: 'ECS' | 'CodeDeploy',
  follow: () => Promise<T>
): Promise<T> {
  try {
    return await follow()
  } catch (error) {
    throw new LostTrackError(
      `stopped following deployment ${deploymentId} of ${revisionName(request.target.arn)}: ${describeError(error).replace(/\.?$/, '.')} ` +
        `${carriedOnBy} carries on with it, and nothing was rolled back. Re-run to follow it to a verdict, ` +
        `or run mode: rollback to put ${request.previous.arn} back.`,
      deploymentId
    )
  }
}

/** A failed rollout's result, with the reason the job fails with. */
export type FailedResult = (why: string) => RolloutResult

/**
 * How every strategy ends a watched rollout: succeeded when the decision is done; otherwise the
 * evidence is logged and `recover` (none when rollback-on-failure is off) puts a known-good
 * revision back. A rollback that throws (expired credentials mid-rollback, say) still tells
 * both stories.
 */
export async function concludeRollout(
  deps: RolloutDeps,
  request: RolloutRequest,
  deploymentId: string,
  decision: Decision,
  recover: ((failedResult: FailedResult) => Promise<RolloutResult>) | undefined
): Promise<RolloutResult> {
  if (decision.kind === 'done') {
    deps.log(`healthy: ${decision.reason}`)
    return {
      status: 'succeeded',
      deploymentId,
      taskDefinitionArn: request.target.arn,
      rolledBack: false,
      decision
    }
  }
  for (const line of decision.kind === 'failed' ? decision.failure.evidence : []) deps.log(`  ${line}`)
  const failedResult: FailedResult = why => ({
    status: 'failed',
    deploymentId,
    taskDefinitionArn: request.target.arn,
    rolledBack: false,
    reason: why,
    decision
  })
  if (!recover) return failedResult(`deploy failed: ${decision.reason} (rollback-on-failure is off)`)
  const rollbackStart = deps.clock.now()
  let result: RolloutResult
  try {
    result = await recover(failedResult)
  } catch (error) {
    const why = isCredentialError(error) ? credentialErrorMessage(error) : describeError(error)
    result = failedResult(
      `deploy failed: ${decision.reason}; THE ROLLBACK TO ${request.previous.arn} FAILED TOO: ${why}. The service needs attention now.`
    )
  }
  return { ...result, rollbackDurationMs: deps.clock.now() - rollbackStart }
}

/** The result once a rollback has been watched to its verdict: rolled back, or failed twice, loudly. */
export function rollbackOutcome(
  request: RolloutRequest,
  deploymentId: string,
  decision: Decision,
  rollback: NonNullable<RolloutResult['rollback']>,
  failedResult: FailedResult,
  /** How the healthy rollback is described in the reason. */
  healthyAs: string
): RolloutResult {
  const previous = request.previous.arn
  if (rollback.decision.kind === 'done') {
    return {
      status: 'rolled-back',
      deploymentId,
      taskDefinitionArn: previous,
      rolledBack: true,
      reason: `deploy failed: ${decision.reason}; rolled back to ${previous} (${healthyAs})`,
      decision,
      rollback
    }
  }
  return {
    ...failedResult(
      `deploy failed: ${decision.reason}; THE ROLLBACK TO ${previous} FAILED TOO: ${rollback.decision.reason}. The service needs attention now.`
    ),
    rollback
  }
}

async function rollBack(
  deps: RolloutDeps,
  request: RolloutRequest,
  deploymentId: string,
  decision: Decision,
  failedResult: FailedResult
): Promise<RolloutResult> {
  const { plan, previous } = request
  const reason = decision.reason
  const replacedBy = decision.kind === 'failed' ? decision.failure.replacedBy : undefined
  let rollbackId: string
  let byEcs = false

  if (replacedBy && replacedBy.taskDefinition !== previous.arn) {
    // Someone else deployed over us: rolling back now would undo their deploy, not ours.
    return failedResult(
      `deploy failed: ${reason}; not rolling back, because deployment ${replacedBy.id} runs ${revisionName(replacedBy.taskDefinition)}, which is neither ours nor the previous revision`
    )
  }
  if (replacedBy) {
    rollbackId = replacedBy.id
    byEcs = true
    deps.log(
      `ECS is already rolling back (deployment ${rollbackId} → ${revisionName(previous.arn)}): watching it`
    )
  } else {
    // ECS may have started its own rollback since the last poll; never start a second one.
    const now = await deps.ecs.send(
      new DescribeServicesCommand({ cluster: plan.cluster, services: [plan.serviceName] })
    )
    const primary = now.services?.[0]?.deployments?.find(d => d.status === 'PRIMARY')
    if (primary?.id && primary.id !== deploymentId && primary.taskDefinition === previous.arn) {
      rollbackId = primary.id
      byEcs = true
      deps.log(
        `ECS is already rolling back (deployment ${rollbackId} → ${revisionName(previous.arn)}): watching it`
      )
    } else if (previous.arn === request.target.arn) {
      return failedResult(
        `deploy failed: ${reason}; nothing to roll back to (the failed deployment ran the same revision)`
      )
    } else {
      rollbackId = await updateService(deps, plan, previous.arn, {})
      deps.log(
        `rolling back: UpdateService ${plan.serviceName} → ${revisionName(previous.arn)}, deployment ${rollbackId}`
      )
    }
  }

  const rollbackDecision = await watch(
    deps,
    watchContext(request, previous, rollbackId, 'rollback', deps.clock.now()),
    plan
  )
  const rollback = { deploymentId: rollbackId, decision: rollbackDecision, byEcs }
  for (const line of rollbackDecision.kind === 'failed' ? rollbackDecision.failure.evidence : [])
    deps.log(`  ${line}`)
  return rollbackOutcome(request, deploymentId, decision, rollback, failedResult, 'healthy')
}
