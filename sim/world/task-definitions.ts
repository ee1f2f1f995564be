// Task-definition lookups shared by the ECS API and the task runtime.
import type { SimState } from './model.js'

/** A family (its latest ACTIVE revision), `family:revision`, or a full ARN. */
export function findTaskDefinition(state: SimState, ref: string) {
  const short = ref.startsWith('arn:') ? (ref.split('/').at(-1) ?? ref) : ref
  const [family, rev] = short.split(':')
  const revisions = state.taskDefinitions.get(family ?? '')
  if (!revisions) return undefined
  if (rev === undefined) return [...revisions].reverse().find(r => r.definition.status === 'ACTIVE')
  return revisions[Number(rev) - 1]
}
