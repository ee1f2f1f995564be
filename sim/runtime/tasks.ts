// Tasks as ECS runs them ("Amazon ECS task lifecycle" in the developer guide): placing one, and
// asking one to stop. A task starts PROVISIONING with a plan of what it will do, from its image's
// behaviour or its command override; task-lifecycle.ts carries the plan out over time.
import type {
  ContainerDefinition,
  NetworkConfiguration,
  Tag,
  Task,
  TaskDefinition,
  TaskOverride
} from '@aws-sdk/client-ecs'
import { commandBehaviour, imageBehaviour, sidecarBehaviour } from '../world/behaviours.js'
import type { ImageBehaviour } from '../contract.js'
import {
  ecsArn,
  hexId,
  nameFromArn,
  recordMilestone,
  scaled,
  type SimState,
  type SimTask,
  type TaskPlan
} from '../world/model.js'
import { findTaskDefinition } from '../world/task-definitions.js'
import { planContainerHealth } from './container-health.js'
import { findDeployment } from './service-deployments.js'
import { deregisterTargets } from './targets.js'

export function essentialContainer(
  containers: readonly ContainerDefinition[]
): ContainerDefinition | undefined {
  return containers.find(c => c.essential !== false) ?? containers[0]
}

function ipFor(state: SimState): string {
  state.counter += 1
  const n = state.counter
  return `10.0.${(n >> 8) & 255}.${n & 255 || 1}`
}

export const isAwsvpc = (task: Task): boolean =>
  task.attachments?.some(a => a.type === 'ElasticNetworkInterface') ?? false

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
  const plan = planTask(state, td.definition, params, now)
  const task = placedTask(state, td.definition, params, now)
  const simTask: SimTask = { task, plan }
  state.tasks.push(simTask)
  return simTask
}

/** The container whose command the task's overrides replace, if any. */
function commandOverride(containers: readonly ContainerDefinition[], overrides: TaskOverride | undefined) {
  const overrideFor = (name?: string) => overrides?.containerOverrides?.find(o => o.name === name)
  return containers.map(c => ({ c, o: overrideFor(c.name) })).find(x => x.o?.command?.length)
}

/** What the task will do and when: from its command override, else from its image's behaviour. */
function planTask(
  state: SimState,
  definition: TaskDefinition,
  params: StartTaskParams,
  now: number
): TaskPlan {
  const containers = definition.containerDefinitions ?? []
  const essential = essentialContainer(containers)
  const override = commandOverride(containers, params.overrides)
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
    logContainer: (override?.c ?? essential)?.name
  }
  if (behaviour.kind === 'cannot-start') {
    // An image that cannot be pulled (or secrets that cannot be fetched) fails whatever the command.
    plan.cannotStart = { stopCode: behaviour.stopCode, stoppedReason: behaviour.stoppedReason }
  } else if (override) {
    const command = commandBehaviour(state, override.o?.command ?? [])
    plan.exitAt = runningAt + scaled(state, command.runSeconds)
    plan.exitCode = command.exitCode
    spreadLogLines(plan, command.logLines, runningAt, plan.exitAt)
  } else planImageBehaviour(state, plan, behaviour)
  // A one-off task's health does not matter to ECS (it runs its course whatever its health), so
  // its checks pass; a service task's essential containers follow the task's behaviour, and a
  // non-essential container its own image's.
  plan.containerHealth = planContainerHealth(state, containers, c =>
    override ? 0 : checkPassesAfter(c.essential !== false ? behaviour : sidecarBehaviour(state, c.image))
  )
  return plan
}

/** How a service task's app behaves once RUNNING: serves (after a slow start), exits, or fails checks. */
function planImageBehaviour(
  state: SimState,
  plan: TaskPlan,
  behaviour: Exclude<ImageBehaviour, { kind: 'cannot-start' }>
): void {
  const { runningAt } = plan
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

/** The Task as DescribeTasks shows it once placed: PROVISIONING, with its ENI in awsvpc mode. */
function placedTask(state: SimState, definition: TaskDefinition, params: StartTaskParams, now: number): Task {
  const clusterName = nameFromArn(params.clusterArn)
  const taskId = hexId(state)
  const taskArn = ecsArn(state, `task/${clusterName}/${taskId}`)
  const containers = definition.containerDefinitions ?? []
  const awsvpc = definition.networkMode === 'awsvpc'
  const ip = awsvpc ? ipFor(state) : undefined
  const subnet = params.networkConfiguration?.awsvpcConfiguration?.subnets?.[0]
  const attachmentId = hexId(state, 8) + '-' + hexId(state, 4)
  return {
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
}

export interface StopReason {
  readonly stopCode: Task['stopCode']
  readonly stoppedReason: string
  /** Whether the stop counts as a failed task for the circuit breaker. */
  readonly failure: boolean
}

/** Why the service scheduler stops a deployment's surplus tasks. */
export const scalingActivity = (deploymentId: string | undefined): StopReason => ({
  stopCode: 'ServiceSchedulerInitiated',
  stoppedReason: `Scaling activity initiated by (deployment ${deploymentId})`,
  failure: false
})

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

/** How long an awsvpc task spends DEPROVISIONING (releasing its ENI); no time for other modes. */
export const deprovisioning = (state: SimState, task: Task): number =>
  isAwsvpc(task) ? scaled(state, state.timings.deprovisioningSeconds ?? 1) : 0

/** A failed task of a deployment counts against its circuit breaker. */
export function countFailure(state: SimState, plan: TaskPlan): void {
  if (!plan.deploymentId) return
  const dep = findDeployment(state, plan.deploymentId)
  if (dep) {
    dep.failedTasks += 1
    dep.deployment.failedTasks = dep.failedTasks
  }
}
