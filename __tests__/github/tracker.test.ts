// A preview's whole GitHub story against the local REST stub: two pushes and a close give two
// deployments (in_progress → success each), both inactive at the end, and one comment. Every pull
// request's preview lives in the one environment `preview`; its task tells them apart.
import { jest } from '@jest/globals'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { previewMarker } from '../../src/github/render.js'
import {
  adoptWaitingDeployment,
  beginDeployment,
  completeDeployment,
  describeGitHubFailure,
  publishPreviewComment,
  retireDeployments
} from '../../src/github/tracker.js'
import { startRestStub, type RestStub } from './rest-stub.js'

const TOKEN = 'ghs_trackertoken42'
const repo = { owner: 'acme', repo: 'shop' }
const preview = {
  ...repo,
  environment: 'preview',
  transient: true,
  production: false,
  task: 'deploy:preview-42'
}
const logUrl = 'https://github.com/acme/shop/actions/runs/5'

describe('describeGitHubFailure', () => {
  it('names the permission to grant when GitHub refuses', () => {
    const refused = Object.assign(new Error('Resource not accessible by integration'), { status: 403 })
    expect(describeGitHubFailure('comment on pull request #4', refused, 'pull-requests: write')).toBe(
      'could not comment on pull request #4: Resource not accessible by integration (HTTP 403). The job needs `permissions: pull-requests: write`, and a token that can see this repository.'
    )
  })

  it('passes other failures through', () => {
    expect(describeGitHubFailure('x', new Error('socket hang up'), 'deployments: write')).toBe(
      'could not x: socket hang up'
    )
  })
})

describe('GitHub side of a preview (local REST stub)', () => {
  let stub: RestStub
  let octokit: GitHubClient
  let writeSpy: jest.SpiedFunction<typeof process.stdout.write>

  beforeAll(async () => {
    stub = await startRestStub(TOKEN)
  })
  afterAll(async () => {
    await stub.close()
  })
  beforeEach(() => {
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    // No real pause between tries of a call.
    octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl, sleep: async () => {} })
  })
  afterEach(() => writeSpy.mockRestore())

  it('two pushes and a close: statuses in order, everything inactive at the end, one comment', async () => {
    const warnings: string[] = []
    const warn = (message: string) => warnings.push(message)
    const url = 'https://pr-42.preview.example.com'
    // Another pull request's preview, in the same environment, that this one must leave alone.
    const other = await beginDeployment(
      octokit,
      { ...preview, ref: 'sha-other', task: 'deploy:preview-43', logUrl },
      warn
    )

    for (const ref of ['sha-one', 'sha-two']) {
      const handle = await beginDeployment(octokit, { ...preview, ref, logUrl }, warn)
      await publishPreviewComment(
        octokit,
        { ...repo, issueNumber: 42 },
        { id: '42', status: 'deploying', commit: ref },
        warn
      )
      await completeDeployment(octokit, handle, { state: 'success', environmentUrl: url }, warn)
      await publishPreviewComment(
        octokit,
        { ...repo, issueNumber: 42 },
        { id: '42', status: 'ready', url, commit: ref },
        warn
      )
    }
    const retired = await retireDeployments(
      octokit,
      { ...repo, environment: preview.environment, task: preview.task, logUrl },
      warn
    )
    await publishPreviewComment(
      octokit,
      { ...repo, issueNumber: 42 },
      { id: '42', status: 'destroyed', url },
      warn
    )

    expect(warnings).toEqual([])
    expect(retired).toBe(2)
    const ours = stub.deployments.filter(
      d => d.environment === preview.environment && d.task === preview.task
    )
    expect(ours.map(d => d.ref)).toEqual(['sha-one', 'sha-two'])
    expect(ours.every(d => d.transient_environment)).toBe(true)
    expect(ours.map(d => d.statuses.map(s => s.state))).toEqual([
      ['in_progress', 'success', 'inactive'],
      ['in_progress', 'success', 'inactive']
    ])
    expect(ours[1]?.statuses[1]).toMatchObject({ environment_url: url, log_url: logUrl })
    expect(stub.deployments.find(d => d.id === other?.id)?.statuses.map(s => s.state)).toEqual([
      'in_progress'
    ])

    const comments = stub.comments.get(42) ?? []
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body.startsWith(previewMarker('42'))).toBe(true)
    expect(comments[0]?.body).toContain('Destroyed')
    expect(
      stub.calls.filter(c => c.method === 'POST' && c.path.endsWith('/issues/42/comments'))
    ).toHaveLength(1)
  })

  it('a refused deployment warns with the permission and never fails the run', async () => {
    const warnings: string[] = []
    stub.failNext('POST', /\/deployments$/, 403, 'Resource not accessible by integration')

    const handle = await beginDeployment(
      octokit,
      { ...repo, environment: 'production', transient: false, production: true, ref: 'x' },
      m => warnings.push(m)
    )
    await completeDeployment(octokit, handle, { state: 'success' }, m => warnings.push(m))

    expect(handle).toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('`permissions: deployments: write`')])
  })

  it('a refused comment warns with the permission', async () => {
    const warnings: string[] = []
    stub.failNext('GET', /\/issues\/9\/comments$/, 403, 'Resource not accessible by integration')
    const id = await publishPreviewComment(
      octokit,
      { ...repo, issueNumber: 9 },
      { id: '9', status: 'ready' },
      m => warnings.push(m)
    )
    expect(id).toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('`permissions: pull-requests: write`')])
    expect(stub.comments.get(9) ?? []).toHaveLength(0)
  })

  it('a GitHub 500 is tried again, and the status recorded without a warning', async () => {
    const warnings: string[] = []
    stub.failNext('POST', /\/deployments\/\d+\/statuses$/, 500, 'boom')
    const handle = await beginDeployment(
      octokit,
      { ...repo, environment: 'staging', transient: false, production: false, ref: 'x' },
      m => warnings.push(m)
    )
    expect(warnings).toEqual([])
    const deployment = stub.deployments.find(d => d.id === handle?.id)
    expect(deployment?.statuses.map(s => s.state)).toEqual(['in_progress'])
    expect(stub.calls.filter(c => c.path.endsWith(`/deployments/${handle?.id}/statuses`))).toHaveLength(2)
  })

  it('a failed status update leaves the deployment created and says so', async () => {
    const warnings: string[] = []
    stub.failNext('POST', /\/deployments\/\d+\/statuses$/, 422, 'Validation Failed')
    const handle = await beginDeployment(
      octokit,
      { ...repo, environment: 'staging', transient: false, production: false, ref: 'y' },
      m => warnings.push(m)
    )
    expect(handle?.id).toBeGreaterThan(0)
    expect(warnings).toEqual([
      expect.stringMatching(
        /^could not mark the GitHub deployment in progress: POST http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/shop\/deployments\/\d+\/statuses: Validation Failed \(HTTP 422, 1 try\)$/
      )
    ])
  })
})

describe('promote and abort end the deployment the waiting deploy left in progress (local REST stub)', () => {
  let stub: RestStub
  let octokit: GitHubClient
  const production = { ...repo, environment: 'production', transient: false, production: true, ref: 'abc' }

  beforeEach(async () => {
    stub = await startRestStub(TOKEN)
    octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl, sleep: async () => {} })
  })
  afterEach(async () => stub.close())

  it('adopts the in_progress deployment and ends it, creating none', async () => {
    const done = await beginDeployment(octokit, production)
    await completeDeployment(octokit, done, { state: 'success' })
    const waiting = await beginDeployment(octokit, production)
    await completeDeployment(octokit, waiting, {
      state: 'in_progress',
      environmentUrl: 'https://test.example.com'
    })
    const adopted = await adoptWaitingDeployment(octokit, production)
    expect(adopted?.id).toBe(waiting?.id)
    await completeDeployment(octokit, adopted, { state: 'success' })
    expect(stub.deployments).toHaveLength(2)
    expect(stub.deployments.find(d => d.id === waiting?.id)?.statuses.map(s => s.state)).toEqual([
      'in_progress',
      'in_progress',
      'success'
    ])
  })

  it('begins its own deployment when none waits', async () => {
    const done = await beginDeployment(octokit, production)
    await completeDeployment(octokit, done, { state: 'failure' })
    const own = await adoptWaitingDeployment(octokit, production)
    expect(own?.id).not.toBe(done?.id)
    expect(stub.deployments).toHaveLength(2)
  })
})
