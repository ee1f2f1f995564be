// Deployments against a local stub of GitHub's REST API: what the action sends, in which order.
import { jest } from '@jest/globals'
import { createGitHubClient } from '../../src/github/client.js'
import {
  DESCRIPTION_LIMIT,
  createDeployment,
  fitDescription,
  listDeploymentIds,
  setDeploymentStatus
} from '../../src/github/deployments.js'
import { startRestStub, type RestStub } from './rest-stub.js'

const TOKEN = 'ghs_stubtoken0123456789'
const repo = { owner: 'acme', repo: 'shop' }

describe('fitDescription', () => {
  it('keeps short text and flattens whitespace', () => {
    expect(fitDescription('  rolled out\n revision 7 ')).toBe('rolled out revision 7')
  })

  it("cuts to GitHub's limit and marks the cut", () => {
    const text = fitDescription('x'.repeat(500))
    expect(text).toHaveLength(DESCRIPTION_LIMIT)
    expect(text.endsWith('…')).toBe(true)
  })
})

describe('GitHub deployments (local REST stub)', () => {
  let stub: RestStub
  let writeSpy: jest.SpiedFunction<typeof process.stdout.write>

  beforeAll(async () => {
    stub = await startRestStub(TOKEN)
  })
  afterAll(async () => {
    await stub.close()
  })
  beforeEach(() => {
    stub.calls.length = 0
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => writeSpy.mockRestore())

  it('creates a deployment for the commit and moves its status in order', async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const id = await createDeployment(octokit, {
      ...repo,
      ref: 'abc123',
      environment: 'production',
      transient: false,
      production: true,
      description: 'ecs-ship web'
    })

    const common = { ...repo, deploymentId: id, environment: 'production' }
    await setDeploymentStatus(octokit, {
      ...common,
      state: 'in_progress',
      log_url: 'https://example.test/run/1'
    })
    await setDeploymentStatus(octokit, {
      ...common,
      state: 'success',
      environment_url: 'https://shop.example.com',
      log_url: 'https://example.test/run/1',
      description: 'web runs task definition web:8'
    })

    const created = stub.calls.find(
      call => call.method === 'POST' && call.path === '/repos/acme/shop/deployments'
    )
    expect(created?.body).toMatchObject({
      ref: 'abc123',
      environment: 'production',
      production_environment: true,
      transient_environment: false,
      auto_merge: false,
      required_contexts: []
    })

    const deployment = stub.deployments.find(d => d.id === id)
    expect(deployment?.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    expect(deployment?.statuses[1]).toMatchObject({
      environment_url: 'https://shop.example.com',
      log_url: 'https://example.test/run/1',
      description: 'web runs task definition web:8',
      auto_inactive: true
    })
    // An in-progress status must not retire the deployment that is still serving.
    expect(deployment?.statuses[0]).toMatchObject({ auto_inactive: false })
  })

  it('marks a failure, and previews as transient', async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const id = await createDeployment(octokit, {
      ...repo,
      ref: 'def456',
      environment: 'pr-42',
      transient: true,
      production: false
    })
    await setDeploymentStatus(octokit, { ...repo, deploymentId: id, state: 'in_progress' })
    await setDeploymentStatus(octokit, {
      ...repo,
      deploymentId: id,
      state: 'failure',
      description: 'x'.repeat(300)
    })

    const deployment = stub.deployments.find(d => d.id === id)
    expect(deployment).toMatchObject({ transient_environment: true, production_environment: false })
    expect(deployment?.statuses.map(s => s.state)).toEqual(['in_progress', 'failure'])
    expect(String(deployment?.statuses[1]?.description)).toHaveLength(DESCRIPTION_LIMIT)
  })

  it("lists an environment's deployments so a destroyed preview can mark them inactive", async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const first = await createDeployment(octokit, {
      ...repo,
      ref: 'a',
      environment: 'pr-7',
      transient: true,
      production: false
    })
    const second = await createDeployment(octokit, {
      ...repo,
      ref: 'b',
      environment: 'pr-7',
      transient: true,
      production: false
    })
    await createDeployment(octokit, {
      ...repo,
      ref: 'c',
      environment: 'pr-8',
      transient: true,
      production: false
    })

    const ids = await listDeploymentIds(octokit, { ...repo, environment: 'pr-7' })
    expect(ids).toEqual([second, first])
    for (const deploymentId of ids)
      await setDeploymentStatus(octokit, { ...repo, deploymentId, state: 'inactive' })
    expect(
      stub.deployments.filter(d => d.environment === 'pr-7').map(d => d.statuses.map(s => s.state))
    ).toEqual([['inactive'], ['inactive']])
    expect(stub.deployments.find(d => d.environment === 'pr-8')?.statuses).toEqual([])
  })

  it("lists one task's deployments, so previews can share one environment", async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const create = (ref: string, task?: string) =>
      createDeployment(octokit, {
        ...repo,
        ref,
        environment: 'shared-preview',
        transient: true,
        production: false,
        ...(task !== undefined && { task })
      })
    const first = await create('a', 'deploy:preview-7')
    await create('b', 'deploy:preview-8')
    const third = await create('c', 'deploy:preview-7')
    await create('d')

    expect(
      await listDeploymentIds(octokit, { ...repo, environment: 'shared-preview', task: 'deploy:preview-7' })
    ).toEqual([third, first])
    expect(stub.deployments.filter(d => d.environment === 'shared-preview').map(d => d.task)).toEqual([
      'deploy:preview-7',
      'deploy:preview-8',
      'deploy:preview-7',
      'deploy'
    ])
  })

  it('registers the token as a secret before any request', async () => {
    createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const written = writeSpy.mock.calls.map(call => String(call[0])).join('')
    expect(written).toContain(`::add-mask::${TOKEN}`)
    expect(stub.calls).toHaveLength(0)
  })

  it('refuses an empty token, naming the input', () => {
    expect(() => createGitHubClient('  ')).toThrow('input github-token')
  })

  it('surfaces a rejected token as an error', async () => {
    const octokit = createGitHubClient('ghs_wrong', { baseUrl: stub.baseUrl })
    await expect(
      createDeployment(octokit, { ...repo, ref: 'a', environment: 'x', transient: false, production: false })
    ).rejects.toThrow(/Bad credentials/)
  })
})
