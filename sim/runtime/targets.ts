// The targets of service tasks in their target groups, and target health as Elastic Load
// Balancing checks it (the ELB "Health checks for your target groups" documentation). ECS
// registers a task's IP when the task activates and deregisters it when the task stops; the
// target drains for the group's deregistration delay, then goes.
import type { Task } from '@aws-sdk/client-ecs'
import { targetFailure } from '../world/behaviours.js'
import {
  findService,
  recordMilestone,
  scaled,
  type SimService,
  type SimState,
  type SimTarget,
  type SimTargetGroup,
  type SimTask
} from '../world/model.js'
import { addEvent } from './events.js'

/** The target groups a service task registers in, with the container and port of each. */
export function serviceTargetGroups(
  state: SimState,
  service: SimService,
  simTask?: SimTask
): { tg: SimTargetGroup; containerName?: string; containerPort?: number }[] {
  // A task of a CODE_DEPLOY task set registers only in its task set's target group.
  const taskSet = simTask && service.service.taskSets?.find(ts => ts.id === simTask.plan.deploymentId)
  return (taskSet?.loadBalancers ?? service.service.loadBalancers ?? []).flatMap(lb => {
    const tg = state.targetGroups.find(t => t.group.TargetGroupArn === lb.targetGroupArn)
    return tg ? [{ tg, containerName: lb.containerName, containerPort: lb.containerPort }] : []
  })
}

export const taskIp = (task: Task): string | undefined =>
  task.attachments?.[0]?.details?.find(d => d.name === 'privateIPv4Address')?.value

export interface Registration {
  readonly svc: SimService
  readonly simTask: SimTask
  readonly tg: SimTargetGroup
  readonly port: number
  readonly now: number
}

/** Registers the task's IP in a target group: `initial` until its checks pass, as the service says. */
export function registerTarget({ svc, simTask, tg, port, now }: Registration): void {
  const ip = taskIp(simTask.task)
  if (!ip) return
  tg.targets.push({
    id: ip,
    port,
    taskArn: simTask.task.taskArn,
    state: 'initial',
    reason: 'Elb.InitialHealthChecking',
    description: 'Initial health checks in progress',
    since: now,
    passes: !simTask.plan.failsTargetCheck,
    passesFrom: simTask.plan.runningAt + simTask.plan.appReadyAfterMs,
    failReason: simTask.plan.failsTargetCheck
  })
  addEvent(
    svc,
    now,
    `(service ${svc.service.serviceName}) registered 1 targets in (target-group ${tg.group.TargetGroupArn})`
  )
}

/** ECS registers a service task's targets while it is ACTIVATING; checks pass once its app is up. */
export function registerServiceTargets(
  state: SimState,
  simTask: SimTask,
  service: SimService,
  now: number
): void {
  for (const { tg, containerPort } of serviceTargetGroups(state, service, simTask)) {
    if (!taskIp(simTask.task) || containerPort === undefined) continue
    registerTarget({ svc: service, simTask, tg, port: containerPort, now })
  }
}

/** Moves the task's targets to draining; answers the longest deregistration delay and the target groups. */
export function deregisterTargets(
  state: SimState,
  simTask: SimTask,
  now: number
): { drainSeconds: number; groups: string[] } {
  let drainSeconds = 0
  const groups: string[] = []
  for (const tg of state.targetGroups) {
    for (const target of tg.targets) {
      if (target.taskArn !== simTask.task.taskArn || target.state === 'draining') continue
      target.state = 'draining'
      target.reason = 'Target.DeregistrationInProgress'
      target.description = 'Target deregistration is in progress'
      target.since = now
      groups.push(tg.group.TargetGroupArn ?? '')
      drainSeconds = Math.max(
        drainSeconds,
        Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300)
      )
    }
  }
  return { drainSeconds, groups }
}

function describeFailure(tg: SimTargetGroup, reason: string): string {
  if (reason === 'Target.Timeout') return 'Request timed out'
  if (reason === 'Target.FailedHealthChecks') return 'Health checks failed'
  return `Health checks failed with these codes: [${tg.group.Matcher?.HttpCode === '200' || !tg.group.Matcher ? '502' : '500'}]`
}

/** When a service task's health-check grace period ends (epoch ms); its start when it has none. */
function graceEndOf(state: SimState, taskArn: string | undefined): number {
  const simTask = state.tasks.find(st => st.task.taskArn === taskArn)
  const startedAt = simTask?.task.startedAt?.getTime() ?? Date.now()
  const group = simTask?.task.group ?? ''
  const service = group.startsWith('service:')
    ? findService(state, simTask?.task.clusterArn ?? '', group.slice('service:'.length))
    : undefined
  return startedAt + scaled(state, service?.service.healthCheckGracePeriodSeconds ?? 0)
}

/** A target group and its health check settings (the interval in wall-clock ms). */
interface HealthCheck {
  readonly tg: SimTargetGroup
  readonly intervalMs: number
  readonly healthyCount: number
  readonly unhealthyCount: number
}

/**
 * Runs every check of one target due by `now`: HealthyThresholdCount passes in a row make it
 * healthy, and UnhealthyThresholdCount failures in a row unhealthy (from initial or healthy
 * alike). A target whose app is not up yet (a slow start) fails with Target.FailedHealthChecks,
 * as a refused connection does.
 */
function runChecks(state: SimState, check: HealthCheck, t: SimTarget, now: number): void {
  const { tg } = check
  t.nextCheckAt ??= t.since + check.intervalMs
  // A revision a test made sick (Behaviours.failingTargets, or failingInProduction once production
  // traffic reached it) fails from now on, whatever its start.
  const { failingTargets, failingInProduction } = state.behaviours
  const sick =
    failingTargets || failingInProduction
      ? targetFailure(state, state.tasks.find(st => st.task.taskArn === t.taskArn)?.task.taskDefinitionArn)
      : undefined
  for (let guard = 0; guard < 10_000 && now >= t.nextCheckAt; guard++) {
    const at: number = t.nextCheckAt
    t.nextCheckAt = at + check.intervalMs
    const up = t.passesFrom === undefined || at >= t.passesFrom
    if (t.passes && up && !sick) {
      t.passedInARow = (t.passedInARow ?? 0) + 1
      t.failedInARow = 0
      if (t.state !== 'healthy' && t.passedInARow >= check.healthyCount) {
        t.state = 'healthy'
        t.reason = undefined
        t.description = undefined
        t.since = at
      }
      continue
    }
    t.failedInARow = (t.failedInARow ?? 0) + 1
    t.passedInARow = 0
    if (t.state === 'unhealthy' || t.failedInARow < check.unhealthyCount) continue
    t.state = 'unhealthy'
    t.reason = sick ?? (up ? (t.failReason ?? 'Target.ResponseCodeMismatch') : 'Target.FailedHealthChecks')
    t.description = describeFailure(tg, t.reason)
    t.since = at
    recordMilestone(state, 'target-unhealthy', {
      targetGroupArn: tg.group.TargetGroupArn,
      id: t.id,
      taskArn: t.taskArn,
      reason: t.reason,
      // ECS ignores ELB health checks during the service's grace period: until then an unhealthy
      // target is not yet conclusive (the benchmark measures from whichever comes later).
      graceEndsAt: graceEndOf(state, t.taskArn) - state.startedAt
    })
  }
}

/**
 * Target health in one group: checks every HealthCheckIntervalSeconds from registration.
 * Draining targets are not checked, and go after the deregistration delay.
 */
function advanceTargetGroup(state: SimState, tg: SimTargetGroup, now: number): void {
  const check: HealthCheck = {
    tg,
    intervalMs: scaled(state, tg.group.HealthCheckIntervalSeconds ?? 30),
    healthyCount: tg.group.HealthyThresholdCount ?? 5,
    unhealthyCount: tg.group.UnhealthyThresholdCount ?? 2
  }
  const drainFor = scaled(state, Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300))
  tg.targets = tg.targets.filter(t => !(t.state === 'draining' && now - t.since >= drainFor))
  if (check.intervalMs <= 0) return
  for (const t of tg.targets) if (t.state !== 'draining') runChecks(state, check, t, now)
}

/**
 * A blue/green deployment sent production traffic to this revision (ECS-native or CodeDeploy):
 * remembered for Behaviours.failingInProduction.
 */
export function markServingProduction(state: SimState, taskDefinitionArn: string | undefined): void {
  if (taskDefinitionArn) state.servedProduction.add(taskDefinitionArn)
}

/** Every target group's health checks due by `now`. */
export function advanceTargets(state: SimState, now: number): void {
  for (const tg of state.targetGroups) advanceTargetGroup(state, tg, now)
}
