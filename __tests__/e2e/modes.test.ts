// End to end: rollback mode and GitHub Deployments, through the bundled action against the
// simulator and a local stub of GitHub's REST API.
import type { RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'
import { startRestStub, type RestStub } from '../github/rest-stub.js'

const TOKEN = 'ghs_e2etesttoken0123456789'
const simulator = useSimulator()
let sim: RunningSimulator
let github: RestStub

beforeAll(async () => {
  github = await startRestStub(TOKEN)
})
afterAll(async () => {
  await github?.close()
})
beforeEach(() => {
  sim = simulator()
})

function act(inputs: Record<string, string>): Promise<ActionRun> {
  return runOnSim(
    sim,
    { 'wait-for-minutes': '5', 'github-token': TOKEN, ...inputs },
    { env: { GITHUB_API_URL: github.baseUrl } }
  )
}

function ok(run: ActionRun, status: string): void {
  if (run.exitCode !== 0 || run.outputs.status !== status)
    throw new Error(
      `expected success with status ${status}, got exit ${run.exitCode} / ${run.outputs.status}\n${run.stdout}`
    )
}

const runningRevision = async () => {
  const state = await sim.control.state()
  const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
    s => s.serviceName === 'web'
  )
  return web?.taskDefinition
}

describe('rollback mode', () => {
  it('puts the previous revision back, then a numbered revision, with the same health gate', async () => {
    ok(await act({ image: `${REPO}:v2` }), 'succeeded')
    expect(await runningRevision()).toMatch(/task-definition\/web:2$/)

    const back = await act({ mode: 'rollback' })
    ok(back, 'succeeded')
    expect(back.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(await runningRevision()).toMatch(/task-definition\/web:1$/)
    expect(back.stdout).toMatch(/previous/i)

    const forward = await act({ mode: 'rollback', 'rollback-to': '2' })
    ok(forward, 'succeeded')
    expect(await runningRevision()).toMatch(/task-definition\/web:2$/)
    // No build and no migrate in a rollback.
    const calls = await sim.control.calls()
    expect(calls.filter(c => c.operation === 'RunTask')).toHaveLength(0)
  })
})

describe('GitHub deployments', () => {
  it('records a deployment for the commit and moves it in progress → success with the environment URL', async () => {
    const run = await act({
      image: `${REPO}:v2`,
      environment: 'production',
      'environment-url': 'https://app.example.com'
    })
    ok(run, 'succeeded')
    const deployment = github.deployments.at(-1)
    expect(deployment?.environment).toBe('production')
    expect(deployment?.ref).toBe('0123456789abcdef0123456789abcdef01234567')
    expect(deployment?.statuses.map(s => s.state)).toEqual(['in_progress', 'success'])
    expect(deployment?.statuses.at(-1)?.environment_url).toBe('https://app.example.com')
    // The runner hides a masked value everywhere; the only place the token may appear is the
    // ::add-mask:: command itself, which the runner consumes and never shows.
    const shown = run.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'))
    expect(shown.join('\n')).not.toContain(TOKEN)
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`)
  })

  it('marks the deployment failed when the deploy fails', async () => {
    await sim.control.setBehaviours({
      images: { [`${REPO}:crash`]: { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
    })
    const run = await act({ image: `${REPO}:crash`, environment: 'staging' })
    expect(run.exitCode).toBe(1)
    expect(github.deployments.at(-1)?.statuses.map(s => s.state)).toEqual(['in_progress', 'failure'])
  })
})
