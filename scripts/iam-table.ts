// Prints the permissions table of the example roles (per role and mode) from
// examples/django-fargate/iam/permissions.json; with --write, puts it into that folder's README
// between the permissions markers. A test fails while the README's copy is stale.
//
//   npx tsx scripts/iam-table.ts          # print
//   npx tsx scripts/iam-table.ts --write  # update examples/django-fargate/iam/README.md
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXAMPLE_IAM_DIR, loadPermissions } from '../sim/iam/permissions.js'
import { renderPermissionsTable, withTable } from './lib/iam-table.js'

const table = renderPermissionsTable(loadPermissions())
if (process.argv.includes('--write')) {
  const path = join(EXAMPLE_IAM_DIR, 'README.md')
  const before = readFileSync(path, 'utf8')
  const after = await withTable(before, table, path)
  if (after !== before) writeFileSync(path, after)
  console.log(after === before ? `${path} is up to date` : `updated ${path}`)
} else {
  console.log(table)
}
