// End to end: preview and preview-destroy through the bundled action (dist/index.js) against the
// simulator: a pull request's preview is created on its first push, updated on the next, and
// destroyed when it closes; the call log and the state prove the base service was not touched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import { startRestStub, type RestStub } from '../github/rest-stub.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

// The django-web fixture's HTTP:80 listener on demo-alb.
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'
const PREVIEW = {
  mode: 'preview',
  'preview-id': '42',
  'listener-arn': LISTENER,
  'preview-host': 'pr-{id}.preview.example.com'
}
const DESTROY = { mode: 'preview-destroy', 'preview-id': '42', 'listener-arn': LISTENER }

const simulator = useSimulator()
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})

interface ServiceState {
  serviceName: string
  status: string
  desiredCount: number
  taskDefinition: string
  loadBalancers?: unknown[]
}

const mutating = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating && !c.error)
const names = (calls: readonly CallRecord[]) => calls.map(c => `${c.service}:${c.operation}`)

async function service(name: string): Promise<ServiceState | undefined> {
  const state = await sim.control.state()
  return (state.services as ServiceState[]).find(s => s.serviceName === name)
}

/** What a preview run must never change about the base service (counts and events move on their own). */
async function baseSettings() {
  const web = await service('web')
  return {
    status: web?.status,
    desiredCount: web?.desiredCount,
    taskDefinition: web?.taskDefinition,
    loadBalancers: web?.loadBalancers
  }
}

function expectRun(run: ActionRun, exitCode: number, status?: string): void {
  if (run.exitCode !== exitCode || (status !== undefined && run.outputs.status !== status))
    throw new Error(
      `expected exit ${exitCode} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
}

/** Nothing the run changed names the base service or its target group. */
function expectBaseUntouched(calls: readonly CallRecord[]): void {
  for (const call of mutating(calls)) {
    if (call.operation === 'RegisterTaskDefinition') continue
    const params = JSON.stringify(call.params)
    expect(params).not.toMatch(/"service":"web"|"serviceName":"web"|targetgroup\/web-tg\//)
  }
}

describe('preview mode', () => {
  it('creates the preview on the first push, updates it on the next, and leaves the base alone', async () => {
    const baseBefore = await baseSettings()

    const first = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v2` })
    expectRun(first, 0, 'succeeded')
    expect(first.outputs['preview-url']).toBe('https://pr-42.preview.example.com')
    const created = names(mutating(await sim.control.calls()))
    expect(created).toEqual(
      expect.arrayContaining(['elbv2:CreateTargetGroup', 'elbv2:CreateRule', 'ecs:CreateService'])
    )
    expectBaseUntouched(await sim.control.calls())
    const preview = await service('web-pr-42')
    expect(preview).toMatchObject({ status: 'ACTIVE', desiredCount: 1 })
    expect(preview?.taskDefinition).toBe(first.outputs['task-definition-arn'])
    expect(await baseSettings()).toEqual(baseBefore)

    const callsBefore = (await sim.control.calls()).length
    const second = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v1` })
    expectRun(second, 0, 'succeeded')
    expect(second.outputs['preview-url']).toBe(first.outputs['preview-url'])
    const later = (await sim.control.calls()).slice(callsBefore)
    // A later push creates nothing: it points the existing service at the new revision.
    expect(names(mutating(later)).filter(n => /:Create(Service|Rule|TargetGroup)$/.test(n))).toEqual([])
    expect(names(mutating(later))).toContain('ecs:UpdateService')
    expectBaseUntouched(later)
    expect((await service('web-pr-42'))?.taskDefinition).toBe(second.outputs['task-definition-arn'])
    expect(second.outputs['task-definition-arn']).not.toBe(first.outputs['task-definition-arn'])
    expect(await baseSettings()).toEqual(baseBefore)
  })

  it('a push that crash-loops puts the preview back on its last good revision; a first push that fails says so', async () => {
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:crash`]: { kind: 'exit', exitCode: 3, afterSeconds: 1, logLines: ['ImproperlyConfigured'] }
      }
    })
    const good = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v2` })
    expectRun(good, 0, 'succeeded')
    const bad = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:crash` })
    expectRun(bad, 1, 'rolled-back')
    expect((await service('web-pr-42'))?.taskDefinition).toBe(good.outputs['task-definition-arn'])
    expect(bad.stdout).toMatch(/web exited 3/)

    const fresh = await runOnSim(sim, { ...PREVIEW, 'preview-id': '43', image: `${REPO}:crash` })
    expectRun(fresh, 1, 'failed')
    expect(fresh.stdout + fresh.stderr).toMatch(/created by this run, so there is no earlier revision/)
  })

  it('path previews are reached under the load balancer name', async () => {
    const run = await runOnSim(sim, {
      mode: 'preview',
      'preview-id': '7',
      'listener-arn': LISTENER,
      'preview-path': '/pr-{id}',
      image: `${REPO}:v2`
    })
    expectRun(run, 0, 'succeeded')
    expect(run.outputs['preview-url']).toMatch(/^http:\/\/[^/]+\/pr-7\/$/)
  })

  it.each([
    ['no listener-arn', { ...PREVIEW, 'listener-arn': '' }, /input listener-arn/],
    ['neither host nor path', { ...PREVIEW, 'preview-host': '' }, /input preview-host/],
    ['both host and path', { ...PREVIEW, 'preview-path': '/pr-{id}' }, /input preview-host/],
    ['a base service that does not exist', { ...PREVIEW, service: 'nope' }, /input service/]
  ])('%s: fails naming the input, with nothing created', async (_name, inputs, message) => {
    const run = await runOnSim(sim, { image: `${REPO}:v2`, ...inputs })
    expectRun(run, 1)
    expect(run.stdout + run.stderr).toMatch(message)
    const changed = names(mutating(await sim.control.calls())).filter(n => n !== 'ecs:RegisterTaskDefinition')
    expect(changed).toEqual([])
  })
})

describe('preview-destroy mode', () => {
  it('removes exactly what the preview created, and a second run finds nothing', async () => {
    expectRun(await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v2` }), 0, 'succeeded')
    const baseBefore = await baseSettings()
    const callsBefore = (await sim.control.calls()).length

    const destroy = await runOnSim(sim, DESTROY)
    expectRun(destroy, 0)
    const calls = (await sim.control.calls()).slice(callsBefore)
    expect(names(mutating(calls))).toEqual([
      'elbv2:DeleteRule',
      'ecs:UpdateService',
      'ecs:DeleteService',
      'elbv2:DeleteTargetGroup'
    ])
    expectBaseUntouched(calls)
    expect((await service('web-pr-42'))?.status).toBe('INACTIVE')
    expect(await baseSettings()).toEqual(baseBefore)
    const state = await sim.control.state()
    expect(Object.keys(state.targetHealth)).toEqual(['web-tg'])

    const again = (await sim.control.calls()).length
    const second = await runOnSim(sim, DESTROY)
    expectRun(second, 0)
    expect(second.stdout).toMatch(/nothing to delete/)
    expect(mutating((await sim.control.calls()).slice(again))).toEqual([])
  })

  it('destroying a preview that never existed succeeds and changes nothing', async () => {
    const run = await runOnSim(sim, { ...DESTROY, 'preview-id': '999' })
    expectRun(run, 0)
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})

describe('a pull request preview on GitHub', () => {
  const TOKEN = 'ghs_e2epreviewtoken0123456789'
  const HEAD_SHA = 'feedfacefeedfacefeedfacefeedfacefeedface'
  let github: RestStub
  let dir: string
  let eventPath: string

  beforeAll(async () => {
    github = await startRestStub(TOKEN)
    dir = mkdtempSync(join(tmpdir(), 'ecs-ship-pr-event-'))
    eventPath = join(dir, 'event.json')
    // What the runner writes for a pull_request event: the number and the head commit.
    writeFileSync(
      eventPath,
      JSON.stringify({ number: 17, pull_request: { number: 17, head: { sha: HEAD_SHA } } })
    )
  })
  afterAll(async () => {
    await github?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const onPullRequest = (inputs: Record<string, string>) =>
    runOnSim(
      sim,
      { 'github-token': TOKEN, 'listener-arn': LISTENER, environment: 'pr-17', ...inputs },
      {
        env: {
          GITHUB_API_URL: github.baseUrl,
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_EVENT_NAME: 'pull_request'
        }
      }
    )

  it('names the preview after the pull request, keeps one comment up to date, and retires the deployments on destroy', async () => {
    const preview = { mode: 'preview', 'preview-host': 'pr-{id}.preview.example.com' }
    const first = await onPullRequest({ ...preview, image: `${REPO}:v2` })
    expectRun(first, 0, 'succeeded')
    expect(first.outputs['preview-url']).toBe('https://pr-17.preview.example.com')
    expect(await service('web-pr-17')).toMatchObject({ status: 'ACTIVE' })

    const second = await onPullRequest({ ...preview, image: `${REPO}:v1` })
    expectRun(second, 0, 'succeeded')

    // One comment, upserted: the second push edited it instead of posting another.
    const comments = github.comments.get(17) ?? []
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toContain('<!-- ecs-ship:preview:17 -->')
    expect(comments[0]?.body).toContain('Ready')
    expect(comments[0]?.body).toContain('https://pr-17.preview.example.com')
    expect(comments[0]?.body).toContain(`${REPO}:v1`)

    // A transient deployment per push, for the pull request's head commit, ending in success.
    const ours = github.deployments.filter(d => d.environment === 'pr-17')
    expect(ours).toHaveLength(2)
    for (const deployment of ours) {
      expect(deployment.ref).toBe(HEAD_SHA)
      expect(deployment.transient_environment).toBe(true)
      expect(deployment.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
      expect(deployment.statuses.at(-1)?.environment_url).toBe('https://pr-17.preview.example.com')
    }

    const destroy = await onPullRequest({ mode: 'preview-destroy' })
    expectRun(destroy, 0, 'succeeded')
    expect((await service('web-pr-17'))?.status).toBe('INACTIVE')
    expect(github.deployments.filter(d => d.environment === 'pr-17')).toHaveLength(2)
    for (const deployment of github.deployments.filter(d => d.environment === 'pr-17'))
      expect(deployment.statuses.at(-1)?.state).toBe('inactive')
    const after = github.comments.get(17) ?? []
    expect(after).toHaveLength(1)
    expect(after[0]?.body).toContain('Destroyed')
  })
})
