// Prints the permissions table of the example roles (per role and mode) from
// examples/django-fargate/iam/permissions.json; with --write, puts it into that folder's README
// and the Permissions section of the repository's README, between the permissions markers. A
// test fails while either copy is stale.
//
//   npx tsx scripts/iam-table.ts          # print
//   npx tsx scripts/iam-table.ts --write  # update both READMEs
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXAMPLE_IAM_DIR, loadPermissions } from '../sim/iam/permissions.js'
import { renderPermissionsTable, renderReadmePermissions, withTable } from './lib/iam-table.js'
import { REPO_ROOT } from './lib/run-action.js'

const data = loadPermissions()
const tables: [string, string][] = [
  [join(EXAMPLE_IAM_DIR, 'README.md'), renderPermissionsTable(data)],
  [join(REPO_ROOT, 'README.md'), renderReadmePermissions(data)]
]
for (const [path, table] of tables) {
  if (process.argv.includes('--write')) {
    const before = readFileSync(path, 'utf8')
    const after = await withTable(before, table, path)
    if (after !== before) writeFileSync(path, after)
    console.log(after === before ? `${path} is up to date` : `updated ${path}`)
  } else {
    console.log(table, '\n')
  }
}
