// How simulated ECS moves forward in time. advance(state, now) applies every transition that is
// due at `now`: task lifecycle, container and target health, the service scheduler's rolling
// algorithm and the deployment circuit breaker. It is a plain function of the state and a clock,
// so its semantics are unit-tested without HTTP. Behaviour follows the ECS developer guide ("Amazon
// ECS task lifecycle", "Deploy Amazon ECS services by replacing tasks", "How the Amazon ECS
// deployment circuit breaker detects failures"), the ECS API reference (HealthCheck, Deployment,
// ServiceDeployment, DeploymentCircuitBreaker) and the Elastic Load Balancing target-group
// health-check documentation.
import type {
  ContainerDefinition,
  DeploymentCircuitBreaker,
  NetworkConfiguration,
  Tag,
  Task,
  TaskOverride
} from '@aws-sdk/client-ecs'
import { startLogStreams, writeDueLogs } from './runtime/awslogs.js'
import { commandBehaviour, imageBehaviour, sidecarBehaviour } from './world/behaviours.js'
import { advanceBlueGreen, usesBlueGreen } from './controllers/bluegreen/lifecycle.js'
import { advanceCodeDeploy } from './controllers/codedeploy/lifecycle.js'
import { containerHealthAllows, planContainerHealth, runContainerChecks } from './runtime/container-health.js'
import type { ImageBehaviour } from './contract.js'
import {
  digitsId,
  ecsArn,
  hexId,
  nameFromArn,
  recordMilestone,
  scaled,
  type SimDeployment,
  type SimService,
  type SimState,
  type SimTask,
  type SimTargetGroup,
  type TaskPlan
} from './world/model.js'
import { startRequestedRollback } from './controllers/rolling/stop-rollback.js'
import { findTaskDefinition } from './world/task-definitions.js'
import { advanceTaskSets, isCodeDeployService } from './runtime/task-sets.js'

export { findTaskDefinition } from './world/task-definitions.js'

/**
 * The circuit breaker's failure threshold. The API reference (ServiceDeploymentCircuitBreaker,
 * ThresholdConfiguration) gives it as `value` percent of the desired count (50 by default),
 * clamped to at least 3 and at most 200 for BOUNDED_PERCENT (the default), unclamped for
 * UNBOUNDED_PERCENT, and `value` itself for COUNT. The API reference does not say how a fraction
 * is rounded: rounding up is our choice (it is what the developer guide's "Failure threshold"
 * section is quoted as saying). An unbounded threshold is at least 1, also our choice.
 */
export function circuitBreakerThreshold(desiredCount: number, breaker?: DeploymentCircuitBreaker): number {
  const config = breaker?.thresholdConfiguration
  const value = config?.value ?? 50
  if (config?.type === 'COUNT') return value
  const percent = Math.ceil((desiredCount * value) / 100)
  if (config?.type === 'UNBOUNDED_PERCENT') return Math.max(1, percent)
  return Math.min(200, Math.max(3, percent))
}

function essentialContainer(containers: readonly ContainerDefinition[]): ContainerDefinition | undefined {
  return containers.find(c => c.essential !== false) ?? containers[0]
}

function ipFor(state: SimState): string {
  state.counter += 1
  const n = state.counter
  return `10.0.${(n >> 8) & 255}.${n & 255 || 1}`
}

const isAwsvpc = (task: Task) => task.attachments?.some(a => a.type === 'ElasticNetworkInterface') ?? false

/** PROVISIONING, PENDING or ACTIVATING: what ECS counts as pending. */
export const isStarting = (task: Task): boolean =>
  task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING' || task.lastStatus === 'ACTIVATING'

/** Seconds after it starts from which a container's own health check passes; undefined: never. */
function checkPassesAfter(behaviour: ImageBehaviour): number | undefined {
  if (behaviour.kind === 'unhealthy-container') return undefined
  return behaviour.kind === 'healthy' ? (behaviour.startSeconds ?? 0) : 0
}

export interface StartTaskParams {
  readonly taskDefinitionArn: string
  readonly group?: string
  readonly startedBy?: string
  readonly launchType?: string
  readonly capacityProviderName?: string
  readonly networkConfiguration?: NetworkConfiguration
  readonly overrides?: TaskOverride
  readonly tags?: Tag[]
  readonly platformVersion?: string
  readonly deploymentId?: string
  readonly serviceName?: string
  readonly clusterArn: string
}

/**
 * Places a task: it starts PROVISIONING, and its plan says what happens to it from then on:
 * PENDING (the image pull), ACTIVATING (containers created, targets registered), RUNNING.
 */
export function startTask(state: SimState, params: StartTaskParams, now: number): SimTask {
  const td = findTaskDefinition(state, params.taskDefinitionArn)
  if (!td) throw new Error(`task definition ${params.taskDefinitionArn} not found`)
  const definition = td.definition
  const clusterName = nameFromArn(params.clusterArn)
  const taskId = hexId(state)
  const taskArn = ecsArn(state, `task/${clusterName}/${taskId}`)
  const containers = definition.containerDefinitions ?? []
  const essential = essentialContainer(containers)
  const overrideFor = (name?: string) => params.overrides?.containerOverrides?.find(o => o.name === name)
  const commandOverride = containers.map(c => ({ c, o: overrideFor(c.name) })).find(x => x.o?.command?.length)

  const pendingAt = now + scaled(state, state.timings.provisioningSeconds)
  const activatingAt = pendingAt + scaled(state, state.timings.pendingSeconds)
  const runningAt = activatingAt + scaled(state, state.timings.activatingSeconds ?? 1)
  const behaviour = imageBehaviour(state, definition.taskDefinitionArn ?? '', essential?.image)
  const plan: TaskPlan = {
    pendingAt,
    activatingAt,
    runningAt,
    logLines: [],
    containerHealth: [],
    essentialContainers: containers.filter(c => c.essential !== false).map(c => c.name ?? ''),
    appReadyAfterMs: 0,
    deploymentId: params.deploymentId,
    serviceName: params.serviceName,
    logContainer: (commandOverride?.c ?? essential)?.name
  }
  if (behaviour.kind === 'cannot-start') {
    // An image that cannot be pulled (or secrets that cannot be fetched) fails whatever the command.
    plan.cannotStart = { stopCode: behaviour.stopCode, stoppedReason: behaviour.stoppedReason }
  } else if (commandOverride) {
    const command = commandBehaviour(state, commandOverride.o?.command ?? [])
    plan.exitAt = runningAt + scaled(state, command.runSeconds)
    plan.exitCode = command.exitCode
    spreadLogLines(plan, command.logLines, runningAt, plan.exitAt)
  } else {
    switch (behaviour.kind) {
      case 'healthy': {
        plan.appReadyAfterMs = scaled(state, behaviour.startSeconds ?? 0)
        const listening = runningAt + Math.max(plan.appReadyAfterMs, scaled(state, 1))
        spreadLogLines(plan, ['Booting worker', 'Listening at: http://0.0.0.0:8000'], runningAt, listening)
        break
      }
      case 'exit':
        plan.exitAt = runningAt + scaled(state, behaviour.afterSeconds)
        plan.exitCode = behaviour.exitCode
        spreadLogLines(plan, behaviour.logLines ?? [], runningAt, plan.exitAt)
        break
      case 'unhealthy-target':
        plan.failsTargetCheck = behaviour.reasonCode ?? 'Target.ResponseCodeMismatch'
        break
      case 'unhealthy-container':
        // The container runs and serves; its own health check command fails (container-health.ts).
        break
    }
  }
  // A one-off task's health does not matter to ECS (it runs its course whatever its health), so
  // its checks pass; a service task's essential containers follow the task's behaviour, and a
  // non-essential container its own image's.
  plan.containerHealth = planContainerHealth(state, containers, c =>
    commandOverride
      ? 0
      : checkPassesAfter(c.essential !== false ? behaviour : sidecarBehaviour(state, c.image))
  )

  const awsvpc = definition.networkMode === 'awsvpc'
  const ip = awsvpc ? ipFor(state) : undefined
  const subnet = params.networkConfiguration?.awsvpcConfiguration?.subnets?.[0]
  const attachmentId = hexId(state, 8) + '-' + hexId(state, 4)
  const task: Task = {
    taskArn,
    clusterArn: params.clusterArn,
    taskDefinitionArn: definition.taskDefinitionArn,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    launchType: (params.launchType as Task['launchType']) ?? 'FARGATE',
    capacityProviderName: params.capacityProviderName,
    platformVersion: params.platformVersion ?? '1.4.0',
    cpu: definition.cpu,
    memory: definition.memory,
    createdAt: new Date(now),
    group: params.group ?? `family:${definition.family}`,
    startedBy: params.startedBy,
    version: 1,
    connectivity: 'CONNECTED',
    availabilityZone: `${state.region}a`,
    healthStatus: 'UNKNOWN',
    overrides: params.overrides ?? { containerOverrides: [], inferenceAcceleratorOverrides: [] },
    tags: params.tags ?? [],
    attachments: awsvpc
      ? [
          {
            id: attachmentId,
            type: 'ElasticNetworkInterface',
            status: 'PRECREATED',
            details: [
              { name: 'subnetId', value: subnet ?? 'subnet-00000000' },
              { name: 'networkInterfaceId', value: `eni-${hexId(state, 17)}` },
              { name: 'privateIPv4Address', value: ip ?? '' }
            ]
          }
        ]
      : [],
    containers: containers.map(c => ({
      containerArn: ecsArn(state, `container/${clusterName}/${taskId}/${hexId(state, 36)}`),
      taskArn,
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
      healthStatus: 'UNKNOWN',
      cpu: String(c.cpu ?? 0),
      networkInterfaces: ip ? [{ attachmentId, privateIpv4Address: ip }] : []
    }))
  }
  const simTask: SimTask = { task, plan }
  state.tasks.push(simTask)
  return simTask
}

function spreadLogLines(plan: TaskPlan, lines: readonly string[], from: number, to: number): void {
  // Lines are spread over the run; the last is written just before the process exits, which is
  // exactly the case a log follower must not miss.
  const span = Math.max(0, to - from - 1)
  lines.forEach((message, i) => {
    const at =
      lines.length === 1 ? Math.max(from, to - 1) : from + Math.round((span * i) / (lines.length - 1))
    plan.logLines.push({ at, message })
  })
}

function serviceTargetGroups(
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

const taskIp = (task: Task): string | undefined =>
  task.attachments?.[0]?.details?.find(d => d.name === 'privateIPv4Address')?.value

/** ECS registers a service task's targets while it is ACTIVATING; checks pass once its app is up. */
function registerTargets(state: SimState, simTask: SimTask, service: SimService, now: number): void {
  for (const { tg, containerPort } of serviceTargetGroups(state, service, simTask)) {
    const ip = taskIp(simTask.task)
    if (!ip || containerPort === undefined) continue
    tg.targets.push({
      id: ip,
      port: containerPort,
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
      service,
      now,
      `(service ${service.service.serviceName}) registered 1 targets in (target-group ${tg.group.TargetGroupArn})`
    )
  }
}

/** Moves the task's targets to draining; answers the longest deregistration delay and the target groups. */
function deregisterTargets(
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

export function addEvent(service: SimService, now: number, message: string): void {
  // DescribeServices returns events newest first, at most 100.
  service.events.unshift({
    id: `${now}-${service.events.length}-${Math.random().toString(16).slice(2, 10)}`,
    createdAt: new Date(now),
    message
  })
  if (service.events.length > 100) service.events.length = 100
}

const taskId = (task: Task) => task.taskArn?.split('/').at(-1) ?? ''

/**
 * Stops service tasks and says so as ECS does: the tasks that had targets begin draining
 * connections, and their targets are deregistered, per target group. `who` starts the draining
 * event (`(service web)`, or `(service web, taskSet …)` for a task set); deregistrations are the
 * service's.
 */
export function stopServiceTasks(
  state: SimState,
  svc: SimService,
  tasks: readonly SimTask[],
  reason: StopReason,
  now: number,
  who = `(service ${svc.service.serviceName})`
): void {
  let draining = 0
  const deregistered = new Map<string, number>()
  for (const simTask of tasks) {
    const groups = requestStop(state, simTask, reason, now)
    if (groups.length > 0) draining += 1
    for (const arn of groups) deregistered.set(arn, (deregistered.get(arn) ?? 0) + 1)
  }
  if (draining > 0) addEvent(svc, now, `${who} has begun draining connections on ${draining} tasks.`)
  for (const [arn, count] of deregistered)
    addEvent(
      svc,
      now,
      `(service ${svc.service.serviceName}) deregistered ${count} targets in (target-group ${arn})`
    )
}

/**
 * The load balancer's verdict: a task whose target has failed its checks is replaced, but not
 * before the service's health-check grace period has passed since the task started. ECS learns
 * of target health by polling ELB, so in practice it reacts some seconds after the target turns
 * unhealthy; we model that as one health-check interval. Rolling deployments, ECS-native
 * blue/green and CodeDeploy task sets all go through here; `who` starts the service event.
 */
export function replaceTasksFailingTargets(
  state: SimState,
  svc: SimService,
  tasks: readonly SimTask[],
  groups: readonly SimTargetGroup[],
  now: number,
  who: string
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
      stopServiceTasks(
        state,
        svc,
        [simTask],
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: `Task failed ELB health checks in (target-group ${tg.group.TargetGroupArn})`,
          failure: true
        },
        now,
        who
      )
      break
    }
  }
}

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

/** Starts `count` tasks of a service for `owner`, and says so in the service's events. */
export function startServiceTasks(
  state: SimState,
  svc: SimService,
  owner: TaskOwner,
  count: number,
  now: number,
  who: string
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
    addEvent(
      svc,
      now,
      `${who} has started ${started.length} tasks: ${started.map(t => `(task ${taskId(t.task)})`).join(' ')}.`
    )
  return started
}

export interface StopReason {
  readonly stopCode: Task['stopCode']
  readonly stoppedReason: string
  /** Whether the stop counts as a failed task for the circuit breaker. */
  readonly failure: boolean
}

/**
 * Requests a stop: the task drains its targets (DEACTIVATING), stops its containers (STOPPING),
 * releases its network interface (DEPROVISIONING, awsvpc only), then is STOPPED. Answers the
 * target groups whose targets began draining.
 */
export function requestStop(state: SimState, simTask: SimTask, reason: StopReason, now: number): string[] {
  const { task, plan } = simTask
  if (task.desiredStatus === 'STOPPED') return []
  task.desiredStatus = 'STOPPED'
  task.stopCode = reason.stopCode
  task.stoppedReason = reason.stoppedReason
  task.stoppingAt = new Date(now)
  plan.stopRequestedAt = now
  const { drainSeconds, groups } = deregisterTargets(state, simTask, now)
  task.lastStatus = drainSeconds > 0 ? 'DEACTIVATING' : 'STOPPING'
  plan.drainEndsAt = now + scaled(state, drainSeconds)
  plan.containersStopAt = plan.drainEndsAt + scaled(state, state.timings.stoppingSeconds)
  plan.stoppedAt = plan.containersStopAt + deprovisioning(state, task)
  if (reason.failure) {
    recordMilestone(state, 'task-failed', {
      taskArn: task.taskArn,
      taskDefinition: task.taskDefinitionArn,
      reason: reason.stoppedReason,
      deploymentId: plan.deploymentId
    })
  }
  if (reason.failure && !plan.everHealthy) countFailure(state, plan)
  return groups
}

const deprovisioning = (state: SimState, task: Task) =>
  isAwsvpc(task) ? scaled(state, state.timings.deprovisioningSeconds ?? 1) : 0

function findDeployment(state: SimState, id: string): SimDeployment | undefined {
  for (const service of state.services.values()) {
    const dep = service.deployments.find(d => d.deployment.id === id)
    if (dep) return dep
  }
  return undefined
}

function setAttachmentStatus(task: Task, status: string): void {
  for (const a of task.attachments ?? []) if (a.type === 'ElasticNetworkInterface') a.status = status
}

/**
 * A task that cannot start (its image cannot be pulled, its log group is missing, …) stops at the
 * end of PENDING: no container ran, so none has an exit code; an awsvpc task still releases its
 * network interface (DEPROVISIONING) before it is STOPPED.
 */
function failToStart(
  state: SimState,
  simTask: SimTask,
  service: SimService | undefined,
  failure: { stopCode: string; stoppedReason: string },
  now: number
): void {
  const { task, plan } = simTask
  task.desiredStatus = 'STOPPED'
  task.stopCode = failure.stopCode as Task['stopCode']
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
    setAttachmentStatus(task, 'DETACHING')
  } else finishStop(state, simTask, service, now)
}

function finishStop(state: SimState, simTask: SimTask, service: SimService | undefined, now: number): void {
  const { task } = simTask
  task.lastStatus = 'STOPPED'
  task.stoppedAt = new Date(now)
  setAttachmentStatus(task, 'DELETED')
  onStopped(state, simTask, service, now)
}

function advanceTask(state: SimState, simTask: SimTask, now: number): void {
  const { task, plan } = simTask
  const service = plan.serviceName ? findService(state, task.clusterArn ?? '', plan.serviceName) : undefined
  if (task.lastStatus === 'PROVISIONING' && now >= plan.pendingAt) {
    task.lastStatus = 'PENDING'
    task.pullStartedAt = new Date(now)
    setAttachmentStatus(task, 'ATTACHED')
  }
  if (task.lastStatus === 'PENDING' && now >= plan.activatingAt) {
    const logFailure = plan.cannotStart ? undefined : startLogStreams(state, simTask, now)
    const failure =
      plan.cannotStart ?? (logFailure && { stopCode: 'TaskFailedToStart', stoppedReason: logFailure })
    if (failure) return failToStart(state, simTask, service, failure, now)
    task.lastStatus = 'ACTIVATING'
    task.pullStoppedAt = new Date(now)
    // Blue/green services register each revision in its own target group (sim/bluegreen.ts).
    if (service && !usesBlueGreen(service)) registerTargets(state, simTask, service, now)
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
    if (plan.exitAt !== undefined && now >= plan.exitAt) {
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
      if (service) stopServiceTasks(state, service, [simTask], reason, now)
      else requestStop(state, simTask, reason, now)
    } else {
      if (plan.containerHealth.length > 0)
        runContainerChecks(task, plan.containerHealth, plan.essentialContainers, plan.runningAt, now)
      replaceIfContainerUnhealthy(state, simTask, service, now)
    }
  }
  if (task.desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') {
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
        setAttachmentStatus(task, 'DETACHING')
      }
    }
    if (
      (task.lastStatus === 'STOPPING' || task.lastStatus === 'DEPROVISIONING') &&
      now >= (plan.stoppedAt ?? now)
    )
      finishStop(state, simTask, service, now)
  }
}

/**
 * The service scheduler replaces a task whose container health is UNHEALTHY, once the service's
 * health-check grace period (which covers container health checks too) has passed since the
 * task started. A standalone task runs on whatever its health.
 */
function replaceIfContainerUnhealthy(
  state: SimState,
  simTask: SimTask,
  service: SimService | undefined,
  now: number
): void {
  const { task, plan } = simTask
  if (!service || task.healthStatus !== 'UNHEALTHY') return
  const grace = scaled(state, service.service.healthCheckGracePeriodSeconds ?? 0)
  if (now - plan.runningAt < grace) return
  addEvent(
    service,
    now,
    `(service ${service.service.serviceName}) (task ${taskId(task)}) failed container health checks.`
  )
  stopServiceTasks(
    state,
    service,
    [simTask],
    {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
      failure: true
    },
    now
  )
}

function countFailure(state: SimState, plan: TaskPlan): void {
  if (!plan.deploymentId) return
  const dep = findDeployment(state, plan.deploymentId)
  if (dep) {
    dep.failedTasks += 1
    dep.deployment.failedTasks = dep.failedTasks
  }
}

function onStopped(state: SimState, simTask: SimTask, service: SimService | undefined, now: number): void {
  recordMilestone(state, 'task-stopped', {
    taskArn: simTask.task.taskArn,
    taskDefinition: simTask.task.taskDefinitionArn,
    stopCode: simTask.task.stopCode,
    reason: simTask.task.stoppedReason,
    deploymentId: simTask.plan.deploymentId
  })
  if (service && simTask.task.stopCode !== 'ServiceSchedulerInitiated') {
    addEvent(
      service,
      now,
      `(service ${service.service.serviceName}) has stopped 1 running tasks: (task ${taskId(simTask.task)}).`
    )
  }
}

function describeFailure(tg: SimTargetGroup, reason: string): string {
  if (reason === 'Target.Timeout') return 'Request timed out'
  if (reason === 'Target.FailedHealthChecks') return 'Health checks failed'
  return `Health checks failed with these codes: [${tg.group.Matcher?.HttpCode === '200' || !tg.group.Matcher ? '502' : '500'}]`
}

/**
 * Target health as Elastic Load Balancing checks it: every HealthCheckIntervalSeconds from
 * registration; HealthyThresholdCount passes in a row make a target healthy, and
 * UnhealthyThresholdCount failures in a row unhealthy (from initial or healthy alike). A target
 * whose app is not up yet (a slow start) fails with Target.FailedHealthChecks, as a refused
 * connection does. Draining targets are not checked, and go after the deregistration delay.
 */
function advanceTargets(state: SimState, tg: SimTargetGroup, now: number): void {
  const interval = scaled(state, tg.group.HealthCheckIntervalSeconds ?? 30)
  const healthyCount = tg.group.HealthyThresholdCount ?? 5
  const unhealthyCount = tg.group.UnhealthyThresholdCount ?? 2
  const drainFor = scaled(state, Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300))
  tg.targets = tg.targets.filter(t => !(t.state === 'draining' && now - t.since >= drainFor))
  if (interval <= 0) return
  for (const t of tg.targets) {
    if (t.state === 'draining') continue
    t.nextCheckAt ??= t.since + interval
    for (let guard = 0; guard < 10_000 && now >= t.nextCheckAt; guard++) {
      const at: number = t.nextCheckAt
      t.nextCheckAt = at + interval
      const up = t.passesFrom === undefined || at >= t.passesFrom
      if (t.passes && up) {
        t.passedInARow = (t.passedInARow ?? 0) + 1
        t.failedInARow = 0
        if (t.state !== 'healthy' && t.passedInARow >= healthyCount) {
          t.state = 'healthy'
          t.reason = undefined
          t.description = undefined
          t.since = at
        }
        continue
      }
      t.failedInARow = (t.failedInARow ?? 0) + 1
      t.passedInARow = 0
      if (t.state === 'unhealthy' || t.failedInARow < unhealthyCount) continue
      t.state = 'unhealthy'
      t.reason = up ? (t.failReason ?? 'Target.ResponseCodeMismatch') : 'Target.FailedHealthChecks'
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

export function findService(state: SimState, cluster: string, name: string): SimService | undefined {
  return state.services.get(`${nameFromArn(cluster)}/${nameFromArn(name)}`)
}

/**
 * Whether a task's container health lets it count for its deployment: HEALTHY when an essential
 * container has a health check, and not UNHEALTHY otherwise.
 */
export const containerHealthy = (simTask: SimTask): boolean =>
  containerHealthAllows(simTask.task, simTask.plan.containerHealth)

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

/**
 * A task of a deployment became healthy: a later failure of it no longer counts against the
 * circuit breaker, and with resetOnHealthyTask (true by default, DeploymentCircuitBreaker in the
 * API reference) the deployment's failure count goes back to 0. Counting goes on afterwards:
 * failedTasks is "the number of consecutively failed tasks".
 */
export function markHealthy(svc: SimService, dep: SimDeployment, simTask: SimTask): void {
  if (simTask.plan.everHealthy) return
  simTask.plan.everHealthy = true
  const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
  if (breaker?.resetOnHealthyTask === false || dep.failedTasks === 0) return
  dep.failedTasks = 0
  dep.deployment.failedTasks = 0
}

function advanceService(state: SimState, svc: SimService, now: number): void {
  // CODE_DEPLOY services run task sets, not deployments (sim/tasksets.ts).
  if (isCodeDeployService(svc)) return advanceTaskSets(state, svc, now)
  const service = svc.service
  if (service.status !== 'ACTIVE' && service.status !== 'DRAINING') return
  const name = service.serviceName ?? ''
  const tasksOf = (dep: SimDeployment) =>
    state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.desiredStatus === 'RUNNING')
  const unstoppedOf = (dep: SimDeployment) =>
    state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.lastStatus !== 'STOPPED')
  const allActive = () => svc.deployments.flatMap(tasksOf)

  replaceTasksFailingTargets(
    state,
    svc,
    allActive(),
    svc.deployments.length ? serviceTargetGroups(state, svc).map(t => t.tg) : [],
    now,
    `(service ${name})`
  )
  for (const dep of svc.deployments)
    for (const simTask of tasksOf(dep)) if (isHealthy(state, simTask, svc)) markHealthy(svc, dep, simTask)

  const primary = svc.deployments[0]
  if (!primary) return
  const desired = service.desiredCount ?? 0
  primary.deployment.desiredCount = desired
  const config = service.deploymentConfiguration ?? {}
  const breaker = config.deploymentCircuitBreaker

  // The circuit breaker: enough tasks of this deployment failed in a row before becoming healthy.
  if (
    breaker?.enable &&
    primary.deployment.rolloutState === 'IN_PROGRESS' &&
    primary.failedTasks >= circuitBreakerThreshold(desired, breaker)
  ) {
    primary.deployment.rolloutState = 'FAILED'
    primary.deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.'
    primary.deployment.updatedAt = new Date(now)
    addEvent(
      svc,
      now,
      `(service ${name}) (deployment ${primary.deployment.id}) deployment failed: tasks failed to start.`
    )
    recordMilestone(state, 'rollout-failed', {
      deploymentId: primary.deployment.id,
      taskDefinition: primary.deployment.taskDefinition
    })
    const history = svc.history.find(h => h.serviceDeploymentArn === primary.serviceDeploymentArn)
    if (history?.deploymentCircuitBreaker) {
      history.deploymentCircuitBreaker.status = 'TRIGGERED'
      history.deploymentCircuitBreaker.failureCount = primary.failedTasks
    }
    const rollbackTo = svc.lastCompletedTaskDefinition
    if (primary.rollbackOf) {
      // The rollback itself failed. The developer guide: the deployment rolled back to is not
      // eligible for another rollback until it is COMPLETED, so ECS starts no further one and
      // launches no new tasks; the service deployment that failed first ends ROLLBACK_FAILED.
      const reason = 'ECS deployment circuit breaker: the rollback failed: tasks failed to start.'
      const original = svc.history.find(h =>
        h.serviceDeploymentArn?.endsWith(`/${primary.rollbackOf?.replace('ecs-svc/', '')}`)
      )
      for (const h of [original, history])
        if (h)
          Object.assign(h, { status: 'ROLLBACK_FAILED', statusReason: reason, finishedAt: new Date(now) })
    } else if (breaker.rollback && rollbackTo && rollbackTo !== primary.deployment.taskDefinition) {
      const rollback = createDeployment(state, svc, rollbackTo, now, primary.deployment.id)
      if (history) {
        history.status = 'ROLLBACK_IN_PROGRESS'
        history.statusReason = 'ECS deployment circuit breaker: tasks failed to start.'
        history.rollback = {
          reason: 'ECS deployment circuit breaker: tasks failed to start.',
          startedAt: new Date(now),
          serviceRevisionArn: rollback.serviceRevisionArn
        }
      }
      addEvent(svc, now, `(service ${name}) rolling back to deployment ${rollback.deployment.id}.`)
    } else if (history) {
      history.status = 'STOPPED'
      history.statusReason = 'ECS deployment circuit breaker: tasks failed to start.'
      history.finishedAt = history.stoppedAt = new Date(now)
    }
  }

  const current = svc.deployments[0] as SimDeployment
  const maxTotal = Math.floor((desired * (config.maximumPercent ?? 200)) / 100)
  const minHealthy = Math.ceil((desired * (config.minimumHealthyPercent ?? 100)) / 100)
  const launching = !(breaker?.enable && current.deployment.rolloutState === 'FAILED')

  // Scale in a primary that has more tasks than desired.
  const extras = tasksOf(current).slice(desired)
  stopServiceTasks(
    state,
    svc,
    extras,
    {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ' + current.deployment.id + ')',
      failure: false
    },
    now
  )
  if (extras.length > 0)
    addEvent(
      svc,
      now,
      `(service ${name}) has stopped ${extras.length} running tasks: ${extras.map(t => `(task ${taskId(t.task)})`).join(' ')}.`
    )

  // Old tasks go when they are not serving, or when enough new ones serve (never below the
  // minimum healthy percent), or to make room for new ones within the maximum percent.
  let healthyTotal = allActive().filter(t => isHealthy(state, t, svc)).length
  const healthyPrimary = tasksOf(current).filter(t => isHealthy(state, t, svc)).length
  const old = svc.deployments.slice(1).flatMap(tasksOf)
  old.sort((a, b) => Number(isHealthy(state, a, svc)) - Number(isHealthy(state, b, svc)))
  const stopped: SimTask[] = []
  let active = allActive().length
  for (const simTask of old) {
    const healthy = isHealthy(state, simTask, svc)
    const roomNeeded = launching && desired - tasksOf(current).length > maxTotal - active
    if (!healthy || (healthyTotal - 1 >= minHealthy && (healthyPrimary > 0 || roomNeeded))) {
      if (healthy) healthyTotal -= 1
      active -= 1
      stopped.push(simTask)
    }
  }
  if (stopped.length > 0) {
    addEvent(
      svc,
      now,
      `(service ${name}) has stopped ${stopped.length} running tasks: ${stopped.map(t => `(task ${taskId(t.task)})`).join(' ')}.`
    )
    stopServiceTasks(
      state,
      svc,
      stopped,
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${current.deployment.id})`,
        failure: false
      },
      now
    )
  }

  // Start new tasks up to the desired count, within the maximum percent.
  if (launching) {
    const toStart = Math.min(desired - tasksOf(current).length, maxTotal - allActive().length)
    startServiceTasks(state, svc, deploymentOwner(svc, current), toStart, now, `(service ${name})`)
  }

  // Counts, then completion: the primary runs its desired count, all serving, and nothing else runs.
  for (const dep of svc.deployments) {
    const tasks = unstoppedOf(dep)
    dep.deployment.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
    dep.deployment.pendingCount = tasks.filter(t => isStarting(t.task)).length
  }
  const everything = svc.deployments.flatMap(unstoppedOf)
  service.runningCount = everything.filter(t => t.task.lastStatus === 'RUNNING').length
  service.pendingCount = everything.filter(t => isStarting(t.task)).length
  // An older deployment stays ACTIVE while any of its tasks has not stopped yet (draining ones
  // included: a rolling deployment completes only once the old tasks have drained and stopped).
  // Then it is INACTIVE, and DescribeServices no longer lists it: in practice `deployments` holds
  // the PRIMARY and the ACTIVE ones only; the service deployments API keeps the history.
  svc.deployments = svc.deployments.filter((d, i) => i === 0 || unstoppedOf(d).length > 0)

  const currentTasks = tasksOf(current)
  const settled =
    currentTasks.length === desired &&
    currentTasks.every(t => isHealthy(state, t, svc)) &&
    svc.deployments.length === 1
  if (settled && current.deployment.rolloutState === 'IN_PROGRESS') {
    current.deployment.rolloutState = 'COMPLETED'
    current.deployment.rolloutStateReason = `ECS deployment ${current.deployment.id} completed.`
    current.deployment.updatedAt = new Date(now)
    svc.lastCompletedTaskDefinition = current.deployment.taskDefinition
    addEvent(svc, now, `(service ${name}) (deployment ${current.deployment.id}) deployment completed.`)
    const history = svc.history.find(h => h.serviceDeploymentArn === current.serviceDeploymentArn)
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
      deploymentId: current.deployment.id,
      taskDefinition: current.deployment.taskDefinition,
      rollbackOf: current.rollbackOf
    })
  }
  const steady = settled
  if (steady && !svc.steady) addEvent(svc, now, `(service ${name}) has reached a steady state.`)
  svc.steady = steady
  for (const h of svc.history) {
    const dep = svc.deployments.find(d => d.serviceDeploymentArn === h.serviceDeploymentArn)
    if (dep && h.targetServiceRevision) {
      h.targetServiceRevision.runningTaskCount = dep.deployment.runningCount
      h.targetServiceRevision.pendingTaskCount = dep.deployment.pendingCount
      h.targetServiceRevision.requestedTaskCount = dep.deployment.desiredCount
    }
  }
}

/** A new PRIMARY deployment; the previous primary becomes ACTIVE. */
/** A new PRIMARY deployment; the previous primary becomes ACTIVE. */
export function createDeployment(
  state: SimState,
  svc: SimService,
  taskDefinitionArn: string,
  now: number,
  rollbackOf?: string
): SimDeployment {
  const service = svc.service
  const id = `ecs-svc/${digitsId(state)}`
  const numeric = id.replace('ecs-svc/', '')
  const cluster = nameFromArn(service.clusterArn ?? '')
  const previous = svc.deployments[0]
  for (const d of svc.deployments) d.deployment.status = 'ACTIVE'
  const prevHistory =
    previous && svc.history.find(h => h.serviceDeploymentArn === previous.serviceDeploymentArn)
  if (
    prevHistory &&
    (prevHistory.status === 'IN_PROGRESS' || prevHistory.status === 'PENDING') &&
    !rollbackOf
  ) {
    prevHistory.status = 'STOPPED'
    prevHistory.statusReason = 'A newer service deployment was started.'
    prevHistory.finishedAt = new Date(now)
  }
  const deployment: SimDeployment = {
    deployment: {
      id,
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: new Date(now),
      updatedAt: new Date(now),
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      networkConfiguration: service.networkConfiguration,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ' + id + ' in progress.'
    },
    serviceDeploymentArn: ecsArn(state, `service-deployment/${cluster}/${service.serviceName}/${numeric}`),
    serviceRevisionArn: ecsArn(state, `service-revision/${cluster}/${service.serviceName}/${numeric}`),
    rollbackOf,
    failedTasks: 0
  }
  svc.deployments.unshift(deployment)
  service.taskDefinition = taskDefinitionArn
  svc.revisions.push({
    serviceRevisionArn: deployment.serviceRevisionArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: taskDefinitionArn,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    loadBalancers: service.loadBalancers,
    networkConfiguration: service.networkConfiguration,
    createdAt: new Date(now)
  })
  svc.history.push({
    serviceDeploymentArn: deployment.serviceDeploymentArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    createdAt: new Date(now),
    startedAt: new Date(now),
    updatedAt: new Date(now),
    sourceServiceRevisions: previous
      ? [
          {
            arn: previous.serviceRevisionArn,
            requestedTaskCount: previous.deployment.desiredCount,
            runningTaskCount: previous.deployment.runningCount,
            pendingTaskCount: previous.deployment.pendingCount
          }
        ]
      : [],
    targetServiceRevision: {
      arn: deployment.serviceRevisionArn,
      requestedTaskCount: service.desiredCount,
      runningTaskCount: 0,
      pendingTaskCount: 0
    },
    status: 'IN_PROGRESS',
    deploymentConfiguration: service.deploymentConfiguration,
    deploymentCircuitBreaker: service.deploymentConfiguration?.deploymentCircuitBreaker?.enable
      ? {
          status: 'MONITORING',
          failureCount: 0,
          threshold: circuitBreakerThreshold(
            service.desiredCount ?? 0,
            service.deploymentConfiguration.deploymentCircuitBreaker
          )
        }
      : { status: 'DISABLED' }
  })
  svc.steady = false
  return deployment
}

/** Applies every transition due at `now`. Idempotent: calling it twice with the same `now` changes nothing more. */
export function advance(state: SimState, now: number): void {
  for (const simTask of state.tasks) advanceTask(state, simTask, now)
  for (const tg of state.targetGroups) advanceTargets(state, tg, now)
  for (const svc of state.services.values()) {
    startRequestedRollback(state, svc, now)
    if (usesBlueGreen(svc)) advanceBlueGreen(state, svc, now)
    else advanceService(state, svc, now)
  }
  advanceCodeDeploy(state, now)
  // The breaker's counters in the service deployments follow the deployments.
  for (const svc of state.services.values()) {
    for (const dep of svc.deployments) {
      const h = svc.history.find(x => x.serviceDeploymentArn === dep.serviceDeploymentArn)
      if (h?.deploymentCircuitBreaker?.status === 'MONITORING')
        h.deploymentCircuitBreaker.failureCount = dep.failedTasks
    }
  }
  // ECS forgets stopped tasks after a while (about an hour); keep the list bounded here.
  if (state.tasks.length > 2000)
    state.tasks = state.tasks
      .filter(t => t.task.lastStatus !== 'STOPPED')
      .concat(state.tasks.filter(t => t.task.lastStatus === 'STOPPED').slice(-500))
}
