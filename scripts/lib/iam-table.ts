// The permissions table of the example roles, rendered from permissions.json (the data the IAM
// tests check the policies against), and its place in examples/django-fargate/iam/README.md
// between the permissions markers.
import { format, resolveConfig } from 'prettier'
import type { Grant, PermissionsData, RoleData } from '../../sim/iam/permissions.js'

export const TABLE_START = '<!-- permissions:start -->'
export const TABLE_END = '<!-- permissions:end -->'

/** `arn:aws:ecs:eu-west-1:123456789012:service/web-cluster/web` → `service/web-cluster/web`. */
function shortResource(resource: string, data: PermissionsData): string {
  const prefix = new RegExp(`^arn:aws:[a-z0-9-]+:(${data.region})?:(${data.account})?:`)
  return resource.replace(prefix, '')
}

function how(grant: Grant): string {
  if (grant.via === 'call') return 'API call'
  if (grant.via === 'registry') return 'docker push (registry API)'
  return `with ${grant.via}`
}

/** Condition keys of the request that the policy's conditions test, `key = value`. */
function conditions(grant: Grant, data: PermissionsData): string {
  return Object.entries(grant.context ?? {})
    .filter(([key]) => key !== 'aws:TagKeys')
    .map(([key, value]) => {
      const shown = Array.isArray(value) ? value.join(', ') : shortResource(String(value), data)
      return `\`${key}\` = \`${shown}\``
    })
    .join('<br>')
}

const code = (items: readonly string[]) => items.map(i => `\`${i}\``).join('<br>')

function roleTable(name: string, role: RoleData, data: PermissionsData): string[] {
  const lines = [
    `### \`${role.roleName}\` (${role.modes.map(m => `mode \`${m}\``).join(', ')})`,
    '',
    `Policy [\`${role.policy}\`](${role.policy}), trust [\`${role.trustPolicy}\`](${role.trustPolicy}): only \`${role.subject}\`.`,
    '',
    '| Statement | Actions | Resources | When | How | Request context (example) |',
    '| --- | --- | --- | --- | --- | --- |'
  ]
  for (const grant of role.grants) {
    const resources = grant.resources.map(r => shortResource(r, data))
    lines.push(
      `| \`${grant.sid}\` | ${code(grant.actions)} | ${code(resources)} | ${grant.when} | ${how(grant)} | ${conditions(grant, data)} |`
    )
  }
  lines.push('')
  lines.push(`${role.grants.length} grants of role \`${name}\`.`)
  return lines
}

/** The markdown of every role's table, as it stands between the markers. */
export function renderPermissionsTable(data: PermissionsData): string {
  const lines = [
    `Generated from [\`permissions.json\`](permissions.json) by \`npx tsx scripts/iam-table.ts --write\`; do not edit by hand.`,
    `Resources are shortened to the part after the account (\`arn:aws:<service>:${data.region}:${data.account}:\`).`,
    ''
  ]
  for (const [name, role] of Object.entries(data.roles)) lines.push(...roleTable(name, role, data), '')
  return lines.join('\n').trimEnd()
}

/**
 * The README at `path` with the block between the markers replaced by `table`, formatted as the
 * repository's prettier formats markdown (which aligns the table's columns).
 */
export async function withTable(readme: string, table: string, path: string): Promise<string> {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  if (start < 0 || end < start) throw new Error(`the README has no ${TABLE_START} … ${TABLE_END} block`)
  const text = `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`
  return format(text, { ...(await resolveConfig(path)), filepath: path })
}

/**
 * The README's Permissions section: per role (and the modes it serves), what is needed when,
 * each action with the statement that grants it. Resources are in the example's README table.
 */
export function renderReadmePermissions(data: PermissionsData): string {
  const lines = [
    `Generated from [\`permissions.json\`](examples/django-fargate/iam/permissions.json) by \`npx tsx scripts/iam-table.ts --write\`; the end-to-end tests run every mode under these roles and fail on a grant that is missing or that no run used. Resources and conditions: [\`examples/django-fargate/iam/README.md\`](examples/django-fargate/iam/README.md).`,
    ''
  ]
  for (const role of Object.values(data.roles)) {
    lines.push(
      `#### \`${role.roleName}\`: ${role.modes.map(m => `mode \`${m}\``).join(', ')} ([policy](examples/django-fargate/iam/${role.policy}))`,
      '',
      '| Needed when | Actions (statement) |',
      '| --- | --- |'
    )
    const byWhen = new Map<string, string[]>()
    for (const grant of role.grants) {
      const cells = byWhen.get(grant.when) ?? []
      for (const action of grant.actions) {
        const cell = `\`${action}\` (${grant.sid})`
        if (!cells.includes(cell)) cells.push(cell)
      }
      byWhen.set(grant.when, cells)
    }
    for (const [when, cells] of byWhen) lines.push(`| ${when} | ${cells.join(', ')} |`)
    lines.push('')
  }
  return lines.join('\n').trimEnd()
}
