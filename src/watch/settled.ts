// Checking a deployment the service already runs, when a run finds nothing to change: done only
// when ECS completed it and its tasks are healthy now. `unchanged` is a claim about the live
// service, so it is checked with the same loop and verdict as a rollout, never assumed.
import type { Service } from '@aws-sdk/client-ecs'
import { revisionName } from '../aws/names.js'
import { servingRevision } from '../service/deployment.js'
import { watchDeployment, type WatchOptions } from './loop.js'
import type { Observer } from './observe.js'
import type { WatchContext } from './observation.js'
import { decide, type Decision } from './verdict.js'

/** What the service runs now, checked (see rollout/contract.ts, which names it RunningCheck). */
export type RunningCheck =
  /** Its deployment of that revision completed and (when waited for) its tasks are healthy. */
  | { readonly kind: 'healthy'; readonly deploymentId: string; readonly decision?: Decision }
  /** Its deployment of that revision failed: deploying it again is the way to a verdict. */
  | {
      readonly kind: 'failed-deployment'
      readonly deploymentId: string
      readonly reason: string
      /** The revision that still serves (an older deployment's), when one does. */
      readonly serving?: string
    }
  /**
   * Its deployment of that revision is still rolling out (a cancelled run's, whose verdict came
   * before ECS's): it is followed to its verdict as if this run had started it.
   */
  | { readonly kind: 'in-progress'; readonly deploymentId: string; readonly serving?: string }
  /** It runs that revision, but not healthily now. */
  | {
      readonly kind: 'unhealthy'
      readonly deploymentId: string
      readonly reason: string
      readonly decision?: Decision
    }

export interface SettledCheck {
  /** The service as the plan read it. */
  readonly service: Service
  readonly observer: (deploymentId: string) => Observer
  readonly context: (deploymentId: string) => WatchContext
  /** wait-for-service-stability: without it, only ECS's own state of the deployment is read. */
  readonly wait: boolean
  readonly options: Omit<WatchOptions, 'decide'>
}

export async function checkSettledDeployment(check: SettledCheck): Promise<RunningCheck> {
  const primary = check.service.deployments?.find(d => d.status === 'PRIMARY')
  if (!primary?.id)
    return { kind: 'unhealthy', deploymentId: '-', reason: 'the service has no PRIMARY deployment' }
  const deploymentId = primary.id
  const serving = servingRevision(check.service)
  const failed = (reason: string): RunningCheck => ({
    kind: 'failed-deployment',
    deploymentId,
    reason,
    ...(serving !== undefined && { serving })
  })
  if (primary.rolloutState === 'FAILED')
    return failed(
      `ECS marked deployment ${deploymentId} of ${revisionName(primary.taskDefinition ?? '?')} FAILED${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ''}`
    )
  if (primary.rolloutState === 'IN_PROGRESS')
    return { kind: 'in-progress', deploymentId, ...(serving !== undefined && { serving }) }
  if (!check.wait) return { kind: 'healthy', deploymentId }
  const context = check.context(deploymentId)
  // Tasks that had stopped before the check began were replaced long ago: only new failures count.
  let past: ReadonlySet<string> | undefined
  const decision = await watchDeployment(check.observer(deploymentId), context, {
    ...check.options,
    decide: observation => {
      past ??= new Set(observation.tasks.filter(t => t.lastStatus === 'STOPPED').map(t => t.taskArn))
      return decide(observation, { ...context, pastStoppedTasks: past })
    }
  })
  if (decision.kind === 'done') return { kind: 'healthy', deploymentId, decision }
  if (decision.kind === 'failed' && decision.failure.cause === 'rollout-failed')
    return failed(decision.reason)
  return { kind: 'unhealthy', deploymentId, reason: decision.reason, decision }
}
