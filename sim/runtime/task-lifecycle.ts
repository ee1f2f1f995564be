// A task's life over time, as the developer guide's "Amazon ECS task lifecycle" describes it:
// PROVISIONING → PENDING (the image pull) → ACTIVATING (containers created, targets registered) →
// RUNNING; on a stop DEACTIVATING (targets drain) → STOPPING → DEPROVISIONING (the ENI is
// released, awsvpc only) → STOPPED. Each step happens when the task's plan (tasks.ts) says so.
// While RUNNING, the essential container may exit and container health checks run; the service
// scheduler replaces a service task whose container health is UNHEALTHY.
import { usesBlueGreen } from '../world/deployment-controller.js'
import {
  findService,
  recordMilestone,
  scaled,
  type SimService,
  type SimState,
  type SimTask
} from '../world/model.js'
import { findTaskDefinition } from '../world/task-definitions.js'
import { startLogStreams, writeDueLogs } from './awslogs.js'
import { runContainerChecks } from './container-health.js'
import { addEvent, addTasksStoppedEvent, taskIdOf } from './events.js'
import { stopServiceTasks } from './service-tasks.js'
import { registerServiceTargets } from './targets.js'
import {
  countFailure,
  deprovisioning,
  essentialContainer,
  isAwsvpc,
  requestStop,
  type StopReason
} from './tasks.js'

/** One task at one moment: what each step of its lifecycle works on. */
interface TaskAt {
  readonly state: SimState
  readonly simTask: SimTask
  /** The service that runs it; undefined for a one-off task (RunTask). */
  readonly service: SimService | undefined
  readonly now: number
}

/** Moves every task through whatever lifecycle steps are due at `now`. */
export function advanceTasks(state: SimState, now: number): void {
  for (const simTask of state.tasks) advanceTask(state, simTask, now)
}

function advanceTask(state: SimState, simTask: SimTask, now: number): void {
  const { task, plan } = simTask
  const service = plan.serviceName ? findService(state, task.clusterArn ?? '', plan.serviceName) : undefined
  const at: TaskAt = { state, simTask, service, now }
  if (task.lastStatus === 'PROVISIONING' && now >= plan.pendingAt) {
    task.lastStatus = 'PENDING'
    task.pullStartedAt = new Date(now)
    setAttachmentStatus(at, 'ATTACHED')
  }
  if (task.lastStatus === 'PENDING' && now >= plan.activatingAt) {
    const failure = startFailure(at)
    if (failure) return failToStart(at, failure)
    activate(at)
  }
  if (task.lastStatus === 'ACTIVATING' && now >= plan.runningAt) {
    task.lastStatus = 'RUNNING'
    task.startedAt = new Date(now)
    task.connectivityAt = task.connectivityAt ?? new Date(now)
    for (const c of task.containers ?? []) c.lastStatus = 'RUNNING'
  }
  if (task.lastStatus === 'RUNNING' || task.lastStatus === 'DEACTIVATING' || task.lastStatus === 'STOPPING')
    writeDueLogs(state, simTask, now)
  if (task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') {
    if (plan.exitAt !== undefined && now >= plan.exitAt) exitEssentialContainer(at)
    else {
      if (plan.containerHealth.length > 0) runContainerChecks(simTask, now)
      replaceIfContainerUnhealthy(at)
    }
  }
  if (task.desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') advanceStop(at)
}

function setAttachmentStatus({ simTask }: TaskAt, status: string): void {
  for (const a of simTask.task.attachments ?? []) if (a.type === 'ElasticNetworkInterface') a.status = status
}

/** Why the task cannot start at the end of PENDING: its plan says so, or its log group is missing. */
function startFailure({
  state,
  simTask,
  now
}: TaskAt): { stopCode: string; stoppedReason: string } | undefined {
  if (simTask.plan.cannotStart) return simTask.plan.cannotStart
  const logFailure = startLogStreams(state, simTask, now)
  return logFailure ? { stopCode: 'TaskFailedToStart', stoppedReason: logFailure } : undefined
}

/** End of PENDING: the containers are created and a service task's targets registered. */
function activate(at: TaskAt): void {
  const { state, simTask, service, now } = at
  simTask.task.lastStatus = 'ACTIVATING'
  simTask.task.pullStoppedAt = new Date(now)
  // Blue/green services register each revision in its own target group (controllers/bluegreen/).
  if (service && !usesBlueGreen(service)) registerServiceTargets(state, simTask, service, now)
}

/**
 * A task that cannot start (its image cannot be pulled, its log group is missing, …) stops at the
 * end of PENDING: no container ran, so none has an exit code; an awsvpc task still releases its
 * network interface (DEPROVISIONING) before it is STOPPED.
 */
function failToStart(at: TaskAt, failure: { stopCode: string; stoppedReason: string }): void {
  const { state, simTask, now } = at
  const { task, plan } = simTask
  task.desiredStatus = 'STOPPED'
  task.stopCode = failure.stopCode as StopReason['stopCode']
  task.stoppedReason = failure.stoppedReason
  task.stoppingAt = task.executionStoppedAt = new Date(now)
  for (const c of task.containers ?? []) {
    c.lastStatus = 'STOPPED'
    c.reason = failure.stoppedReason
  }
  plan.stopRequestedAt = plan.drainEndsAt = plan.containersStopAt = now
  plan.stoppedAt = now + deprovisioning(state, task)
  recordMilestone(state, 'task-failed', {
    taskArn: task.taskArn,
    taskDefinition: task.taskDefinitionArn,
    reason: task.stoppedReason,
    deploymentId: plan.deploymentId
  })
  countFailure(state, plan)
  if (isAwsvpc(task)) {
    task.lastStatus = 'DEPROVISIONING'
    setAttachmentStatus(at, 'DETACHING')
  } else finishStop(at)
}

/**
 * The essential container exits (a crash, or a one-off command finishing): the task stops. A
 * service task's exit counts as a failure whatever its code; a one-off task's only when non-zero.
 */
function exitEssentialContainer({ state, simTask, service, now }: TaskAt): void {
  const { task, plan } = simTask
  const td = findTaskDefinition(state, task.taskDefinitionArn ?? '')
  const essential = essentialContainer(td?.definition.containerDefinitions ?? [])
  for (const c of task.containers ?? []) {
    if (c.name === plan.logContainer || c.name === essential?.name) {
      c.exitCode = plan.exitCode
      c.lastStatus = 'STOPPED'
    }
  }
  writeDueLogs(state, simTask, now + 1)
  const reason: StopReason = {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    failure: plan.exitCode !== 0 || !!service
  }
  if (service) stopServiceTasks(state, { svc: service, tasks: [simTask], reason, now })
  else requestStop(state, simTask, reason, now)
}

/**
 * The service scheduler replaces a task whose container health is UNHEALTHY, once the service's
 * health-check grace period (which covers container health checks too) has passed since the
 * task started. A standalone task runs on whatever its health.
 */
function replaceIfContainerUnhealthy({ state, simTask, service, now }: TaskAt): void {
  const { task, plan } = simTask
  if (!service || task.healthStatus !== 'UNHEALTHY') return
  const grace = scaled(state, service.service.healthCheckGracePeriodSeconds ?? 0)
  if (now - plan.runningAt < grace) return
  addEvent(
    service,
    now,
    `(service ${service.service.serviceName}) (task ${taskIdOf(task)}) failed container health checks.`
  )
  const reason: StopReason = {
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Task failed container health checks',
    failure: true
  }
  stopServiceTasks(state, { svc: service, tasks: [simTask], reason, now })
}

/** A stop in progress: draining ends, the containers stop (SIGTERM), the ENI is released, STOPPED. */
function advanceStop(at: TaskAt): void {
  const { simTask, now } = at
  const { task, plan } = simTask
  if (task.lastStatus === 'DEACTIVATING' && now >= (plan.drainEndsAt ?? now)) task.lastStatus = 'STOPPING'
  if (task.lastStatus === 'STOPPING' && now >= (plan.containersStopAt ?? now)) {
    task.executionStoppedAt = new Date(now)
    for (const c of task.containers ?? []) {
      // A container stopped by ECS (not one that exited on its own) gets SIGTERM: exit code 143
      // for most apps. The essential container that crashed keeps its own code.
      if (c.exitCode === undefined && c.lastStatus === 'RUNNING') c.exitCode = 143
      c.lastStatus = 'STOPPED'
    }
    if (isAwsvpc(task)) {
      task.lastStatus = 'DEPROVISIONING'
      setAttachmentStatus(at, 'DETACHING')
    }
  }
  if (
    (task.lastStatus === 'STOPPING' || task.lastStatus === 'DEPROVISIONING') &&
    now >= (plan.stoppedAt ?? now)
  )
    finishStop(at)
}

function finishStop(at: TaskAt): void {
  const { state, simTask, service, now } = at
  const { task } = simTask
  task.lastStatus = 'STOPPED'
  task.stoppedAt = new Date(now)
  setAttachmentStatus(at, 'DELETED')
  recordMilestone(state, 'task-stopped', {
    taskArn: task.taskArn,
    taskDefinition: task.taskDefinitionArn,
    stopCode: task.stopCode,
    reason: task.stoppedReason,
    deploymentId: simTask.plan.deploymentId
  })
  // The scheduler's own stops are reported where it stops the tasks; any other stop (an exit,
  // StopTask) is reported here, once the task has stopped.
  if (service && task.stopCode !== 'ServiceSchedulerInitiated') addTasksStoppedEvent(service, [simTask], now)
}
