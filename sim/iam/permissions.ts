// The permissions data of the example roles (examples/django-fargate/iam/permissions.json): per
// role, each IAM action and resource the action's requests are authorized against, and the
// statement that grants it. The README table, the policy tests and the end-to-end runs under each
// role read the same file.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resourceArnWithWildcardsToRegex } from '@cloud-copilot/iam-utils'
import type { ConditionContext } from './check.js'
import type { Identity, NamedPolicy } from './evaluate.js'

/** How the action comes to need a grant. */
export type Via =
  /** an API call the action makes (`new XxxCommand(` in src/) */
  | 'call'
  /** a request of the registry API that docker push makes */
  | 'registry'
  /** another action AWS authorizes along with this API call, e.g. `ecs:RegisterTaskDefinition` */
  | `${string}:${string}`

export interface Grant {
  /** The statement of the role's policy that grants it. */
  readonly sid: string
  readonly actions: readonly string[]
  /** ARNs or patterns as AWS evaluates them (`*` in the parts a request does not fix). */
  readonly resources: readonly string[]
  readonly via: Via
  /** When a run needs it, for people ("always", "migrate", "codedeploy, rollback on failure"). */
  readonly when: string
  readonly why: string
  /** Condition keys of a typical request, to evaluate the grant with. */
  readonly context?: ConditionContext
}

export interface RoleData {
  readonly roleName: string
  /** File names next to permissions.json. */
  readonly policy: string
  readonly trustPolicy: string
  /** The OIDC subject the trust policy admits. */
  readonly subject: string
  readonly modes: readonly string[]
  readonly grants: readonly Grant[]
}

export interface PermissionsData {
  readonly account: string
  readonly region: string
  readonly roles: Readonly<Record<string, RoleData>>
}

/** One (action, resource) pair of a grant. */
export interface GrantPair {
  readonly role: string
  readonly sid: string
  readonly action: string
  readonly resource: string
  readonly grant: Grant
}

const HERE = dirname(fileURLToPath(import.meta.url))

/** The folder of the example roles. */
export const EXAMPLE_IAM_DIR = resolve(HERE, '../../examples/django-fargate/iam')

export function loadPermissions(dir: string = EXAMPLE_IAM_DIR): PermissionsData {
  const data = JSON.parse(readFileSync(join(dir, 'permissions.json'), 'utf8')) as PermissionsData
  for (const [name, role] of Object.entries(data.roles))
    for (const grant of role.grants)
      if (grant.actions.length === 0 || grant.resources.length === 0 || grant.sid === '')
        throw new Error(`permissions.json: role ${name} has a grant without sid, actions or resources`)
  return data
}

/** A role's policy, as the simulator's identity for that role takes it. */
export function loadRolePolicy(role: RoleData, dir: string = EXAMPLE_IAM_DIR): NamedPolicy {
  return {
    name: role.roleName,
    document: JSON.parse(readFileSync(join(dir, role.policy), 'utf8')) as unknown
  }
}

export function loadTrustPolicy(role: RoleData, dir: string = EXAMPLE_IAM_DIR): unknown {
  return JSON.parse(readFileSync(join(dir, role.trustPolicy), 'utf8')) as unknown
}

/**
 * The identity of an example role, as a test hands it to the simulator: the session ARN a job
 * that assumed the role gets, and the role's policy.
 */
export function exampleIdentity(role: string, data: PermissionsData = loadPermissions()): Identity {
  const found = data.roles[role]
  if (!found) throw new Error(`permissions.json has no role ${role} (${Object.keys(data.roles).join(', ')})`)
  return {
    principalArn: `arn:aws:sts::${data.account}:assumed-role/${found.roleName}/ecs-ship`,
    policies: [loadRolePolicy(found)]
  }
}

/** Every (action, resource) pair a role's grants list. */
export function grantPairs(roleName: string, role: RoleData): GrantPair[] {
  return role.grants.flatMap(grant =>
    grant.actions.flatMap(action =>
      grant.resources.map(resource => ({ role: roleName, sid: grant.sid, action, resource, grant }))
    )
  )
}

/**
 * The grant pairs that cover a request's check: the same action, and a resource pattern that
 * matches the checked resource as IAM matches a policy's Resource.
 */
export function pairsCovering(
  pairs: readonly GrantPair[],
  check: { readonly action: string; readonly resource: string }
): GrantPair[] {
  return pairs.filter(
    p => p.action === check.action && resourceArnWithWildcardsToRegex(p.resource).test(check.resource)
  )
}
