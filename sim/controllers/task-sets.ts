// The CODE_DEPLOY controller's side in ECS: the service scheduler keeps every task set at its
// computed desired count (the service's desiredCount times the set's scale, rounded up),
// replaces tasks that stop or fail their health checks, reports STEADY_STATE when the set runs
// that many tasks, all healthy, and removes a deleted set once its tasks have stopped. Which
// task sets exist, and which one serves, is CodeDeploy's doing (controllers/codedeploy/).
import { addEvent } from '../runtime/events.js'
import { replaceTasksFailingTargets } from '../runtime/service-tasks.js'
import {
  scaleTaskSet,
  taskSetLabel,
  taskSetTargets,
  taskSetTasks,
  updateTaskSetCounts
} from '../runtime/task-sets.js'
import type { SimService, SimState } from '../world/model.js'

/** Keeps every task set of a CODE_DEPLOY service at its computed desired count. */
export function advanceTaskSets(state: SimState, svc: SimService, now: number): void {
  const service = svc.service
  if (service.status !== 'ACTIVE' && service.status !== 'DRAINING') return
  const taskSets = service.taskSets ?? []
  for (const taskSet of taskSets) {
    const scale = taskSet.scale?.value ?? 100
    taskSet.computedDesiredCount = Math.ceil(((service.desiredCount ?? 0) * scale) / 100)
    // The load balancer's verdict, as for rolling deployments: a target that stays unhealthy for
    // one health-check interval gets its task replaced, once the grace period has passed.
    replaceTasksFailingTargets(state, {
      svc,
      tasks: taskSetTasks(state, taskSet),
      groups: taskSetTargets(state, taskSet),
      who: taskSetLabel(svc, taskSet),
      now
    })
    scaleTaskSet(state, svc, taskSet, now)
    updateTaskSetCounts(state, svc, taskSet, now)
  }
  // A deleted task set is gone once none of its tasks is left running or stopping.
  service.taskSets = taskSets.filter(
    ts =>
      ts.status !== 'DRAINING' ||
      state.tasks.some(t => t.plan.deploymentId === ts.id && t.task.lastStatus !== 'STOPPED')
  )
  service.runningCount = service.taskSets.reduce((n, ts) => n + (ts.runningCount ?? 0), 0)
  service.pendingCount = service.taskSets.reduce((n, ts) => n + (ts.pendingCount ?? 0), 0)
  const steady = service.taskSets.length === 1 && service.taskSets[0]?.stabilityStatus === 'STEADY_STATE'
  if (steady && !svc.steady)
    addEvent(svc, now, `(service ${service.serviceName}) has reached a steady state.`)
  svc.steady = steady
}
