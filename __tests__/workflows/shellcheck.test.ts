// shellcheck on every `run:` block of the workflows and templates, as bash runs it on the runner
// (GitHub's default shell there is `bash -e {0}` with pipefail). A `${{ … }}` expression is
// replaced by a plain word first: GitHub substitutes it before the shell sees the script, and our
// rule keeps every value a contributor controls out of scripts (they come in through env:).
// shellcheck is Debian's package `shellcheck`; CI installs it with apt-get.
import { spawnSync } from 'node:child_process'
import { readWorkflow, templatePaths, workflowPaths, type WorkflowFile } from './checks.js'

interface RunBlock {
  readonly where: string
  readonly script: string
}

/** Every bash `run:` block of a workflow, with the expressions replaced. */
function runBlocks(file: WorkflowFile): RunBlock[] {
  const blocks: RunBlock[] = []
  for (const [jobId, job] of Object.entries(file.workflow.jobs ?? {})) {
    ;(job.steps ?? []).forEach((step, index) => {
      if (typeof step.run !== 'string') return
      const shell = (step as { shell?: string }).shell ?? 'bash'
      if (shell !== 'bash' && shell !== 'sh') return
      blocks.push({
        where: `${file.path}: job ${jobId}, step ${step.name ?? step.id ?? index + 1}`,
        script: step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'GITHUB_EXPRESSION')
      })
    })
  }
  return blocks
}

function shellcheckVersion(): string | undefined {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? /version: (\S+)/.exec(result.stdout)?.[1] : undefined
}

/** shellcheck's findings for one block, as "<where>, line n: message [SCnnnn]". */
function shellcheck(block: RunBlock): string[] {
  const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], {
    input: block.script,
    encoding: 'utf8',
    timeout: 30_000
  })
  if (result.error) throw result.error
  if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck failed: ${result.stderr}`)
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(line => line.replace(/^-:(\d+):\d+: /, `${block.where}, line $1: `))
}

describe('shellcheck', () => {
  it('is installed (Debian package shellcheck: apt-get install shellcheck)', () => {
    expect(shellcheckVersion()).toMatch(/^\d+\.\d+/)
  })

  const files = [...workflowPaths(), ...templatePaths()].map(path => readWorkflow(path))
  const blocks = files.flatMap(runBlocks)

  it('finds the run blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15)
    expect(blocks.map(block => block.where)).toEqual(
      expect.arrayContaining([
        '.github/workflows/deploy.yml: job deploy, step Hand the build secrets to the action',
        '.github/workflows/release.yml: job release, step Move the major tag',
        'workflows-templates/ecs-ship-rollback.yml: job settings, step Check that the environment sets every variable'
      ])
    )
  })

  it.each(files.map(file => [file.path, file] as const))('%s: no findings in any run block', (_, file) => {
    expect(runBlocks(file).flatMap(shellcheck)).toEqual([])
  })

  it('reports what it finds (the check can fail)', () => {
    const bad = runBlocks(readWorkflow('__fixtures__/github/bad-workflow.yml'))
    expect(bad.flatMap(shellcheck)).toEqual([
      expect.stringMatching(
        /bad-workflow\.yml: job deploy, step list the build output, line 1: note: Double quote to prevent globbing and word splitting\. \[SC2086\]/
      )
    ])
  })
})
