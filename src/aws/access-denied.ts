// What to grant when AWS denies a call: the IAM action and resource AWS names (or the call's own
// action and resource), and the statement of the example policies (examples/django-fargate/iam/,
// listed in example-grants.ts, generated from permissions.json) that grants that action on that
// kind of resource, so the person reading the log knows which statement their role is missing.
import { EXAMPLE_GRANTS, EXAMPLE_POLICY_DIR } from './example-grants.js'

/** The action and resource an AccessDenied message names (`…perform: ecs:RunTask on resource: arn:… because`). */
export function deniedPermission(message: string): { action?: string; resource?: string } {
  const action = /perform: ([\w-]+:[\w*]+)/.exec(message)?.[1]
  const resource = /on resource: (\S+?)(?:\s+because|\s+with|\.?\s*$)/.exec(message)?.[1]
  return { ...(action !== undefined && { action }), ...(resource !== undefined && { resource }) }
}

/** `ecs:task-definition` from an ARN, `*` for `*`, undefined for anything that is not an ARN. */
export function resourceKind(resource: string): string | undefined {
  if (resource === '*') return '*'
  if (!resource.startsWith('arn:')) return undefined
  const [, , service = '', , , ...rest] = resource.split(':')
  return `${service}:${rest.join(':').split(/[/:]/)[0] ?? ''}`
}

/**
 * The example statements that grant an action, on the resource's kind when it is known: each
 * `Sid (policy file)`, once.
 */
export function exampleStatements(action: string, resource?: string): string[] {
  const byAction = EXAMPLE_GRANTS.filter(([a]) => a === action)
  const kind = resource === undefined ? undefined : resourceKind(resource)
  const byKind =
    kind === undefined || kind === '*' ? byAction : byAction.filter(([, k]) => k === kind || k === '*')
  const chosen = byKind.length > 0 ? byKind : byAction
  const policiesOf = new Map<string, string[]>()
  for (const [, , sid, policy] of chosen) {
    const policies = policiesOf.get(sid) ?? []
    if (!policies.includes(policy)) policies.push(policy)
    policiesOf.set(sid, policies)
  }
  return [...policiesOf].map(([sid, policies]) => `${sid} (${policies.join(', ')})`)
}

/**
 * One sentence for an AccessDenied: the action, the resource, and the example statement that
 * grants it, e.g. `To allow ecs:RunTask on arn:…:task-definition/web:3, see statement
 * MigrateRunTask (deploy-policy.json) in examples/django-fargate/iam/.`
 */
export function grantAdvice(action: string, resource: string | undefined): string {
  const on = resource !== undefined && resource !== '' ? ` on ${resource}` : ''
  const statements = exampleStatements(action, resource)
  if (statements.length === 0) return `No example policy in ${EXAMPLE_POLICY_DIR}/ grants ${action}${on}.`
  const which = statements.length === 1 ? 'statement' : 'statements'
  return `To allow ${action}${on}, see ${which} ${statements.join(', ')} in ${EXAMPLE_POLICY_DIR}/.`
}
