// The README's permissions table is the one permissions.json renders: editing the data without
// running `npx tsx scripts/iam-table.ts --write` fails here, so the table cannot drift from the
// data the policy tests use.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXAMPLE_IAM_DIR, loadPermissions } from '../../sim/iam/permissions.js'
import {
  renderPermissionsTable,
  renderReadmePermissions,
  TABLE_END,
  TABLE_START,
  withTable
} from '../../scripts/lib/iam-table.js'
import { REPO_ROOT } from '../../scripts/lib/run-action.js'

const README = join(EXAMPLE_IAM_DIR, 'README.md')

describe('examples/django-fargate/iam/README.md', () => {
  const readme = readFileSync(README, 'utf8')

  it('holds the table permissions.json renders (run scripts/iam-table.ts --write when this fails)', async () => {
    expect(await withTable(readme, renderPermissionsTable(loadPermissions()), README)).toBe(readme)
  })

  it('has one row per grant of every role', () => {
    const data = loadPermissions()
    const block = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END))
    const rows = block.split('\n').filter(line => /^\| `[A-Z]/.test(line))
    expect(rows).toHaveLength(Object.values(data.roles).reduce((n, role) => n + role.grants.length, 0))
  })

  it('notices a stale table', async () => {
    const data = loadPermissions()
    const deploy = data.roles.deploy
    if (!deploy) throw new Error('no deploy role')
    const changed = {
      ...data,
      roles: { ...data.roles, deploy: { ...deploy, grants: deploy.grants.slice(1) } }
    }
    expect(await withTable(readme, renderPermissionsTable(changed), README)).not.toBe(readme)
  })
})

describe('README.md, section Permissions', () => {
  const path = join(REPO_ROOT, 'README.md')
  const readme = readFileSync(path, 'utf8')

  it('holds the tables permissions.json renders (run scripts/iam-table.ts --write when this fails)', async () => {
    expect(await withTable(readme, renderReadmePermissions(loadPermissions()), path)).toBe(readme)
  })

  it('has one table per role, naming its modes, and every action of every grant', () => {
    const data = loadPermissions()
    const block = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END))
    for (const role of Object.values(data.roles)) {
      expect(block).toContain(`#### \`${role.roleName}\`: ${role.modes.map(m => `mode \`${m}\``).join(', ')}`)
      for (const grant of role.grants)
        for (const action of grant.actions) expect(block).toContain(`\`${action}\` (${grant.sid})`)
    }
  })

  it('notices a stale table', async () => {
    const data = loadPermissions()
    const preview = data.roles.preview
    if (!preview) throw new Error('no preview role')
    const changed = {
      ...data,
      roles: { ...data.roles, preview: { ...preview, grants: preview.grants.slice(1) } }
    }
    expect(await withTable(readme, renderReadmePermissions(changed), path)).not.toBe(readme)
  })
})
