// What promote and abort may do with the deployment a strategy found waiting: pure decisions, so
// the refusals (nothing waits, the wait ran out, the new targets are not healthy) are tested
// without AWS. modes/promote.ts and modes/abort.ts carry them out.
import { describeExpiry, describeGreen, describeTime, greenHealthy } from '../service/approval.js'
import type { Waiting, WaitingLookup } from './contract.js'

export type PromoteDecision =
  | { readonly kind: 'promote'; readonly waiting: Waiting }
  /** Promoted before (a second promote): nothing to continue, only the health to check. */
  | {
      readonly kind: 'already-promoted'
      readonly deploymentId: string
      readonly taskDefinitionArn: string
      readonly reason: string
    }
  | { readonly kind: 'refuse'; readonly reason: string }

export type AbortDecision =
  { readonly kind: 'abort'; readonly waiting: Waiting } | { readonly kind: 'refuse'; readonly reason: string }

/** The wait ran out by the controller's own clock (a CodeDeploy estimate never decides). */
function expired(waiting: Waiting, now: number): boolean {
  return !waiting.expiryEstimated && waiting.expiresAt !== undefined && waiting.expiresAt <= now
}

/**
 * ECS lifecycle stages after production traffic moved to the new revision. A pause there is past
 * what promote and abort are for: "green" would already be production, so they refuse it rather
 * than read blue and green the wrong way round.
 */
const AFTER_PRODUCTION_SHIFT = new Set([
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME'
])

/** Whether an ECS lifecycle stage comes after production traffic moved to the new revision. */
export function afterProductionShift(stage: string): boolean {
  return AFTER_PRODUCTION_SHIFT.has(stage)
}

/**
 * wait-until ready on an ECS-native service, decided in the plan from its PAUSE hooks' stages:
 * the refusal (naming the input and the stages) when none of them stops the deployment before
 * production traffic moves, since promote and abort act only on such a pause; undefined when
 * one does.
 */
export function refuseReadyPauses(serviceName: string, pauseStages: readonly string[]): string | undefined {
  if (pauseStages.length === 0)
    return `input wait-until: \`ready\` stops an ECS-native deployment at a pause hook, and service ${serviceName} has no PAUSE hook: add a lifecycle hook with targetType PAUSE at POST_TEST_TRAFFIC_SHIFT to its deploymentConfiguration.lifecycleHooks`
  if (pauseStages.some(stage => !afterProductionShift(stage))) return undefined
  const stages = [...new Set(pauseStages)].join(', ')
  return `input wait-until: \`ready\` stops an ECS-native deployment at a pause hook before production traffic moves, and service ${serviceName} pauses only at ${stages}, after production traffic moved to the new revision, where promote and abort cannot act; nothing was changed. Put the PAUSE hook at POST_TEST_TRAFFIC_SHIFT in its deploymentConfiguration.lifecycleHooks, or deploy with wait-until: succeeded`
}

function pausedAfterProduction(mode: 'promote' | 'abort', waiting: Waiting): string | undefined {
  if (waiting.controller !== 'ECS' || !afterProductionShift(waiting.stage)) return undefined
  const action = mode === 'promote' ? 'CONTINUE' : 'ROLLBACK'
  return `deployment ${waiting.deploymentId} is paused at ${waiting.stage}, after production traffic moved to the new revision; ${mode} acts on pauses before production moves (up to POST_TEST_TRAFFIC_SHIFT), so nothing was changed. Move this one on with: aws ecs continue-service-deployment --service-deployment-arn ${waiting.deploymentId}${waiting.hookId ? ` --hook-id ${waiting.hookId}` : ''} --action ${action}`
}

function notWaiting(mode: 'promote' | 'abort', lookup: Exclude<WaitingLookup, { kind: 'waiting' }>): string {
  const what = mode === 'promote' ? 'promoted' : 'aborted'
  if (lookup.kind === 'expired') return `nothing to be ${what}: ${lookup.reason}`
  return `nothing waits for approval, so nothing was ${what}: ${lookup.reason}`
}

export function decidePromote(lookup: WaitingLookup, now: number): PromoteDecision {
  if (lookup.kind === 'promoted')
    return {
      kind: 'already-promoted',
      deploymentId: lookup.deploymentId,
      taskDefinitionArn: lookup.taskDefinitionArn,
      reason: lookup.reason
    }
  if (lookup.kind !== 'waiting') return { kind: 'refuse', reason: notWaiting('promote', lookup) }
  const { waiting } = lookup
  const late = pausedAfterProduction('promote', waiting)
  if (late) return { kind: 'refuse', reason: late }
  if (expired(waiting, now))
    return {
      kind: 'refuse',
      reason: `deployment ${waiting.deploymentId} waited for approval until ${describeTime(waiting.expiresAt)}, and that has passed: ${describeExpiry(waiting)}; nothing was promoted`
    }
  if (!greenHealthy(waiting.green)) {
    const unhealthy = waiting.green
      .flatMap(g => g.targets)
      .filter(t => t.state !== 'healthy')
      .map(t => `${t.id}:${t.port} ${t.state}${t.reason ? ` (${t.reason})` : ''}`)
    return {
      kind: 'refuse',
      reason: `not promoting deployment ${waiting.deploymentId}: the new revision's targets are not all healthy (${describeGreen(waiting.green)}${unhealthy.length > 0 ? `; ${unhealthy.slice(0, 3).join(', ')}` : ''}). Production still runs the previous revision. Promote again once they are healthy, or abort.`
    }
  }
  return { kind: 'promote', waiting }
}

export function decideAbort(lookup: WaitingLookup, now: number): AbortDecision {
  if (lookup.kind !== 'waiting') return { kind: 'refuse', reason: notWaiting('abort', lookup) }
  const { waiting } = lookup
  const late = pausedAfterProduction('abort', waiting)
  if (late) return { kind: 'refuse', reason: late }
  if (expired(waiting, now))
    return {
      kind: 'refuse',
      reason: `deployment ${waiting.deploymentId} waited for approval until ${describeTime(waiting.expiresAt)}, and that has passed: ${describeExpiry(waiting)}; nothing was aborted`
    }
  return { kind: 'abort', waiting }
}
