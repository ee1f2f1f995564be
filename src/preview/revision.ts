// The revision a preview registers: the rendered one moved to the preview's own family and tagged
// as the preview's, so its revisions are found (and never confused with the base's).
import type { RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import { previewFamily } from './names.js'
import type { PreviewPlan } from './plan.js'

/** ECS's limit for a task-definition family name. */
const FAMILY_MAX = 255

/**
 * The definition the preview registers: the rendered one, moved to the preview's own family and
 * tagged as the preview's, so its revisions are found (and never confused with the base's).
 */
export function previewRevisionInput(
  rendered: RegisterTaskDefinitionCommandInput,
  plan: Pick<PreviewPlan, 'id' | 'tags'>
): RegisterTaskDefinitionCommandInput {
  const family = previewFamily(rendered.family ?? '', plan.id)
  if (rendered.family === undefined || rendered.family === '')
    throw new ActionError('the task definition has no family')
  if (family.length > FAMILY_MAX)
    throw new ActionError(
      `input preview-id: the preview's task-definition family ${family} would be longer than ECS's ${FAMILY_MAX} characters`
    )
  const ourKeys = new Set(Object.keys(plan.tags))
  const tags: Tag[] = [
    ...(rendered.tags ?? []).filter(tag => !ourKeys.has(tag.key ?? '')),
    ...Object.entries(plan.tags).map(([key, value]) => ({ key, value }))
  ]
  return { ...rendered, family, tags }
}
