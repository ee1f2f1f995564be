// Minifies what ncc wrote to dist/: the entry and the chunks it splits off for dynamic imports (the
// AWS SDK clients loaded on demand, the GitHub client, the image/migrate/CodeDeploy phases).
// `ncc build --minify` minifies only the entry file, and as a script, so top-level names keep their
// length; minifying every file here as the ES module it is took dist/ from 2.30 MB to about 1.8 MB.
// Class names are mangled too (75 KB): an error's name in a log or stack header comes from its
// `name` property, which the AWS SDK, Octokit and undici set explicitly (ours print plain messages),
// and the only `constructor.name` checks in the bundle compare built-in classes (typed arrays,
// RawJSON). Terser is deterministic, so the CI check that dist/ is fresh still holds.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const distDir = process.argv[2] ?? 'dist'
const files = readdirSync(distDir).filter(name => name.endsWith('.js'))

let before = 0
let after = 0
for (const name of files.sort()) {
  const path = join(distDir, name)
  const source = readFileSync(path, 'utf8')
  const result = await minify(source, {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    keep_classnames: false
  })
  if (result.code === undefined) throw new Error(`terser returned nothing for ${path}`)
  writeFileSync(path, result.code)
  before += source.length
  after += result.code.length
}
console.log(
  `minified ${files.length} files: ${(before / 1e6).toFixed(2)} MB -> ${(after / 1e6).toFixed(2)} MB`
)
