// Global setup of the e2e jest project: the end-to-end tests run dist/index.js, so bundle first
// when anything the bundle is made from is newer than it (a fresh clone, or a change in src/).
// A bundle built elsewhere (ECS_SHIP_ENTRY) is used as it is.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestMtime(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map(name => newestMtime(join(path, name))))
}

export default function bundleFirst() {
  if (process.env.ECS_SHIP_ENTRY) return
  let bundled = 0
  try {
    bundled = statSync('dist/index.js').mtimeMs
  } catch {
    // no bundle yet
  }
  const sources = Math.max(
    newestMtime('src'),
    ...['package-lock.json', 'tsconfig.build.json'].map(newestMtime)
  )
  if (bundled > sources) return
  process.stdout.write('\ne2e: src/ is newer than dist/, running `npm run bundle` first\n')
  execFileSync('npm', ['run', '-s', 'bundle'], { stdio: 'inherit' })
}
