// How simulated ECS moves forward in time. advance(state, now) applies every transition that is
// due at `now`: task lifecycle, target health, the service scheduler's rolling algorithm and the
// deployment circuit breaker. It is a plain function of the state and a clock, so its semantics are
// unit-tested without HTTP. Behaviour follows the ECS developer guide ("Deploy Amazon ECS services
// by replacing tasks", "How the Amazon ECS deployment circuit breaker detects failures") and the
// Elastic Load Balancing target-group health-check documentation.
import type { ContainerDefinition, NetworkConfiguration, Tag, Task, TaskOverride } from '@aws-sdk/client-ecs'
import { advanceBlueGreen, usesBlueGreen } from './bluegreen.js'
import { advanceCodeDeploy } from './codedeploy-engine.js'
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
  type SimTargetGroup
} from './model.js'
import { startRequestedRollback } from './stop-deployment.js'
import { advanceTaskSets, isCodeDeployService } from './tasksets.js'

const HEALTHY: ImageBehaviour = { kind: 'healthy' }

/**
 * The circuit breaker's failure threshold, as the ECS developer guide documents it: half the
 * desired count rounded up, at least 3 and at most 200.
 */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)))
}

export function findTaskDefinition(state: SimState, ref: string) {
  // A family, family:revision, or a full ARN.
  const short = ref.startsWith('arn:') ? (ref.split('/').at(-1) ?? ref) : ref
  const [family, rev] = short.split(':')
  const revisions = state.taskDefinitions.get(family ?? '')
  if (!revisions) return undefined
  if (rev === undefined) {
    const active = [...revisions].reverse().find(r => r.definition.status === 'ACTIVE')
    return active
  }
  return revisions[Number(rev) - 1]
}

function essentialContainer(containers: readonly ContainerDefinition[]): ContainerDefinition | undefined {
  return containers.find(c => c.essential !== false) ?? containers[0]
}

function behaviourFor(state: SimState, taskDefinitionArn: string, image: string | undefined): ImageBehaviour {
  const short = taskDefinitionArn.split('/').at(-1) ?? ''
  return (
    state.behaviours.revisions?.[short] ??
    (image ? state.behaviours.images?.[image] : undefined) ??
    state.behaviours.defaultImage ??
    HEALTHY
  )
}

function ipFor(state: SimState): string {
  state.counter += 1
  const n = state.counter
  return `10.0.${(n >> 8) & 255}.${n & 255 || 1}`
}

export interface StartTaskParams {
  readonly taskDefinitionArn: string
  readonly group?: string
  readonly startedBy?: string
  readonly launchType?: string
  readonly networkConfiguration?: NetworkConfiguration
  readonly overrides?: TaskOverride
  readonly tags?: Tag[]
  readonly platformVersion?: string
  readonly deploymentId?: string
  readonly serviceName?: string
  readonly clusterArn: string
}

/** Places a task: it starts PROVISIONING, and its plan says what happens to it from then on. */
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
  const runningAt = pendingAt + scaled(state, state.timings.pendingSeconds)
  const plan: SimTask['plan'] = {
    pendingAt,
    runningAt,
    logLines: [],
    deploymentId: params.deploymentId,
    serviceName: params.serviceName
  }
  plan.logContainer = (commandOverride?.c ?? essential)?.name
  const imageBehaviour = behaviourFor(state, definition.taskDefinitionArn ?? '', essential?.image)
  if (imageBehaviour.kind === 'cannot-start') {
    // An image that cannot be pulled (or secrets that cannot be fetched) fails whatever the command.
    plan.cannotStart = { stopCode: imageBehaviour.stopCode, stoppedReason: imageBehaviour.stoppedReason }
  } else if (commandOverride) {
    const argv = commandOverride.o?.command ?? []
    const behaviour = state.behaviours.commands?.[argv.join(' ')] ??
      state.behaviours.defaultCommand ?? { exitCode: 0, runSeconds: 1, logLines: [] }
    plan.exitAt = runningAt + scaled(state, behaviour.runSeconds)
    plan.exitCode = behaviour.exitCode
    spreadLogLines(plan, behaviour.logLines, runningAt, plan.exitAt)
  } else {
    const behaviour = imageBehaviour
    switch (behaviour.kind) {
      case 'healthy':
        if (behaviour.startSeconds !== undefined)
          plan.runningAt = pendingAt + scaled(state, behaviour.startSeconds)
        spreadLogLines(
          plan,
          ['Booting worker', 'Listening at: http://0.0.0.0:8000'],
          plan.runningAt ?? runningAt,
          (plan.runningAt ?? runningAt) + scaled(state, 1)
        )
        break
      case 'exit':
        plan.exitAt = runningAt + scaled(state, behaviour.afterSeconds)
        plan.exitCode = behaviour.exitCode
        spreadLogLines(plan, behaviour.logLines ?? [], runningAt, plan.exitAt)
        break
      case 'unhealthy-target':
        plan.failsTargetCheck = behaviour.reasonCode ?? 'Target.ResponseCodeMismatch'
        break
      case 'unhealthy-container': {
        const hc = essential?.healthCheck
        const seconds = (hc?.startPeriod ?? 0) + (hc?.interval ?? 30) * (hc?.retries ?? 3)
        plan.unhealthyAt = runningAt + scaled(state, seconds)
        break
      }
    }
  }

  const awsvpc = definition.networkMode === 'awsvpc'
  const ip = awsvpc ? ipFor(state) : undefined
  const subnet = params.networkConfiguration?.awsvpcConfiguration?.subnets?.[0]
  const attachmentId = hexId(state, 8) + '-' + hexId(state, 4)
  const createdAt = new Date(now)
  const task: Task = {
    taskArn,
    clusterArn: params.clusterArn,
    taskDefinitionArn: definition.taskDefinitionArn,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    launchType: (params.launchType as Task['launchType']) ?? 'FARGATE',
    platformVersion: params.platformVersion ?? '1.4.0',
    cpu: definition.cpu,
    memory: definition.memory,
    createdAt,
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

function spreadLogLines(plan: SimTask['plan'], lines: readonly string[], from: number, to: number): void {
  // Lines are spread over the run; the last is written just before the process exits, which is
  // exactly the case a log follower must not miss.
  const span = Math.max(0, to - from - 1)
  lines.forEach((message, i) => {
    const at =
      lines.length === 1 ? Math.max(from, to - 1) : from + Math.round((span * i) / (lines.length - 1))
    plan.logLines.push({ at, message })
  })
}

/** awslogs: stream `<prefix>/<container>/<task-id>` in the container's group, created when the task starts. */
function logTarget(state: SimState, simTask: SimTask, containerName?: string) {
  const td = findTaskDefinition(state, simTask.task.taskDefinitionArn ?? '')
  const container = (td?.definition.containerDefinitions ?? []).find(c => c.name === containerName)
  const log = container?.logConfiguration
  if (log?.logDriver !== 'awslogs') return undefined
  const group = log.options?.['awslogs-group']
  const prefix = log.options?.['awslogs-stream-prefix']
  if (!group) return undefined
  const taskId = simTask.task.taskArn?.split('/').at(-1) ?? ''
  const stream = prefix ? `${prefix}/${containerName}/${taskId}` : taskId
  return { group, stream, create: log.options?.['awslogs-create-group'] === 'true' }
}

function writeDueLogs(state: SimState, simTask: SimTask, now: number): void {
  const pending = simTask.plan.logLines.filter(l => l.at <= now)
  if (pending.length === 0) return
  simTask.plan.logLines = simTask.plan.logLines.filter(l => l.at > now)
  const target = logTarget(state, simTask, simTask.plan.logContainer)
  if (!target) return
  let group = state.logGroups.get(target.group)
  if (!group) {
    // Without the group (and without awslogs-create-group) the awslogs driver cannot write.
    if (!target.create) return
    group = { createdAt: now, streams: new Map() }
    state.logGroups.set(target.group, group)
  }
  let stream = group.streams.get(target.stream)
  if (!stream) {
    stream = { events: [], createdAt: now }
    group.streams.set(target.stream, stream)
  }
  for (const line of pending)
    stream.events.push({ timestamp: line.at, message: line.message, ingestionTime: now })
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
      failReason: simTask.plan.failsTargetCheck
    })
    addEvent(
      service,
      now,
      `(service ${service.service.serviceName}) registered 1 targets in (target-group ${tg.group.TargetGroupArn})`
    )
  }
}

function deregisterTargets(state: SimState, simTask: SimTask, now: number): number {
  let longestDrain = 0
  for (const tg of state.targetGroups) {
    for (const target of tg.targets) {
      if (target.taskArn !== simTask.task.taskArn || target.state === 'draining') continue
      target.state = 'draining'
      target.reason = 'Target.DeregistrationInProgress'
      target.description = 'Target deregistration is in progress'
      target.since = now
      longestDrain = Math.max(
        longestDrain,
        Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300)
      )
    }
  }
  return longestDrain
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
      requestStop(
        state,
        simTask,
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: `Task failed ELB health checks in (target-group ${tg.group.TargetGroupArn})`,
          failure: true
        },
        now
      )
      addEvent(
        svc,
        now,
        `${who} (port ${bad.port}) is unhealthy in (target-group ${tg.group.TargetGroupArn}) due to (reason ${bad.description}).`
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

/** Requests a stop: the task drains its targets (DEACTIVATING), then STOPPING, then STOPPED. */
export function requestStop(state: SimState, simTask: SimTask, reason: StopReason, now: number): void {
  const { task, plan } = simTask
  if (task.desiredStatus === 'STOPPED') return
  task.desiredStatus = 'STOPPED'
  task.stopCode = reason.stopCode
  task.stoppedReason = reason.stoppedReason
  task.stoppingAt = new Date(now)
  plan.stopRequestedAt = now
  const drainSeconds = deregisterTargets(state, simTask, now)
  task.lastStatus = drainSeconds > 0 ? 'DEACTIVATING' : 'STOPPING'
  plan.stoppedAt = now + scaled(state, drainSeconds) + scaled(state, state.timings.stoppingSeconds)
  if (reason.failure) {
    recordMilestone(state, 'task-failed', {
      taskArn: task.taskArn,
      taskDefinition: task.taskDefinitionArn,
      reason: reason.stoppedReason,
      deploymentId: plan.deploymentId
    })
  }
  if (reason.failure && !plan.everHealthy) countFailure(state, plan)
}

function findDeployment(state: SimState, id: string): SimDeployment | undefined {
  for (const service of state.services.values()) {
    const dep = service.deployments.find(d => d.deployment.id === id)
    if (dep) return dep
  }
  return undefined
}

function advanceTask(state: SimState, simTask: SimTask, now: number): void {
  const { task, plan } = simTask
  const service = plan.serviceName ? findService(state, task.clusterArn ?? '', plan.serviceName) : undefined
  if (task.lastStatus === 'PROVISIONING' && now >= plan.pendingAt) {
    task.lastStatus = 'PENDING'
    task.pullStartedAt = new Date(now)
    if (task.attachments?.[0]) task.attachments[0].status = 'ATTACHED'
  }
  if (task.lastStatus === 'PENDING' && plan.runningAt !== undefined && now >= plan.runningAt) {
    if (plan.cannotStart) {
      task.desiredStatus = 'STOPPED'
      task.lastStatus = 'STOPPED'
      task.stopCode = plan.cannotStart.stopCode as Task['stopCode']
      task.stoppedReason = plan.cannotStart.stoppedReason
      task.stoppedAt = task.executionStoppedAt = new Date(now)
      for (const c of task.containers ?? []) {
        c.lastStatus = 'STOPPED'
        c.reason = plan.cannotStart.stoppedReason
      }
      plan.stoppedAt = now
      recordMilestone(state, 'task-failed', {
        taskArn: task.taskArn,
        taskDefinition: task.taskDefinitionArn,
        reason: task.stoppedReason,
        deploymentId: plan.deploymentId
      })
      countFailure(state, plan)
      onStopped(state, simTask, service, now)
      return
    }
    task.lastStatus = 'RUNNING'
    task.pullStoppedAt = new Date(now)
    task.startedAt = new Date(now)
    const td = findTaskDefinition(state, task.taskDefinitionArn ?? '')
    for (const c of task.containers ?? []) {
      c.lastStatus = 'RUNNING'
      const def = td?.definition.containerDefinitions?.find(d => d.name === c.name)
      c.healthStatus = def?.healthCheck ? 'HEALTHY' : 'UNKNOWN'
    }
    task.healthStatus = (task.containers ?? []).some(c => c.healthStatus === 'HEALTHY')
      ? 'HEALTHY'
      : 'UNKNOWN'
    // Blue/green services register each revision in its own target group (sim/bluegreen.ts).
    if (service && !usesBlueGreen(service)) registerTargets(state, simTask, service, now)
  }
  if (task.lastStatus === 'RUNNING' || task.lastStatus === 'DEACTIVATING' || task.lastStatus === 'STOPPING')
    writeDueLogs(state, simTask, now)

  if (task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') {
    if (plan.exitAt !== undefined && now >= plan.exitAt) {
      const td = findTaskDefinition(state, task.taskDefinitionArn ?? '')
      const essential = essentialContainer(td?.definition.containerDefinitions ?? [])
      const logContainer = plan.logContainer
      for (const c of task.containers ?? []) {
        if (c.name === logContainer || c.name === essential?.name) {
          c.exitCode = plan.exitCode
          c.lastStatus = 'STOPPED'
        }
      }
      writeDueLogs(state, simTask, now + 1)
      requestStop(
        state,
        simTask,
        {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          failure: plan.exitCode !== 0 || !!service
        },
        now
      )
    } else if (
      plan.unhealthyAt !== undefined &&
      now >= plan.unhealthyAt &&
      task.healthStatus !== 'UNHEALTHY'
    ) {
      task.healthStatus = 'UNHEALTHY'
      for (const c of task.containers ?? []) c.healthStatus = 'UNHEALTHY'
      if (service) {
        requestStop(
          state,
          simTask,
          {
            stopCode: 'ServiceSchedulerInitiated',
            stoppedReason: 'Task failed container health checks',
            failure: true
          },
          now
        )
      }
    }
  }
  if (task.desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED' && plan.stoppedAt !== undefined) {
    const drainEnds = plan.stoppedAt - scaled(state, state.timings.stoppingSeconds)
    if (task.lastStatus === 'DEACTIVATING' && now >= drainEnds) task.lastStatus = 'STOPPING'
    if (now >= plan.stoppedAt) {
      task.lastStatus = 'STOPPED'
      task.stoppedAt = task.executionStoppedAt = new Date(now)
      for (const c of task.containers ?? []) {
        c.lastStatus = 'STOPPED'
        // A container stopped by ECS (not one that exited on its own) gets SIGTERM: exit code 143
        // for most apps. The essential container that crashed keeps its own code.
        if (c.exitCode === undefined && task.stopCode !== 'TaskFailedToStart') c.exitCode = 143
      }
      onStopped(state, simTask, service, now)
    }
  }
}

function countFailure(state: SimState, plan: SimTask['plan']): void {
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

function advanceTargets(state: SimState, tg: SimTargetGroup, now: number): void {
  const interval = scaled(state, tg.group.HealthCheckIntervalSeconds ?? 30)
  const healthyAfter = interval * (tg.group.HealthyThresholdCount ?? 5)
  const unhealthyAfter = interval * (tg.group.UnhealthyThresholdCount ?? 2)
  const drainFor = scaled(state, Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300))
  tg.targets = tg.targets.filter(t => !(t.state === 'draining' && now - t.since >= drainFor))
  for (const t of tg.targets) {
    if (t.state === 'draining') continue
    if (t.passes && t.state !== 'healthy' && now - t.since >= healthyAfter) {
      t.state = 'healthy'
      t.reason = undefined
      t.description = undefined
      t.since = now
    } else if (!t.passes && t.state !== 'unhealthy' && now - t.since >= unhealthyAfter) {
      t.state = 'unhealthy'
      t.reason = t.failReason ?? 'Target.ResponseCodeMismatch'
      t.description =
        t.reason === 'Target.Timeout'
          ? 'Request timed out'
          : t.reason === 'Target.FailedHealthChecks'
            ? 'Health checks failed'
            : `Health checks failed with these codes: [${tg.group.Matcher?.HttpCode === '200' || !tg.group.Matcher ? '502' : '500'}]`
      t.since = now
      recordMilestone(state, 'target-unhealthy', {
        targetGroupArn: tg.group.TargetGroupArn,
        id: t.id,
        taskArn: t.taskArn,
        reason: t.reason
      })
    }
  }
}

export function findService(state: SimState, cluster: string, name: string): SimService | undefined {
  return state.services.get(`${nameFromArn(cluster)}/${nameFromArn(name)}`)
}

/** Whether a service task is serving: RUNNING, not unhealthy, and healthy in every target group. */
function isHealthy(state: SimState, simTask: SimTask, service: SimService): boolean {
  const { task } = simTask
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING' || task.healthStatus === 'UNHEALTHY')
    return false
  for (const { tg } of serviceTargetGroups(state, service)) {
    const mine = tg.targets.filter(t => t.taskArn === task.taskArn)
    if (mine.length === 0 || mine.some(t => t.state !== 'healthy')) return false
  }
  return true
}

function advanceService(state: SimState, svc: SimService, now: number): void {
  // CODE_DEPLOY services run task sets, not deployments (sim/tasksets.ts).
  if (isCodeDeployService(svc)) return advanceTaskSets(state, svc, now)
  const service = svc.service
  if (service.status !== 'ACTIVE' && service.status !== 'DRAINING') return
  const name = service.serviceName ?? ''
  const tasksOf = (dep: SimDeployment) =>
    state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.desiredStatus === 'RUNNING')
  const allActive = () => svc.deployments.flatMap(tasksOf)

  replaceTasksFailingTargets(
    state,
    svc,
    allActive(),
    svc.deployments.length ? serviceTargetGroups(state, svc).map(t => t.tg) : [],
    now,
    `(service ${name})`
  )
  for (const simTask of allActive()) if (isHealthy(state, simTask, svc)) simTask.plan.everHealthy = true

  const primary = svc.deployments[0]
  if (!primary) return
  const desired = service.desiredCount ?? 0
  primary.deployment.desiredCount = desired
  const config = service.deploymentConfiguration ?? {}
  const breaker = config.deploymentCircuitBreaker

  // The circuit breaker: enough tasks of this deployment failed before ever becoming healthy.
  if (
    breaker?.enable &&
    primary.deployment.rolloutState === 'IN_PROGRESS' &&
    primary.failedTasks >= circuitBreakerThreshold(desired)
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
    const rollbackTo = svc.lastCompletedTaskDefinition
    if (breaker.rollback && rollbackTo && rollbackTo !== primary.deployment.taskDefinition) {
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
      history.finishedAt = new Date(now)
    }
  }

  const current = svc.deployments[0] as SimDeployment
  const maxTotal = Math.floor((desired * (config.maximumPercent ?? 200)) / 100)
  const minHealthy = Math.ceil((desired * (config.minimumHealthyPercent ?? 100)) / 100)
  const launching = !(breaker?.enable && current.deployment.rolloutState === 'FAILED')

  // Scale in a primary that has more tasks than desired.
  const primaryTasks = tasksOf(current)
  for (const extra of primaryTasks.slice(desired)) {
    requestStop(
      state,
      extra,
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ' + current.deployment.id + ')',
        failure: false
      },
      now
    )
  }

  // Old tasks go when they are not serving, or when enough new ones serve (never below the
  // minimum healthy percent), or to make room for new ones within the maximum percent.
  let healthyTotal = allActive().filter(t => isHealthy(state, t, svc)).length
  const healthyPrimary = tasksOf(current).filter(t => isHealthy(state, t, svc)).length
  const old = svc.deployments.slice(1).flatMap(tasksOf)
  old.sort((a, b) => Number(isHealthy(state, a, svc)) - Number(isHealthy(state, b, svc)))
  const stopped: SimTask[] = []
  for (const simTask of old) {
    const healthy = isHealthy(state, simTask, svc)
    const roomNeeded = launching && desired - tasksOf(current).length > maxTotal - allActive().length
    if (!healthy || (healthyTotal - 1 >= minHealthy && (healthyPrimary > 0 || roomNeeded))) {
      requestStop(
        state,
        simTask,
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: `Scaling activity initiated by (deployment ${current.deployment.id})`,
          failure: false
        },
        now
      )
      if (healthy) healthyTotal -= 1
      stopped.push(simTask)
    }
  }
  if (stopped.length > 0) {
    addEvent(
      svc,
      now,
      `(service ${name}) has stopped ${stopped.length} running tasks: ${stopped.map(t => `(task ${taskId(t.task)})`).join(' ')}.`
    )
  }

  // Start new tasks up to the desired count, within the maximum percent.
  if (launching) {
    const toStart = Math.min(desired - tasksOf(current).length, maxTotal - allActive().length)
    startServiceTasks(state, svc, deploymentOwner(svc, current), toStart, now, `(service ${name})`)
  }

  // Counts, then completion: the primary runs its desired count, all serving, and nothing else runs.
  for (const dep of svc.deployments) {
    const tasks = tasksOf(dep)
    dep.deployment.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
    dep.deployment.pendingCount = tasks.filter(
      t => t.task.lastStatus === 'PROVISIONING' || t.task.lastStatus === 'PENDING'
    ).length
  }
  const everything = allActive()
  service.runningCount = everything.filter(t => t.task.lastStatus === 'RUNNING').length
  service.pendingCount = everything.filter(
    t => t.task.lastStatus === 'PROVISIONING' || t.task.lastStatus === 'PENDING'
  ).length
  // Deployments that have no tasks left and are not primary are gone (INACTIVE).
  svc.deployments = svc.deployments.filter((d, i) => i === 0 || tasksOf(d).length > 0)

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
          threshold: circuitBreakerThreshold(service.desiredCount ?? 0)
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
