// The service scheduler's rolling deployment, as the developer guide's "Deploy Amazon ECS services
// by replacing tasks" describes it: the new (PRIMARY) deployment's tasks replace the old ones,
// with at most maximumPercent of the desired count running and at least minimumHealthyPercent
// healthy at any time; the deployment is COMPLETED once its tasks run the desired count, all
// serving, and the old ones have drained and stopped. The circuit breaker watches it
// (circuit-breaker.ts). Every ECS-controller service without blue/green traffic shifting runs
// here; the API reference's Deployment and ServiceDeployment give the fields it keeps.
import { addEvent, addTasksStoppedEvent } from '../../runtime/events.js'
import { containerHealthy } from '../../runtime/container-health.js'
import { historyOf, markHealthy } from '../../runtime/service-deployments.js'
import {
  deploymentOwner,
  deploymentTasks,
  replaceTasksFailingTargets,
  startServiceTasks,
  stopServiceTasks,
  unstoppedTasks
} from '../../runtime/service-tasks.js'
import { serviceTargetGroups } from '../../runtime/targets.js'
import { isStarting, scalingActivity } from '../../runtime/tasks.js'
import {
  recordMilestone,
  type SimDeployment,
  type SimService,
  type SimState,
  type SimTask
} from '../../world/model.js'
import { breakerTrips, tripCircuitBreaker } from './circuit-breaker.js'

/** How many tasks the deployment may run and must keep serving, from the deployment configuration. */
interface Limits {
  readonly desired: number
  /** maximumPercent of the desired count, rounded down: the most tasks running at once. */
  readonly maxTotal: number
  /** minimumHealthyPercent of the desired count, rounded up: the fewest serving at once. */
  readonly minHealthy: number
  /** A deployment the circuit breaker has FAILED launches no new tasks. */
  readonly launching: boolean
}

/** One pass of the scheduler over the service's current (PRIMARY) deployment. */
interface Rollout {
  readonly state: SimState
  readonly svc: SimService
  readonly current: SimDeployment
  readonly limits: Limits
  readonly now: number
}

const who = (svc: SimService) => `(service ${svc.service.serviceName ?? ''})`

/** Every task the service's deployments still want. */
const activeTasks = (state: SimState, svc: SimService) =>
  svc.deployments.flatMap(d => deploymentTasks(state, d))

/** Whether a service task is serving: RUNNING, its container health fine, and healthy in every target group. */
function isHealthy(state: SimState, simTask: SimTask, service: SimService): boolean {
  const { task } = simTask
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING' || !containerHealthy(simTask))
    return false
  for (const { tg } of serviceTargetGroups(state, service)) {
    const mine = tg.targets.filter(t => t.taskArn === task.taskArn)
    if (mine.length === 0 || mine.some(t => t.state !== 'healthy')) return false
  }
  return true
}

/** Applies the rolling scheduler's transitions of one service due at `now`. */
export function advanceRollingService(state: SimState, svc: SimService, now: number): void {
  const service = svc.service
  if (service.status !== 'ACTIVE' && service.status !== 'DRAINING') return
  const groups = svc.deployments.length ? serviceTargetGroups(state, svc).map(t => t.tg) : []
  replaceTasksFailingTargets(state, { svc, tasks: activeTasks(state, svc), groups, who: who(svc), now })
  markServingTasks(state, svc)

  const primary = svc.deployments[0]
  if (!primary) return
  primary.deployment.desiredCount = service.desiredCount ?? 0
  if (breakerTrips(svc, primary)) tripCircuitBreaker(state, svc, primary, now)

  // The breaker's rollback, if it started one, is the current deployment from here on.
  const current = svc.deployments[0] as SimDeployment
  const rollout: Rollout = { state, svc, current, limits: limitsOf(svc, current), now }
  scaleInPrimary(rollout)
  stopOldTasks(rollout)
  if (rollout.limits.launching) launchNewTasks(rollout)

  updateCounts(state, svc)
  dropStoppedDeployments(state, svc)
  const settled = isSettled(rollout)
  if (settled && current.deployment.rolloutState === 'IN_PROGRESS') completeDeployment(rollout)
  if (settled && !svc.steady)
    addEvent(svc, now, `(service ${service.serviceName ?? ''}) has reached a steady state.`)
  svc.steady = settled
  updateServiceRevisionCounts(svc)
}

/** A task serving in every target group no longer counts against its deployment's circuit breaker. */
function markServingTasks(state: SimState, svc: SimService): void {
  for (const dep of svc.deployments)
    for (const simTask of deploymentTasks(state, dep))
      if (isHealthy(state, simTask, svc)) markHealthy(svc, dep, simTask)
}

function limitsOf(svc: SimService, current: SimDeployment): Limits {
  const desired = svc.service.desiredCount ?? 0
  const config = svc.service.deploymentConfiguration ?? {}
  return {
    desired,
    maxTotal: Math.floor((desired * (config.maximumPercent ?? 200)) / 100),
    minHealthy: Math.ceil((desired * (config.minimumHealthyPercent ?? 100)) / 100),
    launching: !(config.deploymentCircuitBreaker?.enable && current.deployment.rolloutState === 'FAILED')
  }
}

/** A primary with more tasks than desired (the desired count went down) stops the surplus. */
function scaleInPrimary({ state, svc, current, limits, now }: Rollout): void {
  const extras = deploymentTasks(state, current).slice(limits.desired)
  stopServiceTasks(state, { svc, tasks: extras, reason: scalingActivity(current.deployment.id), now })
  if (extras.length > 0) addTasksStoppedEvent(svc, extras, now)
}

/**
 * Old tasks go when they are not serving, or when enough new ones serve (never below the minimum
 * healthy percent), or to make room for new ones within the maximum percent. Those not serving
 * go first.
 */
function stopOldTasks({ state, svc, current, limits, now }: Rollout): void {
  const serving = (t: SimTask) => isHealthy(state, t, svc)
  let healthyTotal = activeTasks(state, svc).filter(serving).length
  const healthyPrimary = deploymentTasks(state, current).filter(serving).length
  const old = svc.deployments.slice(1).flatMap(d => deploymentTasks(state, d))
  old.sort((a, b) => Number(serving(a)) - Number(serving(b)))
  const stopped: SimTask[] = []
  let active = activeTasks(state, svc).length
  for (const simTask of old) {
    const healthy = serving(simTask)
    const roomNeeded =
      limits.launching && limits.desired - deploymentTasks(state, current).length > limits.maxTotal - active
    if (!healthy || (healthyTotal - 1 >= limits.minHealthy && (healthyPrimary > 0 || roomNeeded))) {
      if (healthy) healthyTotal -= 1
      active -= 1
      stopped.push(simTask)
    }
  }
  if (stopped.length === 0) return
  addTasksStoppedEvent(svc, stopped, now)
  stopServiceTasks(state, { svc, tasks: stopped, reason: scalingActivity(current.deployment.id), now })
}

/** New tasks up to the desired count, within the maximum percent. */
function launchNewTasks({ state, svc, current, limits, now }: Rollout): void {
  const count = Math.min(
    limits.desired - deploymentTasks(state, current).length,
    limits.maxTotal - activeTasks(state, svc).length
  )
  startServiceTasks(state, { svc, owner: deploymentOwner(svc, current), count, who: who(svc), now })
}

/** The running and pending counts of each deployment and of the service, draining tasks included. */
function updateCounts(state: SimState, svc: SimService): void {
  for (const dep of svc.deployments) {
    const tasks = unstoppedTasks(state, dep)
    dep.deployment.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
    dep.deployment.pendingCount = tasks.filter(t => isStarting(t.task)).length
  }
  const everything = svc.deployments.flatMap(d => unstoppedTasks(state, d))
  svc.service.runningCount = everything.filter(t => t.task.lastStatus === 'RUNNING').length
  svc.service.pendingCount = everything.filter(t => isStarting(t.task)).length
}

/**
 * An older deployment stays ACTIVE while any of its tasks has not stopped yet (draining ones
 * included: a rolling deployment completes only once the old tasks have drained and stopped).
 * Then it is INACTIVE, and DescribeServices no longer lists it: in practice `deployments` holds
 * the PRIMARY and the ACTIVE ones only; the service deployments API keeps the history.
 */
function dropStoppedDeployments(state: SimState, svc: SimService): void {
  svc.deployments = svc.deployments.filter((d, i) => i === 0 || unstoppedTasks(state, d).length > 0)
}

/** The primary runs its desired count, all serving, and nothing else runs. */
function isSettled({ state, svc, current, limits }: Rollout): boolean {
  const currentTasks = deploymentTasks(state, current)
  return (
    currentTasks.length === limits.desired &&
    currentTasks.every(t => isHealthy(state, t, svc)) &&
    svc.deployments.length === 1
  )
}

/**
 * COMPLETED: the revision is what the circuit breaker rolls back to from now on, its service
 * deployment is SUCCESSFUL, and when it was a rollback, the deployment it replaced ends
 * ROLLBACK_SUCCESSFUL.
 */
function completeDeployment({ state, svc, current, now }: Rollout): void {
  const id = current.deployment.id
  current.deployment.rolloutState = 'COMPLETED'
  current.deployment.rolloutStateReason = `ECS deployment ${id} completed.`
  current.deployment.updatedAt = new Date(now)
  svc.lastCompletedTaskDefinition = current.deployment.taskDefinition
  addEvent(svc, now, `(service ${svc.service.serviceName ?? ''}) (deployment ${id}) deployment completed.`)
  const history = historyOf(svc, current)
  if (history) {
    history.status = 'SUCCESSFUL'
    history.finishedAt = new Date(now)
    if (history.deploymentCircuitBreaker?.status === 'MONITORING')
      history.deploymentCircuitBreaker.status = 'MONITORING_COMPLETE'
  }
  if (current.rollbackOf) {
    const failed = svc.history.find(h =>
      h.serviceDeploymentArn?.endsWith(`/${current.rollbackOf?.replace('ecs-svc/', '')}`)
    )
    if (failed) {
      failed.status = 'ROLLBACK_SUCCESSFUL'
      failed.finishedAt = new Date(now)
    }
  }
  recordMilestone(state, 'deployment-completed', {
    deploymentId: id,
    taskDefinition: current.deployment.taskDefinition,
    rollbackOf: current.rollbackOf
  })
}

/** The task counts of each service deployment's target revision follow its deployment. */
function updateServiceRevisionCounts(svc: SimService): void {
  for (const h of svc.history) {
    const dep = svc.deployments.find(d => d.serviceDeploymentArn === h.serviceDeploymentArn)
    if (dep && h.targetServiceRevision) {
      h.targetServiceRevision.runningTaskCount = dep.deployment.runningCount
      h.targetServiceRevision.pendingTaskCount = dep.deployment.pendingCount
      h.targetServiceRevision.requestedTaskCount = dep.deployment.desiredCount
    }
  }
}
