// Blue/green deployments that wait for a person before production traffic moves (an ECS pause
// hook, a CodeDeploy deployment at Ready): what waits, and the words for it. Pure: the strategies
// find a waiting deployment, rollout/approval.ts decides what promote and abort may do with it,
// and the job summary says it.
import { revisionName, targetGroupName } from '../aws/names.js'
import type { TargetGroupEvidence } from '../watch/verdict.js'

/**
 * A blue/green deployment that waits for a person before production traffic moves: an ECS pause
 * hook (AWAITING_ACTION), or a CodeDeploy deployment at Ready.
 */
export interface Waiting {
  /** What promote and abort take: the service deployment ARN (ECS) or the CodeDeploy deployment id. */
  readonly deploymentId: string
  /** ECS: the pause hook to continue (ContinueServiceDeployment's hookId). */
  readonly hookId?: string
  /** Where it waits: the lifecycle stage (ECS), or `Ready` (CodeDeploy). */
  readonly stage: string
  /** When the wait runs out (ms since the epoch), when the controller says or it can be worked out. */
  readonly expiresAt?: number
  /** The time is worked out, not said by the controller (CodeDeploy): shown, never decided on. */
  readonly expiryEstimated?: boolean
  /** What the controller does then: go on to production, roll back, or stop (CodeDeploy). */
  readonly atExpiry: 'CONTINUE' | 'ROLLBACK' | 'STOP'
  /** The revision on test traffic, and the one production still runs. */
  readonly taskDefinitionArn: string
  readonly previousTaskDefinitionArn: string
  /** The new revision's targets as last seen (promote refuses while they are not all healthy). */
  readonly green: readonly TargetGroupEvidence[]
  /** Who would carry the deployment on: ECS or CodeDeploy (for the words). */
  readonly controller: 'ECS' | 'CodeDeploy'
}

/** What a strategy finds when asked for the deployment that waits for approval. */
export type WaitingLookup =
  | { readonly kind: 'waiting'; readonly waiting: Waiting }
  /** The wait ran out; `reason` says what the controller did then. */
  | { readonly kind: 'expired'; readonly deploymentId: string; readonly reason: string }
  /** The deployment was already promoted (continued) and went on: promote again only checks health. */
  | {
      readonly kind: 'promoted'
      readonly deploymentId: string
      readonly taskDefinitionArn: string
      readonly reason: string
    }
  /** Nothing waits: no deployment, or one that never paused, or a strategy that never pauses. */
  | { readonly kind: 'none'; readonly reason: string }

/** `2026-12-05 06:12:00 UTC`, or `an unknown time`. */
export function describeTime(ms: number | undefined): string {
  if (ms === undefined) return 'an unknown time'
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** What the controller does when the wait runs out, in words. */
export function describeExpiry(
  waiting: Pick<Waiting, 'atExpiry' | 'controller' | 'previousTaskDefinitionArn'>
): string {
  const back = revisionName(waiting.previousTaskDefinitionArn)
  switch (waiting.atExpiry) {
    case 'CONTINUE':
      return `${waiting.controller} moves production traffic to the new revision by itself`
    case 'ROLLBACK':
      return `${waiting.controller} rolls back to ${back}`
    case 'STOP':
      return `${waiting.controller} stops the deployment and production stays on ${back}`
  }
}

/** `paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until … (then ECS rolls back to web:1)` */
export function pauseNotice(waiting: Waiting): string {
  return `paused at ${waiting.stage}, waiting for approval until ${waiting.expiryEstimated ? 'about ' : ''}${describeTime(waiting.expiresAt)} (then ${describeExpiry(waiting)})`
}

/** Every green target group has all its expected targets healthy (and expects some). */
export function greenHealthy(green: readonly TargetGroupEvidence[]): boolean {
  return green.length > 0 && green.every(g => g.expected > 0 && g.healthy >= g.expected)
}

/** `web-tg-green 2/2 healthy` */
export function describeGreen(green: readonly TargetGroupEvidence[]): string {
  if (green.length === 0) return 'no target group to check'
  return green.map(g => `${targetGroupName(g.targetGroupArn)} ${g.healthy}/${g.expected} healthy`).join(', ')
}

/**
 * What the job summary and the log say about a deployment that waits: what waits, until when,
 * what happens then, and how to promote or abort it.
 */
export function waitingLines(waiting: Waiting): string[] {
  const until = `${waiting.expiryEstimated ? 'about ' : ''}${describeTime(waiting.expiresAt)}`
  return [
    `${revisionName(waiting.taskDefinitionArn)} serves test traffic (${describeGreen(waiting.green)}); production still runs ${revisionName(waiting.previousTaskDefinitionArn)}`,
    `${waiting.controller} waits at ${waiting.stage} for approval until ${until}${waiting.hookId ? ` (pause hook ${waiting.hookId})` : ''}`,
    `at expiry: ${describeExpiry(waiting)}`,
    `to promote: run ecs-ship with mode: promote (deployment-id: ${waiting.deploymentId}); it checks the new targets, moves production and follows it to healthy`,
    `to abort: run ecs-ship with mode: abort (deployment-id: ${waiting.deploymentId}); production stays on, or goes back to, ${revisionName(waiting.previousTaskDefinitionArn)}`
  ]
}
