// Writes src/aws/example-grants.ts from examples/django-fargate/iam/permissions.json (the action's
// AccessDenied message names the example statement that grants a denied action). A test fails
// while the file is stale.
//
//   npx tsx scripts/example-grants.ts          # print
//   npx tsx scripts/example-grants.ts --write  # update src/aws/example-grants.ts
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { loadPermissions } from '../sim/iam/permissions.js'
import { EXAMPLE_GRANTS_PATH, renderExampleGrants } from './lib/example-grants.js'
import { REPO_ROOT } from './lib/run-action.js'

const path = join(REPO_ROOT, EXAMPLE_GRANTS_PATH)
const text = await format(renderExampleGrants(loadPermissions()), {
  ...(await resolveConfig(path)),
  filepath: path
})
if (process.argv.includes('--write')) {
  const before = readFileSync(path, 'utf8')
  if (before !== text) writeFileSync(path, text)
  console.log(before === text ? `${path} is up to date` : `updated ${path}`)
} else {
  console.log(text)
}
