// The service scheduler's hands: it starts tasks for a deployment (or a CodeDeploy task set),
// stops them, and replaces those the load balancer finds unhealthy, saying each in the service's
// events as ECS words it. Every controller (rolling, blue/green, task sets) goes through here.
import type { NetworkConfiguration } from '@aws-sdk/client-ecs'
import {
  scaled,
  type SimDeployment,
  type SimService,
  type SimState,
  type SimTargetGroup,
  type SimTask
} from '../world/model.js'
import { addEvent, taskList } from './events.js'
import { requestStop, startTask, type StopReason } from './tasks.js'

/** The tasks a deployment still wants (desired RUNNING). */
export const deploymentTasks = (state: SimState, dep: SimDeployment): SimTask[] =>
  state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.desiredStatus === 'RUNNING')

/** The tasks of a deployment that have not stopped yet, draining ones included. */
export const unstoppedTasks = (state: SimState, dep: SimDeployment): SimTask[] =>
  state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.lastStatus !== 'STOPPED')

/** What service tasks are started for: a deployment of the service, or a CodeDeploy task set. */
export interface TaskOwner {
  readonly id: string
  readonly taskDefinition: string
  readonly launchType?: string
  readonly networkConfiguration?: NetworkConfiguration
  readonly platformVersion?: string
}

/** A service deployment as the owner of its tasks: the service's own launch settings. */
export function deploymentOwner(svc: SimService, dep: SimDeployment): TaskOwner {
  const service = svc.service
  return {
    id: dep.deployment.id ?? '',
    taskDefinition: dep.deployment.taskDefinition ?? '',
    launchType: service.launchType,
    networkConfiguration: service.networkConfiguration,
    platformVersion: service.platformVersion
  }
}

export interface ServiceTaskStart {
  readonly svc: SimService
  readonly owner: TaskOwner
  readonly count: number
  /** How the event names who started them: `(service web)`, or `(service web, taskSet …)`. */
  readonly who: string
  readonly now: number
}

/** Starts `count` tasks of a service for their owner, and says so in the service's events. */
export function startServiceTasks(
  state: SimState,
  { svc, owner, count, who, now }: ServiceTaskStart
): SimTask[] {
  const service = svc.service
  const name = service.serviceName ?? ''
  const started: SimTask[] = []
  for (let i = 0; i < count; i++) {
    started.push(
      startTask(
        state,
        {
          taskDefinitionArn: owner.taskDefinition,
          clusterArn: service.clusterArn ?? '',
          group: `service:${name}`,
          startedBy: owner.id,
          launchType: owner.launchType,
          networkConfiguration: owner.networkConfiguration,
          platformVersion: owner.platformVersion,
          deploymentId: owner.id,
          serviceName: name,
          tags: service.propagateTags === 'SERVICE' ? svc.tags : []
        },
        now
      )
    )
  }
  if (started.length > 0)
    addEvent(svc, now, `${who} has started ${started.length} tasks: ${taskList(started)}.`)
  return started
}

export interface ServiceTaskStop {
  readonly svc: SimService
  readonly tasks: readonly SimTask[]
  readonly reason: StopReason
  /** How the draining event names who stops them; the service by default. */
  readonly who?: string
  readonly now: number
}

/**
 * Stops service tasks and says so as ECS does: the tasks that had targets begin draining
 * connections, and their targets are deregistered, per target group. The deregistrations are
 * always the service's.
 */
export function stopServiceTasks(state: SimState, { svc, tasks, reason, who, now }: ServiceTaskStop): void {
  let draining = 0
  const deregistered = new Map<string, number>()
  for (const simTask of tasks) {
    const groups = requestStop(state, simTask, reason, now)
    if (groups.length > 0) draining += 1
    for (const arn of groups) deregistered.set(arn, (deregistered.get(arn) ?? 0) + 1)
  }
  const by = who ?? `(service ${svc.service.serviceName})`
  if (draining > 0) addEvent(svc, now, `${by} has begun draining connections on ${draining} tasks.`)
  for (const [arn, count] of deregistered)
    addEvent(
      svc,
      now,
      `(service ${svc.service.serviceName}) deregistered ${count} targets in (target-group ${arn})`
    )
}

export interface TargetVerdict {
  readonly svc: SimService
  readonly tasks: readonly SimTask[]
  readonly groups: readonly SimTargetGroup[]
  /** How the event names who the unhealthy task belongs to. */
  readonly who: string
  readonly now: number
}

/**
 * The load balancer's verdict: a task whose target has failed its checks is replaced, but not
 * before the service's health-check grace period has passed since the task started. ECS learns
 * of target health by polling ELB, so in practice it reacts some seconds after the target turns
 * unhealthy; we model that as one health-check interval. Rolling deployments, ECS-native
 * blue/green and CodeDeploy task sets all go through here.
 */
export function replaceTasksFailingTargets(
  state: SimState,
  { svc, tasks, groups, who, now }: TargetVerdict
): void {
  const grace = scaled(state, svc.service.healthCheckGracePeriodSeconds ?? 0)
  for (const simTask of tasks) {
    for (const tg of groups) {
      const noticeAfter = scaled(state, tg.group.HealthCheckIntervalSeconds ?? 30)
      const bad = tg.targets.find(
        t => t.taskArn === simTask.task.taskArn && t.state === 'unhealthy' && now - t.since >= noticeAfter
      )
      const startedAt = simTask.task.startedAt?.getTime() ?? now
      if (!bad || now - startedAt < grace) continue
      addEvent(
        svc,
        now,
        `${who} (port ${bad.port}) is unhealthy in (target-group ${tg.group.TargetGroupArn}) due to (reason ${bad.description}).`
      )
      const stoppedReason = `Task failed ELB health checks in (target-group ${tg.group.TargetGroupArn})`
      const reason: StopReason = { stopCode: 'ServiceSchedulerInitiated', stoppedReason, failure: true }
      stopServiceTasks(state, { svc, tasks: [simTask], reason, who, now })
      break
    }
  }
}
