// The heart of the health gate: from what one poll observed, decide whether the deployment is
// done, has failed (and why), or needs more waiting. Pure and synchronous; time comes in as
// observation.at, so a 30-minute timeout is tested in milliseconds.
//
// Failure threshold: a single stopped task is not a verdict (a host can die, a Spot instance
// can be reclaimed, and the scheduler simply replaces it); a second failure of the same
// deployment is a pattern. DEFAULT_FAILURE_THRESHOLD is therefore 2, counted over stopped tasks
// and tasks whose targets are unhealthy after the health-check grace period. ECS's own circuit
// breaker waits for half the desired count (at least 3) and is usually slower than this.
import { revisionName, shortId, targetGroupName } from '../aws/names.js'
import type { RolloutTimeline } from './timeline.js'
import type { LoadBalancerTarget } from '../service/plan.js'
import type {
  DeploymentView,
  Observation,
  ServiceDeploymentView,
  TargetGroupView,
  TrafficView,
  TargetView,
  TaskView,
  WatchContext
} from './observation.js'

export const DEFAULT_FAILURE_THRESHOLD = 2

export type FailureCause =
  | 'rollout-failed'
  | 'replaced'
  | 'tasks-stopped'
  | 'targets-unhealthy'
  | 'timeout'
  /** ECS-native: ECS is rolling the service deployment back itself (circuit breaker, alarm, hook). */
  | 'ecs-rollback'
  /** ECS-native: the service deployment was stopped (by someone, or by a newer deployment). */
  | 'stopped'

export interface TargetEvidence {
  readonly task: string
  readonly id: string
  readonly port: number
  readonly state: string
  readonly reason?: string
  readonly description?: string
}

export interface TargetGroupEvidence {
  readonly targetGroupArn: string
  readonly healthy: number
  readonly expected: number
  readonly targets: readonly TargetEvidence[]
}

export interface Progress {
  readonly running: number
  readonly pending: number
  readonly desired: number
  readonly failedTasks: number
  readonly deployments: number
  readonly rolloutState?: string
  readonly targetGroups: readonly TargetGroupEvidence[]
  /**
   * Tasks the older deployments still run. Part of the line so that the line changes as they
   * stop: the watch then polls quickly, and the verdict that follows their last stop is not missed
   * by a backed-off poll.
   */
  readonly olderRunning?: number
  /** ECS-native: the service deployment's lifecycle stage and the listener rules' weights. */
  readonly lifecycleStage?: string
  /** While baking: how long is left, coarsely (it is part of the line, which must not change every poll). */
  readonly bakeLeft?: string
  readonly traffic?: readonly TrafficView[]
  /**
   * When the next change is expected within this long (ms): the loop does not sleep past it.
   * ECS-native: the end of the bake time, and the clean-up of blue, after which ECS completes.
   */
  readonly nextChangeWithinMs?: number
  /**
   * Clock ms before which no target of ours can change state: every one is still in (or before)
   * its initial health checks, which cannot reach their threshold earlier. Not used to skip reads
   * yet (see planReads in poll-plan.ts).
   */
  readonly targetsQuietUntil?: number
  /** One line for the log; the loop prints it only when it differs from the last one. */
  readonly line: string
  /** Set on the watch's last decision: where the rollout's time went (timeline.ts). */
  readonly timeline?: RolloutTimeline
}

export interface Failure {
  readonly cause: FailureCause
  /** The deployment that took over ours, when one did (the circuit breaker's rollback). */
  readonly replacedBy?: DeploymentView
  /** Details behind the reason: stopped tasks, exit codes, ELB reason codes. */
  readonly evidence: readonly string[]
}

export type Decision =
  | { readonly kind: 'wait'; readonly reason: string; readonly progress: Progress }
  | { readonly kind: 'done'; readonly reason: string; readonly progress: Progress }
  | {
      readonly kind: 'failed'
      readonly reason: string
      readonly progress: Progress
      readonly failure: Failure
    }

function isOurs(task: TaskView, context: WatchContext): boolean {
  if (task.startedBy !== undefined) return task.startedBy === context.deploymentId
  return task.taskDefinitionArn === context.taskDefinitionArn
}

/** Where a task shows up in a target group: its IP (awsvpc) or its instance and host port. */
export function expectedTarget(
  task: TaskView,
  lb: LoadBalancerTarget,
  networkMode: string
): { id: string; port: number } | undefined {
  if (networkMode === 'awsvpc') {
    return task.privateIp ? { id: task.privateIp, port: lb.containerPort } : undefined
  }
  const binding = task.bindings.find(
    b => b.containerName === lb.containerName && b.containerPort === lb.containerPort
  )
  if (!task.instanceId || !binding) return undefined
  return { id: task.instanceId, port: binding.hostPort }
}

function findTarget(group: TargetGroupView | undefined, id: string, port: number): TargetView | undefined {
  return group?.targets.find(t => t.id === id && (t.port === undefined || t.port === port))
}

/** Stops that say nothing about the revision: capacity reclaimed, a person, a scale-in. */
export function isFailureStop(task: TaskView): boolean {
  if (task.desiredStatus !== 'STOPPED') return false
  if (
    task.stopCode === 'SpotInterruption' ||
    task.stopCode === 'TerminationNotice' ||
    task.stopCode === 'UserInitiated'
  )
    return false
  if (task.stoppedReason?.startsWith('Scaling activity initiated by')) return false
  return true
}

/** "task 1a2b stopped (EssentialContainerExited): Essential container in task exited; web exited 1: OOM" */
export function describeStoppedTask(task: TaskView): string {
  const parts = [
    `task ${shortId(task.taskArn)} stopped${task.stopCode ? ` (${task.stopCode})` : ''}: ${task.stoppedReason ?? 'no reason given'}`
  ]
  for (const container of task.containers) {
    if (container.exitCode !== undefined || container.reason) {
      const exit = container.exitCode !== undefined ? ` exited ${container.exitCode}` : ''
      parts.push(`${container.name}${exit}${container.reason ? `: ${container.reason}` : ''}`)
    }
  }
  return parts.join('; ')
}

function describeUnhealthyTarget(target: TargetEvidence, group: string): string {
  const why = [target.reason, target.description].filter(Boolean).join(': ')
  return `target ${target.id}:${target.port} of task ${target.task} is unhealthy in ${group}${why ? ` (${why})` : ''}`
}

interface TaskHealth {
  readonly groups: TargetGroupEvidence[]
  /** Running tasks of ours with a target unhealthy after the grace period. */
  readonly unhealthyTasks: Set<string>
  readonly unhealthyEvidence: string[]
  readonly allHealthy: boolean
  /** When the first task whose target is unhealthy within its grace period leaves that period. */
  readonly unhealthyInGraceUntil?: number
}

function targetHealth(
  running: readonly TaskView[],
  observation: Observation,
  context: WatchContext
): TaskHealth {
  const groups: TargetGroupEvidence[] = []
  const unhealthyTasks = new Set<string>()
  const unhealthyEvidence: string[] = []
  let allHealthy = true
  let unhealthyInGraceUntil: number | undefined
  const groupArns = [...new Set(context.loadBalancers.map(lb => lb.targetGroupArn))]
  for (const arn of groupArns) {
    const group = observation.targetGroups.find(g => g.arn === arn)
    const targets: TargetEvidence[] = []
    let healthy = 0
    let expected = 0
    for (const task of running) {
      for (const lb of context.loadBalancers.filter(l => l.targetGroupArn === arn)) {
        expected++
        const where = expectedTarget(task, lb, context.networkMode)
        const seen = where ? findTarget(group, where.id, where.port) : undefined
        const evidence: TargetEvidence = {
          task: shortId(task.taskArn),
          id: where?.id ?? '?',
          port: where?.port ?? lb.containerPort,
          state: seen?.state ?? 'not registered',
          ...(seen?.reason !== undefined && { reason: seen.reason }),
          ...(seen?.description !== undefined && { description: seen.description })
        }
        targets.push(evidence)
        if (seen?.state === 'healthy') healthy++
        else allHealthy = false
        const pastGrace =
          task.startedAt === undefined || observation.at - task.startedAt >= context.healthCheckGracePeriodMs
        if (seen?.state === 'unhealthy' && pastGrace) {
          unhealthyTasks.add(task.taskArn)
          unhealthyEvidence.push(describeUnhealthyTarget(evidence, targetGroupName(arn)))
        } else if (seen?.state === 'unhealthy' && task.startedAt !== undefined) {
          const graceEnds = task.startedAt + context.healthCheckGracePeriodMs
          unhealthyInGraceUntil = Math.min(unhealthyInGraceUntil ?? graceEnds, graceEnds)
        }
      }
    }
    groups.push({ targetGroupArn: arn, healthy, expected, targets })
  }
  return {
    groups,
    unhealthyTasks,
    unhealthyEvidence,
    allHealthy,
    ...(unhealthyInGraceUntil !== undefined && { unhealthyInGraceUntil })
  }
}

/**
 * Whether a verdict is due any moment: targets in their initial health checks turn healthy or
 * unhealthy within a few health-check intervals. The loop keeps polling quickly then instead of
 * backing off, since every second of late polling is a second the job hangs after the deploy is
 * done. (A task stuck in PENDING is not counted: that can last, and backing off is right there.)
 */
export function transitionPending(progress: Progress): boolean {
  return progress.targetGroups.some(g => g.targets.some(t => t.state === 'initial'))
}

/**
 * When something is due to change although nothing on the way shows it, so the watch loop does
 * not sleep through it:
 * - the end of an ECS-native bake time;
 * - ECS-native clean-up, which ends with blue's tasks stopping and ECS completing at once: due now;
 * - old tasks' targets draining: they are gone once the target group's deregistration delay has
 *   passed since they began to drain; then the old tasks stop and the rollout completes;
 * - a new task's target unhealthy within the health-check grace period: it counts as a failure
 *   the moment the grace period ends.
 */
function nextChangeWithinMs(
  observation: Observation,
  seen: {
    readonly health: TaskHealth
    readonly bakeLeft: number | undefined
    readonly older: readonly DeploymentView[]
    /** Our tasks' image pulls done (AWS time): a task's target registers after its pull. */
    readonly pulledAt?: readonly number[]
    /** When the watch began: ECS's drain events before it are about another deployment. */
    readonly since: number
  }
): { readonly dueMs?: number; readonly targetsQuietUntil?: number } {
  const { health, bakeLeft, older } = seen
  const pulled = seen.pulledAt && seen.pulledAt.length > 0 ? Math.min(...seen.pulledAt) : undefined
  const due: number[] = []
  if (health.unhealthyInGraceUntil !== undefined)
    due.push(Math.max(0, health.unhealthyInGraceUntil - observation.at))
  if (bakeLeft !== undefined) due.push(bakeLeft)
  const deployment = observation.serviceDeployment
  if (deployment?.lifecycleStage === 'CLEAN_UP' && deployment.status === 'IN_PROGRESS') due.push(0)
  const drainEnds = observation.targetGroups.flatMap(group =>
    group.deregistrationDelayMs === undefined
      ? []
      : group.targets.flatMap(t =>
          t.state === 'draining' && t.drainingSince !== undefined
            ? [t.drainingSince + (group.deregistrationDelayMs ?? 0)]
            : []
        )
  )
  // ECS's event says when it began draining (AWS time), where a poll only bounds it from below;
  // it also shows the drain between two reads of target health, so none is needed to see it.
  const eventDrainEnd = drainEndFromEvents(observation, older, seen.since)
  if (eventDrainEnd !== undefined) drainEnds.push(eventDrainEnd)
  // New targets in their initial checks: none can turn healthy (or unhealthy) before its group's
  // threshold × interval since it was registered, which was after the first read that did not
  // list it and after our tasks' image pulls (whichever of the two is known and later).
  const checksMs = (group: TargetGroupView | undefined): number | undefined => {
    const hc = group?.healthCheck
    if (!hc) return undefined
    return (
      Math.min(hc.healthyThreshold, hc.unhealthyThreshold ?? hc.healthyThreshold) * hc.intervalSeconds * 1000
    )
  }
  const checksDone = observation.targetGroups.flatMap(group => {
    const checks = checksMs(group)
    if (checks === undefined) return []
    return group.targets.flatMap(t => {
      if (t.state !== 'initial') return []
      const registered = Math.max(t.initialSince ?? -Infinity, pulled ?? -Infinity)
      return Number.isFinite(registered) ? [registered + checks] : []
    })
  })
  // A running task of ours whose target no read has shown yet (target health was not read since
  // it started): registered after its pull, so the same bound holds for it.
  const unread = health.groups.flatMap(g =>
    g.targets.filter(t => t.state === 'not registered').map(() => g.targetGroupArn)
  )
  for (const arn of unread) {
    const checks = checksMs(observation.targetGroups.find(g => g.arn === arn))
    if (checks !== undefined && pulled !== undefined) checksDone.push(pulled + checks)
  }
  if (checksDone.length > 0) due.push(Math.max(0, Math.min(...checksDone) - observation.at))
  // Until then no target of ours can change state, when every one of them is still in (or before)
  // its initial checks: target health need not be read before that moment.
  const ourTargets = health.groups.flatMap(g => g.targets)
  const beforeChecks =
    ourTargets.length > 0 &&
    checksDone.length >= ourTargets.length &&
    ourTargets.every(t => t.state === 'initial' || t.state === 'not registered')
  const quietUntil = beforeChecks ? Math.min(...checksDone) : undefined
  // The last target to finish draining is the one the rollout waits for.
  if (drainEnds.length > 0) due.push(Math.max(0, Math.max(...drainEnds) - observation.at))
  // Older deployments with nothing running and nothing draining are only waiting for their tasks
  // to stop, a matter of seconds after which the rollout completes: due now.
  const draining =
    observation.targetGroups.some(g => g.targets.some(t => t.state === 'draining')) ||
    (eventDrainEnd !== undefined && eventDrainEnd > observation.at)
  if (older.length > 0 && older.every(d => d.runningCount === 0) && !draining) due.push(0)
  return {
    ...(due.length > 0 && { dueMs: Math.min(...due) }),
    ...(quietUntil !== undefined && quietUntil > observation.at && { targetsQuietUntil: quietUntil })
  }
}

/**
 * When the last drain ECS announced since `since` ends: its event's time plus the longest
 * deregistration delay of the service's target groups. Only while older deployments remain (their
 * tasks stop once their targets are gone), and only when every group's delay is known.
 */
export function drainEndFromEvents(
  observation: Observation,
  older: readonly DeploymentView[],
  since: number
): number | undefined {
  if (older.length === 0 || observation.targetGroups.length === 0) return undefined
  const delays = observation.targetGroups.map(g => g.deregistrationDelayMs)
  if (delays.some(d => d === undefined)) return undefined
  const begun = (observation.drainsBegunAt ?? []).filter(at => at >= since)
  if (begun.length === 0) return undefined
  return Math.max(...begun) + Math.max(...delays.map(d => d ?? 0))
}

function progressLine(context: WatchContext, p: Omit<Progress, 'line'>): string {
  const parts = [
    `${context.label} ${context.deploymentId}: ${p.running}/${p.desired} running, ${p.pending} pending`
  ]
  if (p.rolloutState) parts.push(`rollout ${p.rolloutState}`)
  for (const g of p.targetGroups)
    parts.push(`${targetGroupName(g.targetGroupArn)} ${g.healthy}/${g.expected} healthy`)
  if (p.lifecycleStage) parts.push(`stage ${p.lifecycleStage}${p.bakeLeft ? ` (${p.bakeLeft})` : ''}`)
  for (const t of p.traffic ?? []) parts.push(`${t.rule} ${trafficSplit(t)}`)
  if (p.failedTasks > 0) parts.push(`${p.failedTasks} failed task${p.failedTasks === 1 ? '' : 's'}`)
  if (p.deployments > 1)
    parts.push(
      `${p.deployments - 1} older deployment${p.deployments === 2 ? '' : 's'} draining${p.olderRunning !== undefined ? ` (${p.olderRunning} running)` : ''}`
    )
  return parts.join(' · ')
}

export function decide(observation: Observation, context: WatchContext): Decision {
  const ours = observation.deployments.find(d => d.id === context.deploymentId)
  const primary = observation.deployments.find(d => d.status === 'PRIMARY')
  const ourTasks = observation.tasks.filter(t => isOurs(t, context))
  const running = ourTasks.filter(t => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING')
  const starting = ourTasks.filter(t => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING')
  const failedStops = ourTasks.filter(t => isFailureStop(t) && !context.pastStoppedTasks?.has(t.taskArn))
  // ECS's counter covers the deployment's whole life; a check of a settled one counts only what it sees.
  const ecsFailedTasks = context.pastStoppedTasks === undefined ? (ours?.failedTasks ?? 0) : 0
  const health = targetHealth(running, observation, context)
  const older = observation.deployments.filter(d => d.id !== context.deploymentId && d.status !== 'INACTIVE')
  const bakeLeft = bakeLeftMs(observation, context)
  const pulledAt = ourTasks.flatMap(t =>
    t.desiredStatus === 'RUNNING' && t.pullStoppedAt !== undefined ? [t.pullStoppedAt] : []
  )
  const { dueMs: dueWithinMs, targetsQuietUntil } = nextChangeWithinMs(observation, {
    health,
    bakeLeft,
    older,
    pulledAt,
    since: context.startedAt
  })

  const base = {
    running: ours?.runningCount ?? running.length,
    pending: ours?.pendingCount ?? starting.length,
    desired: ours?.desiredCount ?? 0,
    failedTasks: Math.max(ecsFailedTasks, failedStops.length),
    deployments: observation.deployments.filter(d => d.status !== 'INACTIVE').length,
    olderRunning: older.reduce((sum, d) => sum + d.runningCount, 0),
    ...(ours?.rolloutState !== undefined && { rolloutState: ours.rolloutState }),
    targetGroups: health.groups,
    ...(observation.serviceDeployment?.lifecycleStage !== undefined && {
      lifecycleStage: observation.serviceDeployment.lifecycleStage
    }),
    ...(bakeLeft !== undefined && { bakeLeft: describeBakeLeft(bakeLeft) }),
    ...(dueWithinMs !== undefined && { nextChangeWithinMs: dueWithinMs }),
    ...(targetsQuietUntil !== undefined && { targetsQuietUntil }),
    ...(observation.traffic !== undefined && { traffic: observation.traffic })
  }
  const progress: Progress = { ...base, line: progressLine(context, base) }
  const failed = (
    cause: FailureCause,
    reason: string,
    evidence: readonly string[],
    replacedBy?: DeploymentView
  ): Decision => ({
    kind: 'failed',
    reason,
    progress,
    failure: { cause, evidence, ...(replacedBy !== undefined && { replacedBy }) }
  })
  const stopEvidence = failedStops.map(describeStoppedTask)

  // 0. ECS-native: the service deployment's own status outranks everything else.
  const serviceDeployment = observation.serviceDeployment
  if (serviceDeployment?.status.startsWith('ROLLBACK_')) {
    const why = serviceDeployment.statusReason ? `: ${serviceDeployment.statusReason}` : ''
    return failed(
      'ecs-rollback',
      `ECS is rolling back ${context.label} ${context.deploymentId} (${serviceDeployment.status})${why}`,
      stopEvidence
    )
  }
  if (serviceDeployment?.status === 'STOPPED' || serviceDeployment?.status === 'STOP_REQUESTED') {
    const why = serviceDeployment.statusReason ? `: ${serviceDeployment.statusReason}` : ''
    return failed('stopped', `the service deployment was stopped${why}`, stopEvidence)
  }

  // 1. Our deployment is no longer the newest: the circuit breaker rolled back, or someone else deployed.
  if (!ours || ours.status !== 'PRIMARY') {
    const other = primary && primary.id !== context.deploymentId ? primary : undefined
    // ECS marks a deployment COMPLETED only once it reached a steady state with healthy tasks: a
    // newer deployment that replaced it afterwards (the next deploy, started as ours settled)
    // does not undo that. Reported as done, and says what came next.
    if (ours?.rolloutState === 'COMPLETED' && other) {
      return {
        kind: 'done',
        reason: `${context.label} ${context.deploymentId} completed, then deployment ${other.id} (${revisionName(other.taskDefinition)}) replaced it`,
        progress
      }
    }
    const why = ours?.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''
    const by = other ? ` by deployment ${other.id} (${revisionName(other.taskDefinition)})` : ''
    return failed(
      'replaced',
      `${context.label} ${context.deploymentId} was replaced${by}${why}`,
      stopEvidence,
      other
    )
  }

  // 2. ECS itself says the rollout failed (circuit breaker without rollback, or before it rolls back).
  if (ours.rolloutState === 'FAILED') {
    return failed(
      'rollout-failed',
      `ECS marked ${context.label} ${ours.id} FAILED${ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''}`,
      stopEvidence
    )
  }

  // 3. Repeated failures of the new tasks: stopped ones plus running ones that ELB finds unhealthy.
  // ECS's own failedTasks counter is trusted too: stopped tasks can age out of ListTasks.
  const failures = Math.max(failedStops.length + health.unhealthyTasks.size, ecsFailedTasks)
  if (failures >= context.failureThreshold) {
    if (health.unhealthyTasks.size > 0 && health.unhealthyEvidence.length > 0) {
      const first = health.unhealthyEvidence[0] ?? ''
      return failed('targets-unhealthy', `new tasks fail their load balancer health checks: ${first}`, [
        ...health.unhealthyEvidence,
        ...stopEvidence
      ])
    }
    const first = stopEvidence[0] ?? `ECS counted ${ours.failedTasks} failed tasks`
    const elb = failedStops.some(t => /ELB health checks/i.test(t.stoppedReason ?? ''))
    return failed(
      elb ? 'targets-unhealthy' : 'tasks-stopped',
      `${failures} new task${failures === 1 ? '' : 's'} failed: ${first}`,
      stopEvidence
    )
  }

  // 4. Done: the only deployment, complete, every task RUNNING and healthy where it is checked.
  const waiting = waitingFor(observation, context, { ours, running, starting, health })
  if (waiting === undefined) {
    const gate =
      context.loadBalancers.length > 0
        ? `every target healthy in ${health.groups.map(g => `${targetGroupName(g.targetGroupArn)} (${g.healthy}/${g.expected})`).join(', ')}`
        : context.containerHealthChecks
          ? 'no load balancer: gated on tasks RUNNING and their container health checks (HEALTHY)'
          : 'no load balancer and no container health check: gated on tasks RUNNING only'
    return { kind: 'done', reason: `${running.length}/${ours.desiredCount} tasks RUNNING; ${gate}`, progress }
  }

  // 5. Out of time: say what we were still waiting for, and the last state seen.
  const elapsed = observation.at - context.startedAt
  if (elapsed >= context.timeoutMs) {
    return failed(
      'timeout',
      `${timedOutAfter(context.timeoutMs)} waiting for ${waiting}; last state: ${progress.line}`,
      [...health.unhealthyEvidence, ...stopEvidence]
    )
  }
  return { kind: 'wait', reason: waiting, progress }
}

/** What keeps the deployment from being done, or undefined when nothing does. */
function waitingFor(
  observation: Observation,
  context: WatchContext,
  seen: {
    readonly ours: DeploymentView
    /** Our tasks that are RUNNING, and those still on their way there. */
    readonly running: readonly TaskView[]
    readonly starting: readonly TaskView[]
    readonly health: TaskHealth
  }
): string | undefined {
  const { ours, running, starting, health } = seen
  const serviceDeployment = observation.serviceDeployment
  if (serviceDeployment && serviceDeployment.status !== 'SUCCESSFUL')
    return stageWait(serviceDeployment, observation.at, context)
  // INACTIVE deployments have no tasks left; ECS may still list them for a while.
  const others = observation.deployments.filter(d => d.id !== ours.id && d.status !== 'INACTIVE')
  if (others.length > 0)
    return `${others.length} older deployment${others.length === 1 ? '' : 's'} to finish draining`
  const complete =
    ours.rolloutState === 'COMPLETED' ||
    (ours.rolloutState === undefined && ours.runningCount === ours.desiredCount && ours.pendingCount === 0)
  if (!complete) return `the rollout to complete (${ours.runningCount}/${ours.desiredCount} running)`
  if (running.length < ours.desiredCount || starting.length > 0) {
    return `tasks to be RUNNING (${running.length}/${ours.desiredCount})`
  }
  if (context.loadBalancers.length > 0) {
    if (!health.allHealthy) {
      return `targets to be healthy (${health.groups.map(g => `${targetGroupName(g.targetGroupArn)} ${g.healthy}/${g.expected}`).join(', ')})`
    }
  } else if (context.containerHealthChecks) {
    const notHealthy = running.filter(t => t.healthStatus !== 'HEALTHY')
    if (notHealthy.length > 0)
      return `container health checks (${running.length - notHealthy.length}/${running.length} HEALTHY)`
  }
  return undefined
}

/** `web-tg 90% / web-tg-green 10%` */
export function trafficSplit(traffic: TrafficView): string {
  return traffic.weights.map(w => `${targetGroupName(w.targetGroupArn)} ${w.weight}%`).join(' / ')
}

/** While an ECS-native deployment bakes: how long is left, from when we first saw the stage. */
function bakeLeftMs(observation: Observation, context: WatchContext): number | undefined {
  const deployment = observation.serviceDeployment
  if (deployment?.lifecycleStage !== 'BAKE_TIME' || deployment.status !== 'IN_PROGRESS') return undefined
  if (context.bakeTimeMs === undefined || deployment.stageSince === undefined) return undefined
  return Math.max(0, context.bakeTimeMs - (observation.at - deployment.stageSince))
}

/** Whole minutes, then "under a minute": the progress line changes at most once a minute. */
export function describeBakeLeft(ms: number): string {
  const minutes = Math.ceil(ms / 60_000)
  return minutes > 1 ? `about ${minutes} min of bake time left` : 'under a minute of bake time left'
}

/** What an ECS-native deployment waits for at its stage, with the bake time left when baking. */
function stageWait(deployment: ServiceDeploymentView, at: number, context: WatchContext): string {
  const stage = deployment.lifecycleStage ?? deployment.status
  if (stage === 'BAKE_TIME' && context.bakeTimeMs !== undefined && deployment.stageSince !== undefined) {
    const leftMs = Math.max(0, context.bakeTimeMs - (at - deployment.stageSince))
    return `ECS to finish the bake time (about ${Math.ceil(leftMs / 1000)} s left)`
  }
  return `ECS to finish the deployment (stage ${stage})`
}

/** `timed out after 30 minutes`: how the watches word their timeout. */
export function timedOutAfter(timeoutMs: number): string {
  const minutes = Math.round(timeoutMs / 60_000)
  return `timed out after ${minutes} minute${minutes === 1 ? '' : 's'}`
}

/**
 * The verdict of a watch that only waits for something else to end (a deployment in flight):
 * done once it has, failed at the timeout with the last state, else wait.
 */
export function untilEnded(
  observation: { readonly at: number; readonly status: string; readonly ended: boolean },
  progress: Progress,
  context: { readonly startedAt: number; readonly timeoutMs: number },
  /** Who ends it, for the wait reason: `ECS to finish it`. */
  waitingFor: string
): Decision {
  if (observation.ended) return { kind: 'done', reason: `it ended ${observation.status}`, progress }
  if (observation.at - context.startedAt >= context.timeoutMs)
    return {
      kind: 'failed',
      reason: `${timedOutAfter(context.timeoutMs)}; last state: ${progress.line}`,
      progress,
      failure: { cause: 'timeout', evidence: [] }
    }
  return { kind: 'wait', reason: `${waitingFor} (${observation.status})`, progress }
}

/** Progress for a watch that sees a status line, not tasks and targets. */
export function statusProgress(line: string, extra: Partial<Omit<Progress, 'line'>> = {}): Progress {
  return {
    running: 0,
    pending: 0,
    desired: 0,
    failedTasks: 0,
    deployments: 0,
    targetGroups: [],
    ...extra,
    line
  }
}

/**
 * A target group's health counted by targets, not by tasks: for watches that do not map tasks to
 * targets (a blue/green rollback, a CodeDeploy task set), every target there counts.
 */
export function targetCountEvidence(
  targetGroupArn: string,
  targets: readonly TargetView[],
  expected: number
): TargetGroupEvidence {
  return {
    targetGroupArn,
    healthy: targets.filter(t => t.state === 'healthy').length,
    expected,
    targets: targets.map(t => ({
      task: '-',
      id: t.id,
      port: t.port ?? 0,
      state: t.state,
      ...(t.reason !== undefined && { reason: t.reason }),
      ...(t.description !== undefined && { description: t.description })
    }))
  }
}
