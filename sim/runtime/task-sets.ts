// ECS task sets: how a service with the CODE_DEPLOY deployment controller runs its tasks. The
// service has no deployments; it has task sets, each with its own task definition, scale and load
// balancer. Creating one, making one PRIMARY, deleting one, scaling one to its computed desired
// count and reporting its stability are here; controllers/task-sets.ts keeps them at their count
// over time. Follows the ECS API reference (TaskSet, CreateTaskSet, UpdateServicePrimaryTaskSet,
// DeleteTaskSet).
import type { LoadBalancer, NetworkConfiguration, TaskSet } from '@aws-sdk/client-ecs'
import { AwsError } from '../world/aws-error.js'
import {
  digitsId,
  ecsArn,
  nameFromArn,
  type SimService,
  type SimState,
  type SimTask
} from '../world/model.js'
import { findTaskDefinition } from '../world/task-definitions.js'
import { containerHealthy } from './container-health.js'
import { addEvent } from './events.js'
import { startServiceTasks, stopServiceTasks, type TaskOwner } from './service-tasks.js'
import { isStarting } from './tasks.js'

export interface TaskSetSpec {
  readonly taskDefinitionArn: string
  readonly loadBalancers: LoadBalancer[]
  readonly status: 'PRIMARY' | 'ACTIVE'
  /** The CodeDeploy deployment that created the task set. */
  readonly externalId?: string
  /** `CODE_DEPLOY` when CodeDeploy created the task set. */
  readonly startedBy?: string
  readonly networkConfiguration?: NetworkConfiguration
  readonly platformVersion?: string
}

export function findTaskSet(svc: SimService, id: string | undefined): TaskSet | undefined {
  return svc.service.taskSets?.find(ts => ts.id === id)
}

/** Tasks the task set still wants (desired RUNNING). */
export function taskSetTasks(state: SimState, taskSet: TaskSet): SimTask[] {
  return state.tasks.filter(t => t.plan.deploymentId === taskSet.id && t.task.desiredStatus === 'RUNNING')
}

/** What ECS's CreateTaskSet checks: the task definition exists and has the load-balanced container and port. */
function validateTaskSet(state: SimState, spec: TaskSetSpec): string {
  const td = findTaskDefinition(state, spec.taskDefinitionArn)
  if (!td || td.definition.status !== 'ACTIVE')
    throw new AwsError('ClientException', `Unable to describe task definition ${spec.taskDefinitionArn}.`)
  for (const lb of spec.loadBalancers) {
    const container = td.definition.containerDefinitions?.find(c => c.name === lb.containerName)
    if (!container)
      throw new AwsError(
        'InvalidParameterException',
        `The container ${lb.containerName} does not exist in the task definition.`
      )
    if (!container.portMappings?.some(p => p.containerPort === lb.containerPort))
      throw new AwsError(
        'InvalidParameterException',
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`
      )
    if (!state.targetGroups.some(t => t.group.TargetGroupArn === lb.targetGroupArn))
      throw new AwsError('InvalidParameterException', `Target group ${lb.targetGroupArn} does not exist.`)
  }
  return td.definition.taskDefinitionArn ?? spec.taskDefinitionArn
}

/** Creates a task set at 100% scale; throws the AwsError ECS answers for a bad one. */
export function createTaskSet(state: SimState, svc: SimService, spec: TaskSetSpec, now: number): TaskSet {
  const service = svc.service
  const taskDefinition = validateTaskSet(state, spec)
  const id = `ecs-svc/${digitsId(state)}`
  const cluster = nameFromArn(service.clusterArn ?? '')
  const taskSet: TaskSet = {
    id,
    taskSetArn: ecsArn(state, `task-set/${cluster}/${service.serviceName}/${id}`),
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    startedBy: spec.startedBy,
    externalId: spec.externalId,
    status: spec.status,
    taskDefinition,
    computedDesiredCount: service.desiredCount ?? 0,
    pendingCount: 0,
    runningCount: 0,
    createdAt: new Date(now),
    updatedAt: new Date(now),
    launchType: service.launchType,
    platformVersion: spec.platformVersion ?? service.platformVersion,
    networkConfiguration: spec.networkConfiguration ?? service.networkConfiguration,
    loadBalancers: spec.loadBalancers,
    serviceRegistries: [],
    scale: { value: 100, unit: 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: new Date(now),
    tags: []
  }
  service.taskSets = [...(service.taskSets ?? []), taskSet]
  if (spec.status === 'PRIMARY') service.taskDefinition = taskDefinition
  svc.steady = false
  return taskSet
}

/** CreateService with the CODE_DEPLOY controller: the service's task definition and load balancers, PRIMARY. */
export function createInitialTaskSet(state: SimState, svc: SimService, now: number): TaskSet {
  const { taskDefinition, loadBalancers } = svc.service
  return createTaskSet(
    state,
    svc,
    { taskDefinitionArn: taskDefinition ?? '', loadBalancers: loadBalancers ?? [], status: 'PRIMARY' },
    now
  )
}

/** UpdateServicePrimaryTaskSet: the set serving production becomes PRIMARY, the previous one ACTIVE. */
export function makePrimary(svc: SimService, taskSet: TaskSet, now: number): void {
  for (const other of svc.service.taskSets ?? []) {
    if (other.status !== 'PRIMARY' || other === taskSet) continue
    other.status = 'ACTIVE'
    other.updatedAt = new Date(now)
  }
  taskSet.status = 'PRIMARY'
  taskSet.updatedAt = new Date(now)
  svc.service.taskDefinition = taskSet.taskDefinition
}

/** DeleteTaskSet: the set scales to zero (DRAINING), its tasks stop, and it disappears once they have. */
export function deleteTaskSet(state: SimState, svc: SimService, taskSet: TaskSet, now: number): void {
  taskSet.status = 'DRAINING'
  taskSet.scale = { value: 0, unit: 'PERCENT' }
  taskSet.computedDesiredCount = 0
  taskSet.updatedAt = new Date(now)
  svc.steady = false
  scaleTaskSet(state, svc, taskSet, now)
  updateTaskSetCounts(state, svc, taskSet, now)
}

/** The target groups of a task set's load balancers. */
export function taskSetTargets(state: SimState, taskSet: TaskSet) {
  return (taskSet.loadBalancers ?? []).flatMap(lb => {
    const tg = state.targetGroups.find(t => t.group.TargetGroupArn === lb.targetGroupArn)
    return tg ? [tg] : []
  })
}

/** RUNNING, its container health fine, and healthy in the task set's target group. */
export function isTaskSetTaskHealthy(state: SimState, taskSet: TaskSet, simTask: SimTask): boolean {
  const { task } = simTask
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING' || !containerHealthy(simTask))
    return false
  return taskSetTargets(state, taskSet).every(tg => {
    const mine = tg.targets.filter(t => t.taskArn === task.taskArn)
    return mine.length > 0 && mine.every(t => t.state === 'healthy')
  })
}

/** How service events name a task set. */
export const taskSetLabel = (svc: SimService, taskSet: TaskSet): string =>
  `(service ${svc.service.serviceName}, taskSet ${taskSet.id})`

/** The scheduler's own job: the task set runs its computed desired count, no more, no fewer. */
export function scaleTaskSet(state: SimState, svc: SimService, taskSet: TaskSet, now: number): void {
  const wanted = taskSet.computedDesiredCount ?? 0
  const tasks = taskSetTasks(state, taskSet)
  const extra = tasks.slice(wanted)
  const stoppedReason = `Scaling activity initiated by (deployment ${taskSet.id})`
  const reason = { stopCode: 'ServiceSchedulerInitiated' as const, stoppedReason, failure: false }
  const who = taskSetLabel(svc, taskSet)
  stopServiceTasks(state, { svc, tasks: extra, reason, who, now })
  const owner: TaskOwner = {
    id: taskSet.id ?? '',
    taskDefinition: taskSet.taskDefinition ?? '',
    launchType: taskSet.launchType,
    networkConfiguration: taskSet.networkConfiguration,
    platformVersion: taskSet.platformVersion
  }
  startServiceTasks(state, { svc, owner, count: Math.max(0, wanted - tasks.length), who, now })
}

/** Running and pending counts, and STEADY_STATE once the set runs its count, every task healthy. */
export function updateTaskSetCounts(state: SimState, svc: SimService, taskSet: TaskSet, now: number): void {
  const tasks = taskSetTasks(state, taskSet)
  taskSet.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
  taskSet.pendingCount = tasks.filter(t => isStarting(t.task)).length
  const steady =
    taskSet.status !== 'DRAINING' &&
    taskSet.runningCount === taskSet.computedDesiredCount &&
    taskSet.pendingCount === 0 &&
    tasks.every(t => isTaskSetTaskHealthy(state, taskSet, t))
  const stability = steady ? 'STEADY_STATE' : 'STABILIZING'
  if (stability !== taskSet.stabilityStatus) {
    taskSet.stabilityStatus = stability
    taskSet.stabilityStatusAt = new Date(now)
    addEvent(svc, now, `${taskSetLabel(svc, taskSet)} updated state to ${stability}.`)
  }
}
