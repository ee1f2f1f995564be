// src/aws/example-grants.ts, rendered from examples/django-fargate/iam/permissions.json: for each
// IAM action the example roles grant, the kind of resource and the statement (Sid) and policy
// file that grant it, so the action's AccessDenied message can point at the statement to copy.
import type { PermissionsData } from '../../sim/iam/permissions.js'
import { resourceKind } from '../../src/aws/access-denied.js'

export const EXAMPLE_GRANTS_PATH = 'src/aws/example-grants.ts'

export function renderExampleGrants(data: PermissionsData): string {
  const rows = new Map<string, string>()
  for (const role of Object.values(data.roles))
    for (const grant of role.grants)
      for (const action of grant.actions)
        for (const resource of grant.resources) {
          const row = `  ['${action}', '${resourceKind(resource) ?? '*'}', '${grant.sid}', '${role.policy}'],`
          rows.set(row, row)
        }
  return [
    '// Generated from examples/django-fargate/iam/permissions.json by `npx tsx scripts/example-grants.ts --write`;',
    '// do not edit by hand (a test fails when it is stale). For each IAM action an example role grants:',
    '// the kind of resource (`<service>:<resource type>`, or `*`), the statement and its policy file.',
    '',
    '/** `[action, kind, sid, policy file]`. */',
    'export type ExampleGrant = readonly [action: string, kind: string, sid: string, policy: string]',
    '',
    `export const EXAMPLE_POLICY_DIR = 'examples/django-fargate/iam'`,
    '',
    'export const EXAMPLE_GRANTS: readonly ExampleGrant[] = [',
    ...[...rows.values()].sort(),
    ']',
    ''
  ].join('\n')
}
