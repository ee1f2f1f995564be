// The task-definition calls to ECS: read a revision with its tags, register a new one.
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import type { TaskDefinitionSource } from './render.js'

/** A revision as ECS describes it (the base for a render and the "before" side of the diff). */
export async function describeRevision(
  ecs: ECSClient,
  taskDefinition: string
): Promise<TaskDefinitionSource> {
  const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }))
  if (!answer.taskDefinition) throw new ActionError(`task definition ${taskDefinition} was not found`)
  return { taskDefinition: answer.taskDefinition as Record<string, unknown>, tags: answer.tags ?? [] }
}

/** Registers the rendered definition and returns the new revision's ARN. */
export async function registerRevision(
  ecs: ECSClient,
  input: RegisterTaskDefinitionCommandInput
): Promise<string> {
  const answer = await ecs.send(new RegisterTaskDefinitionCommand(input))
  const arn = answer.taskDefinition?.taskDefinitionArn
  if (!arn) throw new ActionError('RegisterTaskDefinition returned no task-definition ARN')
  return arn
}
