// The awslogs log driver of simulated containers: each container with `logDriver: awslogs` writes
// to the stream `<prefix>/<container>/<task-id>` (or `<task-id>` without a prefix) of its group.
// As on Fargate, the driver creates the stream when the task starts; a group that does not exist
// fails the task at start with ResourceInitializationError, unless `awslogs-create-group` is
// "true", when the driver creates the group.
import type { ContainerDefinition } from '@aws-sdk/client-ecs'
import { findTaskDefinition } from '../world/task-definitions.js'
import type { SimState, SimTask } from '../world/model.js'

interface LogTarget {
  readonly group: string
  readonly stream: string
  readonly create: boolean
}

function targetOf(simTask: SimTask, container: ContainerDefinition): LogTarget | undefined {
  const log = container.logConfiguration
  if (log?.logDriver !== 'awslogs') return undefined
  const group = log.options?.['awslogs-group']
  if (!group) return undefined
  const prefix = log.options?.['awslogs-stream-prefix']
  const taskId = simTask.task.taskArn?.split('/').at(-1) ?? ''
  return {
    group,
    stream: prefix ? `${prefix}/${container.name}/${taskId}` : taskId,
    create: log.options?.['awslogs-create-group'] === 'true'
  }
}

function containersOf(state: SimState, simTask: SimTask): readonly ContainerDefinition[] {
  return (
    findTaskDefinition(state, simTask.task.taskDefinitionArn ?? '')?.definition.containerDefinitions ?? []
  )
}

/**
 * The log driver's start-up: creates the streams (and groups, where allowed). Answers the
 * stopped reason ECS gives when a group is missing, or undefined when every container can log.
 */
export function startLogStreams(state: SimState, simTask: SimTask, now: number): string | undefined {
  const targets = containersOf(state, simTask).flatMap(c => targetOf(simTask, c) ?? [])
  const missing = targets.find(t => !t.create && !state.logGroups.has(t.group))
  if (missing)
    // The wording Fargate gives (platform version 1.4.0) for a missing group.
    return 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1'
  for (const t of targets) {
    let group = state.logGroups.get(t.group)
    if (!group) {
      group = { createdAt: now, streams: new Map() }
      state.logGroups.set(t.group, group)
    }
    if (!group.streams.has(t.stream)) group.streams.set(t.stream, { events: [], createdAt: now })
  }
  return undefined
}

/** Writes the task's log lines that are due by `now` to its log container's stream. */
export function writeDueLogs(state: SimState, simTask: SimTask, now: number): void {
  const pending = simTask.plan.logLines.filter(l => l.at <= now)
  if (pending.length === 0) return
  simTask.plan.logLines = simTask.plan.logLines.filter(l => l.at > now)
  const container = containersOf(state, simTask).find(c => c.name === simTask.plan.logContainer)
  const target = container && targetOf(simTask, container)
  if (!target) return
  // The stream exists once the task started (startLogStreams); a group deleted since loses the lines.
  const stream = state.logGroups.get(target.group)?.streams.get(target.stream)
  if (!stream) return
  for (const line of pending)
    stream.events.push({ timestamp: line.at, message: line.message, ingestionTime: now })
}
