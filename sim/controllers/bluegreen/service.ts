// ECS-native blue/green, linear and canary services: deployment controller ECS with
// deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY, and a load balancer whose
// advancedConfiguration names the alternate target group and the listener rules ECS shifts
// (world/deployment-controller.ts). Each pass registers running tasks, replaces failing ones,
// starts the lifecycle of a new deployment while another revision serves, carries every
// unfinished lifecycle forward (lifecycle.ts), and keeps the counts DescribeServices shows.
// The API reference: ServiceDeployment, DeploymentConfiguration, AdvancedConfiguration.
import { addEvent } from '../../runtime/events.js'
import { historyOf } from '../../runtime/service-deployments.js'
import { deploymentTasks, unstoppedTasks } from '../../runtime/service-tasks.js'
import { isStarting } from '../../runtime/tasks.js'
import { trafficConfig, type TrafficConfig } from '../../world/deployment-controller.js'
import { percentTo } from '../../world/listener-weights.js'
import type { SimService, SimState } from '../../world/model.js'
import { advanceRun, completeDeployment, startRun } from './lifecycle.js'
import {
  keepAtDesiredCount,
  markServingTasks,
  registerRunningTasks,
  replaceTasksFailingHealthChecks,
  servesFrom
} from './tasks.js'
import { productionTargetGroup } from './traffic.js'

/**
 * Without a deployment in its lifecycle, the primary revision runs its desired count behind the
 * production target group. A service's first deployment has no blue revision to shift traffic
 * from, so it completes in place once its tasks serve.
 */
function maintainPrimary(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const primary = svc.deployments[0]
  if (!primary || (primary.blueGreen && !primary.blueGreen.finished)) return
  const desired = svc.service.desiredCount ?? 0
  primary.deployment.desiredCount = desired
  // A deployment in FAILED state launches no new tasks.
  if (primary.deployment.rolloutState !== 'FAILED') keepAtDesiredCount(state, svc, primary, now)
  const tasks = deploymentTasks(state, primary)
  const serving = tasks.every(t => servesFrom(state, t, productionTargetGroup(state, traffic)))
  const alone = svc.deployments.slice(1).every(d => unstoppedTasks(state, d).length === 0)
  if (primary.deployment.rolloutState === 'IN_PROGRESS' && tasks.length === desired && serving && alone)
    completeDeployment(state, svc, primary, now)
}

function updateCounts(state: SimState, svc: SimService, traffic: TrafficConfig): void {
  for (const dep of svc.deployments) {
    const tasks = deploymentTasks(state, dep)
    dep.deployment.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
    dep.deployment.pendingCount = tasks.filter(t => isStarting(t.task)).length
  }
  const everything = svc.deployments.flatMap(d => deploymentTasks(state, d))
  svc.service.runningCount = everything.filter(t => t.task.lastStatus === 'RUNNING').length
  svc.service.pendingCount = everything.filter(t => isStarting(t.task)).length
  for (const dep of svc.deployments) {
    const run = dep.blueGreen
    const history = historyOf(svc, dep)
    if (!history?.targetServiceRevision || history.finishedAt) continue
    const weightOf = (rule: string | undefined, tgArn: string) => (rule ? percentTo(state, rule, tgArn) : 0)
    const green = run?.greenTargetGroupArn ?? productionTargetGroup(state, traffic)
    Object.assign(history.targetServiceRevision, {
      requestedTaskCount: dep.deployment.desiredCount,
      runningTaskCount: dep.deployment.runningCount,
      pendingTaskCount: dep.deployment.pendingCount,
      requestedProductionTrafficWeight: weightOf(traffic.productionListenerRule, green),
      requestedTestTrafficWeight: weightOf(traffic.testListenerRule, green)
    })
    const source = history.sourceServiceRevisions?.[0]
    if (run && source)
      Object.assign(source, {
        requestedTaskCount: run.blue.deployment.desiredCount,
        runningTaskCount: run.blue.deployment.runningCount,
        pendingTaskCount: run.blue.deployment.pendingCount,
        requestedProductionTrafficWeight: weightOf(traffic.productionListenerRule, run.blueTargetGroupArn),
        requestedTestTrafficWeight: weightOf(traffic.testListenerRule, run.blueTargetGroupArn)
      })
  }
}

function noteSteadyState(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const primary = svc.deployments[0]
  const tasks = primary ? deploymentTasks(state, primary) : []
  const steady =
    primary?.deployment.rolloutState === 'COMPLETED' &&
    svc.deployments.length === 1 &&
    tasks.length === (svc.service.desiredCount ?? 0) &&
    tasks.every(t => servesFrom(state, t, productionTargetGroup(state, traffic)))
  if (steady && !svc.steady)
    addEvent(svc, now, `(service ${svc.service.serviceName}) has reached a steady state.`)
  svc.steady = steady
}

/** Applies every blue/green transition of the service due at `now`. */
export function advanceBlueGreen(state: SimState, svc: SimService, now: number): void {
  const service = svc.service
  const traffic = trafficConfig(svc)
  if (!traffic || (service.status !== 'ACTIVE' && service.status !== 'DRAINING')) return
  registerRunningTasks(state, svc, traffic, now)
  replaceTasksFailingHealthChecks(state, svc, traffic, now)
  markServingTasks(state, svc, traffic)

  const primary = svc.deployments[0]
  const othersServe = svc.deployments.slice(1).some(d => deploymentTasks(state, d).length > 0)
  if (primary?.deployment.rolloutState === 'IN_PROGRESS' && !primary.blueGreen && othersServe)
    startRun(state, svc, traffic, now)
  for (const dep of [...svc.deployments]) {
    const run = dep.blueGreen
    if (run && !run.finished) advanceRun({ state, svc, dep, run, traffic, history: historyOf(svc, dep) }, now)
  }
  maintainPrimary(state, svc, traffic, now)

  updateCounts(state, svc, traffic)
  // A revision leaves the list once its last task has stopped and its lifecycle is over.
  svc.deployments = svc.deployments.filter(
    (d, i) => i === 0 || unstoppedTasks(state, d).length > 0 || (d.blueGreen && !d.blueGreen.finished)
  )
  noteSteadyState(state, svc, traffic, now)
}
