// The task-definition calls to ECS: read a revision with its tags, register a new one.
import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import { familyAndRevision } from './family.js'
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

/** DescribeTaskDefinition's status (ACTIVE, INACTIVE, DELETE_IN_PROGRESS); only ACTIVE can be deployed. */
export function revisionStatus(source: TaskDefinitionSource): string {
  const status = source.taskDefinition.status
  return typeof status === 'string' ? status : 'ACTIVE'
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

/** Pages of ListTaskDefinitions read at most while looking for one family's revisions. */
const LIST_PAGES = 10

/**
 * The family's ACTIVE revisions, newest first, at most `limit` of them. ListTaskDefinitions
 * matches a prefix and lists families in name order (descending: `web-worker` before `web`), so
 * other families are paged past and dropped.
 */
export async function activeRevisions(ecs: ECSClient, family: string, limit: number): Promise<string[]> {
  const found: string[] = []
  let nextToken: string | undefined
  for (let page = 0; page < LIST_PAGES && found.length < limit; page++) {
    const answer = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        maxResults: 100,
        ...(nextToken !== undefined && { nextToken })
      })
    )
    found.push(...(answer.taskDefinitionArns ?? []).filter(arn => familyAndRevision(arn).family === family))
    nextToken = answer.nextToken
    if (nextToken === undefined) break
  }
  return found
    .map(arn => ({ arn, revision: familyAndRevision(arn).revision }))
    .sort((a, b) => b.revision - a.revision)
    .slice(0, limit)
    .map(r => r.arn)
}
