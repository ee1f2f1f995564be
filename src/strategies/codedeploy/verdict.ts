// CodeDeploy blue/green, the pure part: the verdict on one poll of a deployment (ours, or its
// rollback), and whether another deployment of the group has ended. No AWS calls here: index.ts
// gathers the data and carries the decisions out.
import { targetGroupName } from '../../aws/names.js'
import type { Waiting } from '../../rollout/contract.js'
import { pauseNotice } from '../../service/approval.js'
import type { TargetGroupView, TaskView } from '../../watch/observation.js'
import {
  describeStoppedTask,
  isFailureStop,
  statusProgress,
  targetCountEvidence,
  timedOutAfter,
  untilEnded,
  type Decision,
  type FailureCause,
  type Progress,
  type TargetGroupEvidence
} from '../../watch/verdict.js'

export interface LifecycleEventView {
  readonly name: string
  readonly status: string
  readonly diagnostics?: {
    readonly errorCode?: string
    readonly message?: string
    readonly scriptName?: string
    readonly logTail?: string
  }
}

export interface TaskSetView {
  /** Blue (original) or Green (replacement). */
  readonly label: string
  readonly status?: string
  readonly desiredCount: number
  readonly runningCount: number
  readonly pendingCount: number
  readonly trafficWeight: number
  readonly targetGroupName?: string
}

export interface CodeDeployObservation {
  readonly at: number
  readonly status: string
  readonly errorCode?: string
  readonly errorMessage?: string
  readonly rollbackDeploymentId?: string
  readonly lifecycleEvents: readonly LifecycleEventView[]
  readonly taskSets: readonly TaskSetView[]
  /** The target group that must end up healthy (green for a deployment, blue for a rollback). */
  readonly targetGroup?: TargetGroupView
  /** Tasks of the revision being deployed that stopped (for the reason of a crash loop). */
  readonly stoppedTasks: readonly TaskView[]
  /** At Ready: when the wait began (the end of the last lifecycle event before it), ms since the epoch. */
  readonly readySince?: number
}

export interface CodeDeployContext {
  readonly label: 'deployment' | 'rollback'
  readonly deploymentId: string
  /** Succeeded, or Ready (replacement serving test traffic, waiting for a manual reroute). */
  readonly waitUntil: 'succeeded' | 'ready'
  readonly targetGroupArn?: string
  readonly startedAt: number
  readonly timeoutMs: number
  readonly failureThreshold: number
  /** A group that stops at Ready: how long it waits, and the revisions, to say what waits. */
  readonly ready?: {
    readonly waitMs: number
    readonly taskDefinitionArn: string
    readonly previousTaskDefinitionArn: string
  }
}

const FINISHED_BADLY = ['Failed', 'Stopped']

export function describeLifecycleFailure(event: LifecycleEventView): string {
  const d = event.diagnostics
  const detail = [d?.errorCode, d?.scriptName ? `hook ${d.scriptName}` : undefined, d?.message]
    .filter(Boolean)
    .join(': ')
  return `lifecycle event ${event.name} ${event.status}${detail ? ` (${detail})` : ''}`
}

function progressLine(
  o: CodeDeployObservation,
  context: CodeDeployContext,
  group?: TargetGroupEvidence
): string {
  const parts = [`${context.label} ${context.deploymentId}: ${o.status}`]
  const waiting = context.label === 'deployment' ? readyWaiting(o, context, group ? [group] : []) : undefined
  if (waiting && context.waitUntil === 'succeeded') parts.push(pauseNotice(waiting))
  else if (o.status === 'Ready' && context.waitUntil === 'succeeded')
    parts.push(
      'waiting for the production reroute (ContinueDeployment), or for the group’s wait time to run out'
    )
  const current = o.lifecycleEvents.find(e => e.status === 'InProgress')
  const done = o.lifecycleEvents.filter(e => e.status === 'Succeeded').length
  if (o.lifecycleEvents.length > 0)
    parts.push(`${current ? `event ${current.name}` : 'events'} ${done}/${o.lifecycleEvents.length} done`)
  for (const set of o.taskSets)
    parts.push(`${set.label} ${set.runningCount}/${set.desiredCount} running, ${set.trafficWeight}% traffic`)
  if (group) parts.push(`${targetGroupName(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`)
  return parts.join(' · ')
}

/** The verdict on one poll of a CodeDeploy deployment (ours, or the rollback of it). */
export function decideCodeDeploy(o: CodeDeployObservation, context: CodeDeployContext): Decision {
  const replacement = o.taskSets.find(s => s.label === 'Green')
  // A deployment must end with the replacement healthy; a rollback with whatever task set then
  // serves production (the original one in CodeDeploy's own rollback, the replacement when
  // ecs-ship redeployed the previous revision).
  const serving = o.taskSets.find(s => s.trafficWeight >= 100)
  const expected =
    context.label === 'rollback'
      ? (serving?.desiredCount ?? Math.max(0, ...o.taskSets.map(s => s.desiredCount)))
      : (replacement?.desiredCount ?? 0)
  const targets = o.targetGroup?.targets ?? []
  const group: TargetGroupEvidence | undefined = context.targetGroupArn
    ? targetCountEvidence(context.targetGroupArn, targets, expected)
    : undefined
  const failedStops = o.stoppedTasks.filter(isFailureStop)
  const progress: Progress = {
    running: replacement?.runningCount ?? 0,
    pending: replacement?.pendingCount ?? 0,
    desired: expected,
    failedTasks: failedStops.length,
    deployments: o.taskSets.length,
    rolloutState: o.status,
    targetGroups: group ? [group] : [],
    line: progressLine(o, context, group)
  }
  const failed = (cause: FailureCause, reason: string, evidence: readonly string[]): Decision => ({
    kind: 'failed',
    reason,
    progress,
    failure: { cause, evidence }
  })
  const stopEvidence = failedStops.map(describeStoppedTask)
  const failedEvent = o.lifecycleEvents.find(e => e.status === 'Failed')
  const hookEvidence = failedEvent?.diagnostics?.logTail
    ? failedEvent.diagnostics.logTail.split('\n').filter(line => line.trim() !== '')
    : []

  if (FINISHED_BADLY.includes(o.status)) {
    const error =
      o.errorCode || o.errorMessage ? `: ${[o.errorCode, o.errorMessage].filter(Boolean).join(': ')}` : ''
    const event = failedEvent ? `; ${describeLifecycleFailure(failedEvent)}` : ''
    return failed(
      'rollout-failed',
      `CodeDeploy ${context.label} ${context.deploymentId} ${o.status}${error}${event}`,
      [...hookEvidence, ...stopEvidence]
    )
  }
  // A failed hook fails the deployment; say so now rather than when CodeDeploy gets to it.
  if (failedEvent && context.label === 'deployment')
    return failed('rollout-failed', describeLifecycleFailure(failedEvent), [...hookEvidence, ...stopEvidence])

  const unhealthy = targets.filter(t => t.state === 'unhealthy')
  if (context.label === 'deployment' && failedStops.length + unhealthy.length >= context.failureThreshold) {
    if (unhealthy.length > 0) {
      const first = unhealthy[0]
      const why = [first?.reason, first?.description].filter(Boolean).join(': ')
      return failed(
        'targets-unhealthy',
        `replacement tasks fail their load balancer health checks: target ${first?.id ?? '?'} is unhealthy in ${targetGroupName(context.targetGroupArn ?? '')}${why ? ` (${why})` : ''}`,
        [
          ...unhealthy.map(
            t => `target ${t.id}:${t.port ?? '?'} ${t.state}${t.reason ? ` (${t.reason})` : ''}`
          ),
          ...stopEvidence
        ]
      )
    }
    return failed(
      'tasks-stopped',
      `${failedStops.length} replacement tasks failed: ${stopEvidence[0] ?? ''}`,
      stopEvidence
    )
  }

  const arrived = o.status === 'Succeeded' || (context.waitUntil === 'ready' && o.status === 'Ready')
  const healthy = !group || (group.expected > 0 && group.healthy >= group.expected)
  if (arrived && healthy) {
    const where = group
      ? `; ${targetGroupName(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`
      : ''
    const what =
      o.status === 'Ready'
        ? 'Ready: the replacement serves test traffic and waits for the production reroute'
        : 'Succeeded'
    return {
      kind: 'done',
      reason: `CodeDeploy ${context.label} ${context.deploymentId} ${what}${where}`,
      progress
    }
  }
  if (o.at - context.startedAt >= context.timeoutMs) {
    return failed(
      'timeout',
      `${timedOutAfter(context.timeoutMs)} waiting for CodeDeploy ${context.label} ${context.deploymentId}; last state: ${progress.line}`,
      stopEvidence
    )
  }
  const reason = arrived ? 'targets to be healthy' : `CodeDeploy to finish (${o.status})`
  return { kind: 'wait', reason, progress }
}

/** Statuses of a deployment that has not ended; Ready waits for a manual reroute. */
export const IN_FLIGHT = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const

/** Whether another deployment of the group has ended, and if not, whether there is still time to wait. */
export function decideEnded(
  observation: { readonly at: number; readonly status: string },
  context: { readonly deploymentId: string; readonly startedAt: number; readonly timeoutMs: number }
): Decision {
  const { status } = observation
  const line = `in-flight CodeDeploy deployment ${context.deploymentId}: ${status}`
  const ended = !(IN_FLIGHT as readonly string[]).includes(status)
  return untilEnded({ ...observation, ended }, statusProgress(line), context, 'CodeDeploy to end it')
}

/**
 * A deployment at Ready, as what waits for approval: the replacement on test traffic until the
 * group's wait time runs out, when CodeDeploy stops it and production stays on the original.
 */
export function readyWaiting(
  o: Pick<CodeDeployObservation, 'status' | 'readySince'>,
  context: Pick<CodeDeployContext, 'deploymentId' | 'ready'>,
  green: readonly TargetGroupEvidence[]
): Waiting | undefined {
  if (o.status !== 'Ready' || !context.ready) return undefined
  return {
    deploymentId: context.deploymentId,
    stage: 'Ready',
    ...(o.readySince !== undefined && {
      expiresAt: o.readySince + context.ready.waitMs,
      expiryEstimated: true
    }),
    atExpiry: 'STOP',
    taskDefinitionArn: context.ready.taskDefinitionArn,
    previousTaskDefinitionArn: context.ready.previousTaskDefinitionArn,
    green,
    controller: 'CodeDeploy'
  }
}
