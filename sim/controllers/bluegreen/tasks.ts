// The tasks of an ECS-native blue/green service and their targets: each revision's tasks register
// in that revision's target group only (blue in the production one, green in the alternate one),
// when they start RUNNING; the scheduler keeps a deployment at the desired count and replaces
// tasks the load balancer finds unhealthy, as for rolling deployments.
import { addTasksStoppedEvent } from '../../runtime/events.js'
import { containerHealthy } from '../../runtime/container-health.js'
import { markHealthy } from '../../runtime/service-deployments.js'
import {
  deploymentOwner,
  deploymentTasks,
  replaceTasksFailingTargets,
  startServiceTasks,
  stopServiceTasks
} from '../../runtime/service-tasks.js'
import { registerTarget } from '../../runtime/targets.js'
import { scalingActivity } from '../../runtime/tasks.js'
import type { TrafficConfig } from '../../world/deployment-controller.js'
import type { SimDeployment, SimService, SimState, SimTargetGroup, SimTask } from '../../world/model.js'
import { productionTargetGroup } from './traffic.js'

export const targetGroup = (state: SimState, arn: string): SimTargetGroup | undefined =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)

const isRegistered = (state: SimState, simTask: SimTask) =>
  state.targetGroups.some(tg => tg.targets.some(t => t.taskArn === simTask.task.taskArn))

/** Serving: RUNNING, its container health fine, and healthy in the target group. */
export function servesFrom(state: SimState, simTask: SimTask, targetGroupArn: string): boolean {
  const { task } = simTask
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING' || !containerHealthy(simTask))
    return false
  const tg = targetGroup(state, targetGroupArn)
  return tg?.targets.some(t => t.taskArn === task.taskArn && t.state === 'healthy') ?? false
}

/** The target group each deployment's tasks belong in: green's alternate, blue's, else production's. */
function targetGroupFor(
  state: SimState,
  svc: SimService,
  traffic: TrafficConfig,
  dep: SimDeployment
): string {
  for (const d of svc.deployments) {
    const run = d.blueGreen
    if (!run || run.finished) continue
    if (d === dep) return run.greenTargetGroupArn
    if (run.blue === dep) return run.blueTargetGroupArn
  }
  return productionTargetGroup(state, traffic)
}

/** ECS registers a task when it starts RUNNING, in its revision's target group only. */
export function registerRunningTasks(
  state: SimState,
  svc: SimService,
  traffic: TrafficConfig,
  now: number
): void {
  for (const dep of svc.deployments) {
    const tg = targetGroup(state, targetGroupFor(state, svc, traffic, dep))
    if (!tg) continue
    for (const simTask of deploymentTasks(state, dep)) {
      if (simTask.task.lastStatus === 'RUNNING' && !isRegistered(state, simTask))
        registerTarget({ svc, simTask, tg, port: traffic.containerPort, now })
    }
  }
}

/**
 * The load balancer's verdict, as for rolling deployments: a task whose target has been unhealthy
 * for one health-check interval is replaced once the grace period has passed, and counts as a
 * failed task of its deployment when it never served.
 */
export function replaceTasksFailingHealthChecks(
  state: SimState,
  svc: SimService,
  traffic: TrafficConfig,
  now: number
): void {
  const groups = [traffic.primaryTargetGroupArn, traffic.alternateTargetGroupArn]
    .map(arn => targetGroup(state, arn))
    .filter((tg): tg is SimTargetGroup => tg !== undefined)
  const tasks = svc.deployments.flatMap(d => deploymentTasks(state, d))
  replaceTasksFailingTargets(state, { svc, tasks, groups, who: `(service ${svc.service.serviceName})`, now })
}

/** A task serving from its revision's target group no longer counts against the circuit breaker. */
export function markServingTasks(state: SimState, svc: SimService, traffic: TrafficConfig): void {
  for (const dep of svc.deployments) {
    const tgArn = targetGroupFor(state, svc, traffic, dep)
    for (const simTask of deploymentTasks(state, dep))
      if (servesFrom(state, simTask, tgArn)) markHealthy(svc, dep, simTask)
  }
}

/** What the scheduler stops while a deployment (`byDeployment`) scales: said in the events first. */
export interface ScalingStop {
  readonly svc: SimService
  readonly tasks: readonly SimTask[]
  readonly byDeployment: string
  readonly now: number
}

export function stopTasks(state: SimState, { svc, tasks, byDeployment, now }: ScalingStop): void {
  if (tasks.length > 0) addTasksStoppedEvent(svc, tasks, now)
  stopServiceTasks(state, { svc, tasks, reason: scalingActivity(byDeployment), now })
}

/** The scheduler's own job: the deployment runs its desired count, replacing tasks that stopped. */
export function keepAtDesiredCount(state: SimState, svc: SimService, dep: SimDeployment, now: number): void {
  const desired = svc.service.desiredCount ?? 0
  const tasks = deploymentTasks(state, dep)
  stopTasks(state, { svc, tasks: tasks.slice(desired), byDeployment: dep.deployment.id ?? '', now })
  startServiceTasks(state, {
    svc,
    owner: deploymentOwner(svc, dep),
    count: desired - tasks.length,
    who: `(service ${svc.service.serviceName ?? ''})`,
    now
  })
}
