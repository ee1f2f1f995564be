// The step every reusable workflow uses to find which ecs-ship commit to run, executed for real:
// bash and node as on the runner, with GitHub's OIDC token endpoint replaced by a local stub.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readWorkflow } from './checks.js'

const step = Object.values(readWorkflow('.github/workflows/deploy.yml').workflow.jobs ?? {})
  .flatMap(job => job.steps ?? [])
  .find(s => s.id === 'self')
const script = step?.run ?? ''

const REQUEST_TOKEN = 'runner-request-token'
const SHA = '0123456789abcdef0123456789abcdef01234567'

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`
}

interface Outcome {
  code: number
  stdout: string
  outputs: Record<string, string>
}

describe('finding the ecs-ship commit (self step)', () => {
  let server: Server
  let url = ''
  let dir = ''
  const requests: { audience: string | null; authorization: string | undefined }[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-ship-self-'))
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams
      requests.push({ audience: query.get('audience'), authorization: req.headers.authorization })
      if (req.headers.authorization !== `bearer ${REQUEST_TOKEN}`) {
        res.writeHead(403).end()
        return
      }
      const value = jwt({
        job_workflow_ref: 'acme/ecs-ship/.github/workflows/deploy.yml@refs/tags/v1',
        job_workflow_sha: SHA
      })
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value }))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`
  })

  afterAll(async () => {
    await new Promise<void>(resolve => server.close(() => resolve()))
    rmSync(dir, { recursive: true, force: true })
  })

  function runStep(env: Record<string, string>): Promise<Outcome> {
    const output = join(dir, `output-${requests.length}-${Math.random().toString(36).slice(2)}`)
    writeFileSync(output, '')
    return new Promise(resolve => {
      execFile(
        'bash',
        ['-e', '-c', script],
        { env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, ...env }, timeout: 20_000 },
        (error, stdout) => {
          const outputs = Object.fromEntries(
            readFileSync(output, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
          )
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, outputs })
        }
      )
    })
  }

  it('is in the workflow', () => {
    expect(script).toContain('job_workflow_ref')
  })

  it('runs the repository and the exact commit the workflow was called at', async () => {
    const result = await runStep({
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN
    })
    expect(result.outputs).toEqual({ repository: 'acme/ecs-ship', ref: SHA })
    expect(result.code).toBe(0)
    expect(requests.at(-1)?.audience).toBe('ecs-ship-self')
    // The OIDC token itself never reaches the log.
    expect(result.stdout).not.toContain('signature')
  })

  it('takes action-repository and action-ref as given, without asking for a token', async () => {
    const before = requests.length
    const result = await runStep({ ACTION_REPOSITORY: 'fork/ecs-ship', ACTION_REF: 'v1.2.0' })
    expect(result.outputs).toEqual({ repository: 'fork/ecs-ship', ref: 'v1.2.0' })
    expect(requests).toHaveLength(before)
  })

  it('fills only what is missing', async () => {
    const result = await runStep({
      ACTION_REF: 'main',
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN
    })
    expect(result.outputs).toEqual({ repository: 'acme/ecs-ship', ref: 'main' })
  })

  it('explains a missing id-token permission', async () => {
    const result = await runStep({})
    expect(result.code).not.toBe(0)
    expect(result.stdout).toContain('::error::no OIDC token: the job needs `id-token: write`')
    expect(result.outputs).toEqual({})
  })

  it('refuses a repository or ref that could inject into the step outputs', async () => {
    const bad = await runStep({ ACTION_REPOSITORY: 'acme/ecs-ship\nref=evil', ACTION_REF: 'v1' })
    expect(bad.code).not.toBe(0)
    expect(bad.stdout).toContain('is not in the expected format {owner}/{repo}')
    const badRef = await runStep({ ACTION_REPOSITORY: 'acme/ecs-ship', ACTION_REF: 'v1\nrepository=evil/x' })
    expect(badRef.code).not.toBe(0)
    expect(badRef.outputs).toEqual({})
  })

  it('reports a refused token request', async () => {
    const result = await runStep({
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong'
    })
    expect(result.code).not.toBe(0)
    expect(result.stdout).toContain('requesting the OIDC token failed: HTTP 403')
  })
})
