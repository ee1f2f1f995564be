// Service events, as DescribeServices returns them: newest first, at most 100. Each message is
// worded the way ECS words it, so a reader of the action's log sees what AWS would show.
import type { Task } from '@aws-sdk/client-ecs'
import type { SimService, SimTask } from '../world/model.js'

export function addEvent(service: SimService, now: number, message: string): void {
  service.events.unshift({
    id: `${now}-${service.events.length}-${Math.random().toString(16).slice(2, 10)}`,
    createdAt: new Date(now),
    message
  })
  if (service.events.length > 100) service.events.length = 100
}

/** A task's id, the last part of its ARN, as events name it. */
export const taskIdOf = (task: Task): string => task.taskArn?.split('/').at(-1) ?? ''

/** `(task a) (task b)`: tasks as an event lists them. */
export const taskList = (tasks: readonly SimTask[]): string =>
  tasks.map(t => `(task ${taskIdOf(t.task)})`).join(' ')

/** `(service web) has stopped 2 running tasks: (task a) (task b).` */
export function addTasksStoppedEvent(svc: SimService, tasks: readonly SimTask[], now: number): void {
  addEvent(
    svc,
    now,
    `(service ${svc.service.serviceName}) has stopped ${tasks.length} running tasks: ${taskList(tasks)}.`
  )
}
