// The reusable workflows' own shell steps, run for real with bash as on the runner: the check of
// the workflow's inputs (job timeout against the AWS session), and the step that hands build
// secrets to the action.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readWorkflow } from './checks.js'

function stepScript(path: string, name: string): string {
  const step = Object.values(readWorkflow(path).workflow.jobs ?? {})
    .flatMap(job => job.steps ?? [])
    .find(s => s.name === name)
  if (typeof step?.run !== 'string') throw new Error(`${path} has no run step "${name}"`)
  return step.run
}

interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly env: string
  readonly output: string
}

describe('the reusable workflows own steps', () => {
  let dir = ''
  let runs = 0
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-ship-steps-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** Runs a script as GitHub does (`bash --noprofile --norc -eo pipefail`), with GITHUB_ENV and GITHUB_OUTPUT files. */
  function run(script: string, env: Record<string, string>): Promise<Outcome> {
    runs += 1
    const envFile = join(dir, `env-${runs}`)
    const outputFile = join(dir, `output-${runs}`)
    writeFileSync(envFile, '')
    writeFileSync(outputFile, '')
    return new Promise(resolve => {
      execFile(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
        {
          env: { PATH: process.env.PATH ?? '', GITHUB_ENV: envFile, GITHUB_OUTPUT: outputFile, ...env },
          timeout: 20_000
        },
        (error, stdout) =>
          resolve({
            code: error ? Number(error.code ?? 1) : 0,
            stdout,
            env: readFileSync(envFile, 'utf8'),
            output: readFileSync(outputFile, 'utf8')
          })
      )
    })
  }

  describe("checking the workflow's own inputs", () => {
    const script = stepScript('.github/workflows/deploy.yml', "Check the workflow's own inputs")
    const valid = { GITHUB_DEPLOYMENT: 'ecs-ship', JOB_TIMEOUT_MINUTES: '120', ROLE_DURATION_SECONDS: '7200' }

    it('passes the defaults', async () => {
      expect(await run(script, valid)).toMatchObject({ code: 0, stdout: '' })
      expect((await run(script, { ...valid, GITHUB_DEPLOYMENT: 'job' })).code).toBe(0)
    })

    it('refuses a job that can outlive its AWS session', async () => {
      const result = await run(script, { ...valid, ROLE_DURATION_SECONDS: '3600' })
      expect(result.code).toBe(1)
      expect(result.stdout).toContain(
        '::error title=role-duration-seconds::the AWS session (3600 s) would end before job-timeout-minutes (120 min)'
      )
    })

    it("refuses values outside STS's limits, non-numbers and an unknown github-deployment", async () => {
      for (const seconds of ['600', '50000', '1e4', '$(touch /tmp/x)']) {
        const result = await run(script, { ...valid, ROLE_DURATION_SECONDS: seconds })
        expect(result.code).toBe(1)
        expect(result.stdout).toContain('is not a number of seconds from 900 to 43200')
      }
      expect((await run(script, { ...valid, JOB_TIMEOUT_MINUTES: '1.5' })).stdout).toContain(
        'is not a whole number of minutes'
      )
      expect((await run(script, { ...valid, GITHUB_DEPLOYMENT: 'both' })).stdout).toContain(
        '::error title=github-deployment::"both" is neither ecs-ship nor job'
      )
    })
  })

  describe('handing build secrets to the action', () => {
    const script = stepScript('.github/workflows/deploy.yml', 'Hand the build secrets to the action')

    it('gives each id=value line its own masked variable, and the action id=VARIABLE pairs', async () => {
      const result = await run(script, {
        BUILD_SECRETS:
          'pip_index=https://user:p%40ss@pypi.example.com/simple\r\n# a comment\n\nnpm.token=a=b=c'
      })
      expect(result.code).toBe(0)
      expect(result.env).toBe(
        'ECS_SHIP_BUILD_SECRET_1=https://user:p%40ss@pypi.example.com/simple\nECS_SHIP_BUILD_SECRET_2=a=b=c\n'
      )
      expect(result.output).toBe(
        'ids<<ECS_SHIP_BUILD_SECRET_IDS\npip_index=ECS_SHIP_BUILD_SECRET_1\nnpm.token=ECS_SHIP_BUILD_SECRET_2\nECS_SHIP_BUILD_SECRET_IDS\n'
      )
      // Masked before anything else could print them; a % is escaped as the runner expects.
      expect(result.stdout).toContain('::add-mask::https://user:p%2540ss@pypi.example.com/simple\n')
      expect(result.stdout).toContain('::add-mask::a=b=c\n')
      expect(result.stdout).toContain('2 build secret(s) for the action')
    })

    it('does nothing without secrets', async () => {
      const result = await run(script, { BUILD_SECRETS: '' })
      expect(result).toMatchObject({ code: 0, env: '' })
      expect(result.output).toBe('ids<<ECS_SHIP_BUILD_SECRET_IDS\nECS_SHIP_BUILD_SECRET_IDS\n')
    })

    it('refuses a line without an id, never printing the value', async () => {
      for (const secrets of ['just-a-token-s3cr3t', 'bad id=s3cr3t']) {
        const result = await run(script, { BUILD_SECRETS: secrets })
        expect(result.code).toBe(1)
        expect(result.stdout).toContain('::error title=build-secrets::secret line 1 is not id=value')
        expect(result.stdout).not.toContain('s3cr3t')
        expect(result.env).toBe('')
      }
    })
  })
})
