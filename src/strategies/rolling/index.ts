// A rolling deploy: UpdateService to the new revision, watch our deployment to healthy, and on
// failure put the previous revision back (or follow ECS's own circuit-breaker rollback) and
// watch that too. The verdict is in watch/verdict.ts; this file is the sequence of AWS calls.
import { DescribeServicesCommand } from '@aws-sdk/client-ecs'
import { revisionName } from '../../aws/names.js'
import { ActionError } from '../../errors.js'
import { inFlightDeployment, startDeployment } from '../../service/deployment.js'
import type { ServicePlan } from '../../service/plan.js'
import { revisionFacts, type RevisionFacts } from '../../taskdef/facts.js'
import { watchDeployment } from '../../watch/loop.js'
import { checkSettledDeployment } from '../../watch/settled.js'
import { createObserver, type ObserveTarget } from '../../watch/observe.js'
import type { WatchContext } from '../../watch/observation.js'
import { DEFAULT_FAILURE_THRESHOLD, type Decision } from '../../watch/verdict.js'
import type {
  FailedRollout,
  InFlight,
  RollbackOutcome,
  RolloutDeps,
  RolloutRequest,
  StartedDeployment,
  Strategy
} from '../../rollout/contract.js'

export function rollingStrategy(deps: RolloutDeps): Strategy {
  return {
    name: 'rolling',
    deps,
    // A rolling deployment has no test traffic and no point where it waits for a person.
    findWaiting: async plan => ({ kind: 'none', reason: neverWaits(`service ${plan.serviceName}`) }),
    promote: async waiting => {
      throw new ActionError(neverWaits(`deployment ${waiting.deploymentId}`))
    },
    abort: async waiting => {
      throw new ActionError(neverWaits(`deployment ${waiting.deploymentId}`))
    },
    carriedOnBy: 'ECS',
    notFollowingLine: 'wait-for-service-stability is false: not waiting for the new tasks to be healthy',
    findInFlight: async plan => inFlightDeployment(plan.service),
    waitForInFlight: async (inFlight, { plan, currentDefinition, timeoutMs }) => {
      await waitForInFlight(deps, {
        plan,
        revision: revisionFacts(inFlight.taskDefinition ?? plan.taskDefinitionArn, currentDefinition),
        inFlight,
        timeoutMs
      })
    },
    checkRunning: request =>
      checkSettledDeployment({
        service: request.plan.service,
        observer: deploymentId =>
          observerFor(deps, request.plan, {
            deploymentId,
            loadBalancers: request.plan.loadBalancers,
            revision: request.target
          }),
        context: deploymentId =>
          watchContext(request, request.target, {
            deploymentId,
            label: 'current deployment',
            startedAt: deps.clock.now()
          }),
        wait: request.wait,
        options: {
          clock: deps.clock,
          log: deps.log,
          ...(deps.backoff !== undefined && { backoff: deps.backoff })
        }
      }),
    rollOut: async request => {
      const { plan } = request
      const { deploymentId } = await startDeployment(deps, plan, request.target.arn, {
        ...(request.desiredCount !== undefined && { desiredCount: request.desiredCount }),
        forceNewDeployment: request.forceNewDeployment
      })
      deps.log(
        `UpdateService: ${plan.serviceName} → ${revisionName(request.target.arn)}, deployment ${deploymentId}`
      )
      return { id: deploymentId }
    },
    follow: async (deployment, request) => ({
      decision: await watch(
        deps,
        watchContext(request, request.target, {
          deploymentId: deployment.id,
          label: 'deployment',
          startedAt: deps.clock.now()
        }),
        request.plan,
        true
      ),
      followed: deployment
    }),
    followsRollbackAnyway: () => false,
    rollBack: failed => rollBack(deps, failed)
  }
}

function watchContext(
  request: Pick<RolloutRequest, 'plan' | 'timeoutMs'>,
  revision: RevisionFacts,
  watched: {
    readonly deploymentId: string
    readonly label: WatchContext['label']
    readonly startedAt: number
  }
): WatchContext {
  const { deploymentId, label, startedAt } = watched
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

/** The observer of one deployment of the service. */
function observerFor(
  deps: RolloutDeps,
  plan: ServicePlan,
  watched: {
    readonly deploymentId: string
    readonly loadBalancers: readonly { targetGroupArn: string }[]
    readonly revision: RevisionFacts
    /** Started by this run just before the watch (our rollout, our rollback). */
    readonly startedByUs?: boolean
  }
) {
  const target: ObserveTarget = {
    cluster: plan.cluster,
    service: plan.serviceName,
    targetGroupArns: [...new Set(watched.loadBalancers.map(lb => lb.targetGroupArn))],
    deploymentId: watched.deploymentId,
    watchContainerHealth: watched.loadBalancers.length === 0 && watched.revision.containerHealthChecks,
    ...(watched.startedByUs && { startedByUs: true })
  }
  return deps.makeObserver
    ? deps.makeObserver(target)
    : createObserver(deps.ecs, deps.elb, target, deps.clock)
}

async function watch(
  deps: RolloutDeps,
  context: WatchContext,
  plan: ServicePlan,
  /** The deployment was started by this run just before (our rollout, our UpdateService rollback). */
  startedByUs = false
): Promise<Decision> {
  const observer = observerFor(deps, plan, {
    startedByUs,
    deploymentId: context.deploymentId,
    loadBalancers: plan.loadBalancers,
    revision: {
      arn: context.taskDefinitionArn,
      networkMode: context.networkMode,
      containerHealthChecks: context.containerHealthChecks
    }
  })
  return watchDeployment(observer, context, {
    clock: deps.clock,
    log: deps.log,
    ...(deps.backoff !== undefined && { backoff: deps.backoff })
  })
}

/**
 * Watches an in-flight deployment (found by inFlightDeployment) with the same loop as ours, until
 * it is done or has failed; either way the service has settled and a fresh plan can be made.
 * Fails when it does not settle within the timeout, before anything of ours has changed.
 */
async function waitForInFlight(
  deps: RolloutDeps,
  wait: {
    readonly plan: ServicePlan
    readonly revision: RevisionFacts
    readonly inFlight: InFlight
    readonly timeoutMs: number
  }
): Promise<Decision> {
  const { plan, revision, inFlight, timeoutMs } = wait
  deps.log(
    `another deployment of ${plan.serviceName} is in flight (${inFlight.id}, ${revisionName(revision.arn)}): waiting for it to settle before deploying`
  )
  const context = watchContext({ plan, timeoutMs }, revision, {
    deploymentId: inFlight.id,
    label: 'in-flight deployment',
    startedAt: deps.clock.now()
  })
  const decision = await watch(deps, context, plan)
  if (decision.kind === 'failed' && decision.failure.cause === 'timeout') {
    throw new ActionError(
      `the in-flight deployment ${inFlight.id} did not settle in time (${decision.reason}); nothing was changed`
    )
  }
  deps.log(`deployment ${inFlight.id} settled: ${decision.kind === 'done' ? 'completed' : decision.reason}`)
  return decision
}

/** Puts the previous revision back with UpdateService, unless ECS's circuit breaker already does. */
async function rollBack(
  deps: RolloutDeps,
  { deployment, request, decision }: FailedRollout<StartedDeployment>
): Promise<RollbackOutcome> {
  const { plan, previous } = request
  const reason = decision.reason
  const replacedBy = decision.kind === 'failed' ? decision.failure.replacedBy : undefined
  let rollbackId: string
  let byEcs = false

  if (replacedBy && replacedBy.taskDefinition !== previous.arn) {
    // Someone else deployed over us: rolling back now would undo their deploy, not ours.
    return {
      kind: 'not-rolled-back',
      reason: `deploy failed: ${reason}; not rolling back, because deployment ${replacedBy.id} runs ${revisionName(replacedBy.taskDefinition)}, which is neither ours nor the previous revision`
    }
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
    if (primary?.id && primary.id !== deployment.id && primary.taskDefinition === previous.arn) {
      rollbackId = primary.id
      byEcs = true
      deps.log(
        `ECS is already rolling back (deployment ${rollbackId} → ${revisionName(previous.arn)}): watching it`
      )
    } else if (previous.arn === request.target.arn) {
      return {
        kind: 'not-rolled-back',
        reason: `deploy failed: ${reason}; nothing to roll back to (the failed deployment ran the same revision)`
      }
    } else {
      rollbackId = (await startDeployment(deps, plan, previous.arn, {})).deploymentId
      deps.log(
        `rolling back: UpdateService ${plan.serviceName} → ${revisionName(previous.arn)}, deployment ${rollbackId}`
      )
    }
  }

  const rollbackDecision = await watch(
    deps,
    watchContext(request, previous, {
      deploymentId: rollbackId,
      label: 'rollback',
      startedAt: deps.clock.now()
    }),
    plan,
    !byEcs
  )
  return {
    kind: 'followed',
    rollback: { deploymentId: rollbackId, decision: rollbackDecision, byEcs },
    healthyAs: 'healthy'
  }
}

function neverWaits(what: string): string {
  return `${what} deploys with the rolling strategy (ECS controller, no blue/green), which never waits for approval: promote and abort act on an ECS-native blue/green deployment with a pause hook, or a CodeDeploy deployment with a manual reroute`
}
