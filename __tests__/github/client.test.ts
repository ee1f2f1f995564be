// The GitHub client's limits, against the local REST stub on 127.0.0.1: a GitHub that accepts the
// connection and never answers costs each try its time limit, a call its tries, and a run its
// budget, and never more; what GitHub did not do becomes a warning. Limits are short here (200 ms
// a try) so the cases end in about a second; the pauses between tries are not slept.
import { jest } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGitHubClient, GitHubCallError, mayRetry, type GitHubLimits } from '../../src/github/client.js'
import { listDeploymentIds } from '../../src/github/deployments.js'
import { beginDeployment, completeDeployment } from '../../src/github/tracker.js'
import { startRestStub, type RestStub } from './rest-stub.js'

const TOKEN = 'ghs_clienttoken42'
const repo = { owner: 'acme', repo: 'shop' }
const target = { ...repo, environment: 'production', transient: false, production: true, ref: 'abc' }
const LIMITS: GitHubLimits = { attemptMs: 200, attempts: 3, pauseMs: 50, budgetMs: 10_000 }

let stub: RestStub
let writeSpy: jest.SpiedFunction<typeof process.stdout.write>
beforeEach(async () => {
  stub = await startRestStub(TOKEN)
  writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(async () => {
  writeSpy.mockRestore()
  await stub.close()
})

/** A client on the stub whose pauses are recorded, not slept. */
function client(limits: GitHubLimits = LIMITS) {
  const pauses: number[] = []
  const octokit = createGitHubClient(TOKEN, {
    baseUrl: stub.baseUrl,
    limits,
    sleep: async ms => {
      pauses.push(ms)
    }
  })
  return { octokit, pauses }
}

async function failureOf(call: () => Promise<unknown>): Promise<GitHubCallError> {
  try {
    await call()
  } catch (error) {
    if (error instanceof GitHubCallError) return error
    throw error
  }
  throw new Error('the call succeeded')
}

describe('GitHub calls that get no answer', () => {
  it('a read is tried again, each try within its limit, then gives up naming the call', async () => {
    stub.hang('GET', /\/deployments$/)
    const { octokit, pauses } = client()
    const error = await failureOf(() => listDeploymentIds(octokit, { ...repo, environment: 'production' }))
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/shop\/deployments: no answer within 200 ms \(3 tries\)$/
    )
    expect(error.status).toBeUndefined()
    expect(stub.calls.filter(c => c.method === 'GET')).toHaveLength(3)
    expect(pauses).toEqual([50, 100])
  })

  it('a POST is not sent again (GitHub may have done it), and the deploy side only warns', async () => {
    stub.hang('POST', /\/deployments$/)
    const { octokit } = client()
    const warnings: string[] = []
    const handle = await beginDeployment(octokit, target, m => warnings.push(m))
    expect(handle).toBeUndefined()
    expect(warnings).toEqual([
      expect.stringMatching(
        /^could not create a GitHub deployment for production: POST \S+\/repos\/acme\/shop\/deployments: no answer within 200 ms \(1 try; not sent again, as GitHub may have done it\)$/
      )
    ])
    expect(stub.calls.filter(c => c.method === 'POST')).toHaveLength(1)
  })

  it('after the deploy: a final status that gets no answer is a warning, not a hang', async () => {
    const { octokit } = client()
    const handle = await beginDeployment(octokit, target, () => {})
    expect(handle).toBeDefined()
    stub.hang('POST', /\/statuses$/)
    const warnings: string[] = []
    await completeDeployment(octokit, handle, { state: 'success' }, m => warnings.push(m))
    expect(warnings).toEqual([expect.stringContaining('could not mark the GitHub deployment success: POST')])
  })

  it('the run spends at most its budget on GitHub: past it, calls are not sent at all', async () => {
    stub.hang('GET', /\/deployments$/)
    const { octokit } = client({ attemptMs: 200, attempts: 3, pauseMs: 0, budgetMs: 500 })
    const first = await failureOf(() => listDeploymentIds(octokit, { ...repo, environment: 'production' }))
    // Two whole tries, and a third cut to what is left of the budget.
    expect(first.message).toMatch(/no answer within \d+ ms \(3 tries\)$/)
    const sent = stub.calls.length
    const second = await failureOf(() => listDeploymentIds(octokit, { ...repo, environment: 'production' }))
    expect(second.message).toMatch(
      /^GET \S+\/repos\/acme\/shop\/deployments was not sent: the run has spent its 500 ms on GitHub$/
    )
    expect(stub.calls).toHaveLength(sent)
  })
})

describe('GitHub calls that fail', () => {
  it('GitHub overloaded (502) is tried again', async () => {
    stub.failNext('POST', /\/deployments$/, 502, 'Server Error')
    const { octokit } = client()
    const warnings: string[] = []
    const handle = await beginDeployment(octokit, target, m => warnings.push(m))
    expect(handle?.id).toBeGreaterThan(0)
    expect(warnings).toEqual([])
    expect(stub.deployments).toHaveLength(1)
  })

  it('a refusal (403) is not tried again, and the warning names the permission', async () => {
    stub.failNext('POST', /\/deployments$/, 403, 'Resource not accessible by integration')
    const { octokit } = client()
    const warnings: string[] = []
    await beginDeployment(octokit, target, m => warnings.push(m))
    expect(warnings).toEqual([
      expect.stringMatching(
        /: Resource not accessible by integration \(HTTP 403, 1 try\)\. The job needs `permissions: deployments: write`/
      )
    ])
    expect(stub.calls.filter(c => c.method === 'POST')).toHaveLength(1)
  })

  it('a POST to a port nobody listens on is tried again: it never reached GitHub', async () => {
    const closed = createServer()
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise(resolve => closed.close(resolve))
    const pauses: number[] = []
    const octokit = createGitHubClient(TOKEN, {
      baseUrl: `http://127.0.0.1:${port}`,
      limits: LIMITS,
      sleep: async ms => {
        pauses.push(ms)
      }
    })
    const warnings: string[] = []
    await beginDeployment(octokit, target, m => warnings.push(m))
    expect(warnings).toEqual([expect.stringMatching(/ECONNREFUSED.*\(3 tries\)$/)])
    expect(pauses).toHaveLength(2)
  })
})

describe('mayRetry (pure)', () => {
  it.each([
    ['GET', { status: 502, neverSent: false }, true],
    ['POST', { status: 503, neverSent: false }, true],
    ['POST', { status: 429, neverSent: false }, true],
    ['POST', { status: 403, neverSent: false }, false],
    ['GET', { status: 404, neverSent: false }, false],
    ['GET', { neverSent: false }, true],
    ['PATCH', { neverSent: false }, true],
    ['POST', { neverSent: false }, false],
    ['POST', { neverSent: true }, true]
  ])('%s %j → %s', (method, failure, expected) => {
    expect(mayRetry(method, failure)).toBe(expected)
  })
})
