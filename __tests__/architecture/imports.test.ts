// The import rules of docs/ARCHITECTURE.md (.dependency-cruiser.cjs) hold for the real tree, and
// they do fire: a fixture tree with a deliberate cycle, an upward import and an impure verdict
// fails each rule by name.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '../..')

function depcruise(cwd: string, config: string): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      '--config',
      config,
      '--output-type',
      'err'
    ],
    { cwd, encoding: 'utf8' }
  )
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe('import rules', () => {
  it('a deliberate cycle, an upward import and a verdict loading the AWS SDK each fail by rule name', () => {
    const { status, output } = depcruise(
      join(ROOT, '__fixtures__/architecture'),
      '../../.dependency-cruiser.cjs'
    )
    expect(status).not.toBe(0)
    expect(output).toContain('error no-cycles: src/modes/deploy.ts')
    expect(output).toContain('error src-watch-is-the-bottom: src/watch/loop.ts → src/modes/deploy.ts')
    expect(output).toMatch(
      /error src-verdicts-are-pure: src\/strategies\/codedeploy\/verdict\.ts → .*@aws-sdk\/client-codedeploy/
    )
  })

  it('src/ keeps them', () => {
    const { status, output } = depcruise(ROOT, '.dependency-cruiser.cjs')
    expect(output).toContain('no dependency violations found')
    expect(status).toBe(0)
  })
})
