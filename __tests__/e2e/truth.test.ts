// End to end: green only when the service runs the new revision and it is healthy, on re-runs,
// cancels and edge cases (issue 13: a re-run of a failed deploy, a cancel mid-rollout and
// mid-rollback, what a cancel leaves behind, zero tasks, and the task-definition-arn output).
import type { RunningSimulator } from '../../sim/contract.js'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.js'
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

const WEB = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`
const CRASH = { kind: 'exit', exitCode: 1, afterSeconds: 1 } as const

function act(inputs: Record<string, string>, extra: Parameters<typeof runOnSim>[2] = {}): Promise<ActionRun> {
  return runOnSim(
    sim,
    { 'wait-for-minutes': '5', 'github-token': TOKEN, ...inputs },
    { ...extra, env: { GITHUB_API_URL: github.baseUrl, ...extra.env } }
  )
}

const errorLine = (run: ActionRun) => run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

function explain(run: ActionRun): string {
  return `exit ${run.exitCode}, status ${run.outputs.status}\n${run.stdout}`
}

/** The service as the simulator holds it: its revision and its deployments. */
async function service() {
  const state = await sim.control.state()
  const web = (
    state.services as {
      serviceName?: string
      taskDefinition?: string
      deployments?: { status?: string; taskDefinition?: string; rolloutState?: string }[]
    }[]
  ).find(s => s.serviceName === 'web')
  if (!web) throw new Error('no web service')
  return web
}

const primary = async () => (await service()).deployments?.find(d => d.status === 'PRIMARY')

/** Polls until the condition holds: at most 300 times, 100 ms apart. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('the simulator never reached the expected state')
}

/** Runs the action, sending SIGINT (as the runner does on cancel) at the first line that matches. */
async function cancelAt(
  when: RegExp,
  inputs: Record<string, string>
): Promise<ActionRun & { signalled: boolean }> {
  let pid: number | undefined
  let signalled = false
  const run = await runAction({
    inputs: { cluster: 'demo', service: 'web', 'github-token': TOKEN, 'wait-for-minutes': '5', ...inputs },
    env: {
      AWS_ENDPOINT_URL: sim.url,
      GITHUB_API_URL: github.baseUrl,
      ECS_SHIP_POLL_MIN_MS: '100',
      ECS_SHIP_POLL_MAX_MS: '500'
    },
    timeoutMs: 60_000,
    runPost: false,
    onSpawn: p => (pid = p),
    onLine: line => {
      if (!signalled && pid !== undefined && when.test(line)) {
        signalled = true
        process.kill(pid, 'SIGINT')
      }
    }
  })
  return { ...run, signalled }
}

describe('re-running a failed deploy', () => {
  it('deploys the failed revision again and fails again: never `unchanged` while the failed deployment is current', async () => {
    await sim.control.setBehaviours({ images: { [`${REPO}:crash`]: CRASH } })
    const inputs = { image: `${REPO}:crash`, 'rollback-on-failure': 'false', environment: 'production' }
    const first = await act(inputs)
    expect(first.exitCode).toBe(1)
    // The action's verdict comes before ECS's circuit breaker; wait for the breaker to mark it.
    await until(async () => (await primary())?.rolloutState === 'FAILED')

    const second = await act(inputs)
    if (second.exitCode !== 1 || second.outputs.status !== 'failed') throw new Error(explain(second))
    expect(second.stdout).toMatch(/ECS marked deployment ecs-svc\/\S+ of web:2 FAILED/)
    expect(second.stdout).toMatch(/deploying web:2 again \(force-new-deployment\); web:1 still serves/)
    const update = (await sim.control.calls()).filter(c => c.operation === 'UpdateService')
    expect(update.at(-1)?.params).toMatchObject({ taskDefinition: WEB(2), forceNewDeployment: true })
    // The GitHub Deployment of the re-run is not green.
    const last = github.deployments.at(-1)
    expect(last?.statuses.at(-1)).toMatchObject({ state: 'failure' })
  })

  it('a re-run while the failed deployment is still IN_PROGRESS follows it to its verdict', async () => {
    await sim.control.setBehaviours({ images: { [`${REPO}:crash`]: CRASH } })
    const inputs = { image: `${REPO}:crash`, 'rollback-on-failure': 'false' }
    const first = await act(inputs)
    expect(first.exitCode).toBe(1)
    const second = await act(inputs)
    if (second.exitCode !== 1 || second.outputs.status !== 'failed') throw new Error(explain(second))
    // Either ECS had failed it by then (deployed again), or it was still rolling out (followed).
    expect(second.stdout).toMatch(/deploying web:2 again|is still rolling out: following it to a verdict/)
    expect(second.outputs.status).not.toBe('unchanged')
  })

  it('a re-run after a cancelled rollout that ECS then failed comes to a real verdict', async () => {
    await sim.control.setBehaviours({ images: { [`${REPO}:crash`]: CRASH } })
    const cancelled = await cancelAt(/^UpdateService:/, { image: `${REPO}:crash` })
    expect(cancelled.signalled).toBe(true)
    expect(cancelled.exitCode).toBe(1)
    expect(errorLine(cancelled)).toMatch(
      /cancelled while rolling out: ECS carries on with the deployment of .*web:2/
    )
    expect(cancelled.outputs.status).toBe('cancelled')

    const rerun = await act({ image: `${REPO}:crash` })
    // Whatever ECS's circuit breaker did meanwhile, the re-run ends on web:1, healthy, and says so.
    if (rerun.exitCode !== 1 || rerun.outputs.status !== 'rolled-back') throw new Error(explain(rerun))
    expect(rerun.outputs['task-definition-arn']).toBe(WEB(1))
    expect((await service()).taskDefinition).toBe(WEB(1))
  })

  it('a re-run after a good deploy that completed says unchanged, having checked the live service', async () => {
    const first = await act({ image: `${REPO}:v2` })
    if (first.exitCode !== 0) throw new Error(explain(first))
    const again = await act({ image: `${REPO}:v2` })
    if (again.exitCode !== 0 || again.outputs.status !== 'unchanged') throw new Error(explain(again))
    expect(again.stdout).toMatch(/its deployment ecs-svc\/\S+ completed and is healthy/)
    expect(again.summary).toMatch(/every target healthy in web-tg \(2\/2\)/)
  })
})

describe('a cancel', () => {
  it('during the action’s own rollback says the service is going back, and writes outputs, summary and a final GitHub status', async () => {
    await sim.control.setBehaviours({ images: { [`${REPO}:crash`]: CRASH } })
    const deploymentsBefore = github.deployments.length
    const run = await cancelAt(/^rolling back: UpdateService/, {
      image: `${REPO}:crash`,
      environment: 'production'
    })
    expect(run.signalled).toBe(true)
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /cancelled while rolling back: the deploy of web:2 failed \(.+\), and the service web in cluster demo is going back to arn:aws:ecs:us-east-1:123456789012:task-definition\/web:1/
    )
    expect(errorLine(run)).toContain('Re-run the workflow: it waits for the rollback to settle')
    expect(errorLine(run)).not.toContain('mode: rollback')
    expect(run.outputs).toMatchObject({ status: 'cancelled', 'task-definition-arn': WEB(1) })
    expect(run.summary).toContain('cancelled')
    const deployment = github.deployments[deploymentsBefore]
    expect(deployment?.statuses.at(-1)).toMatchObject({ state: 'failure' })

    // The advice holds: a re-run waits for the rollback, deploys web:2 again, and ends rolled back.
    const rerun = await act({ image: `${REPO}:crash` })
    if (rerun.exitCode !== 1 || rerun.outputs.status !== 'rolled-back') throw new Error(explain(rerun))
    expect((await service()).taskDefinition).toBe(WEB(1))
  })
})

describe('zero tasks', () => {
  it('desired-count 0: a warning that nothing was started or checked, and status no-tasks', async () => {
    const run = await act({ image: `${REPO}:v2`, 'desired-count': '0' })
    if (run.exitCode !== 0 || run.outputs.status !== 'no-tasks') throw new Error(explain(run))
    expect(run.stdout).toContain(
      '::warning::the service runs 0 tasks (desired count 0): no task was started and nothing was health-checked'
    )
    expect(run.summary).not.toContain('0/0 healthy')

    // A service already at 0 tasks: the same.
    const next = await act({ image: `${REPO}:v3` })
    if (next.exitCode !== 0 || next.outputs.status !== 'no-tasks') throw new Error(explain(next))
  })
})

describe('task-definition-arn', () => {
  it('names the revision the service runs when the migration fails (not the one registered)', async () => {
    await sim.control.setBehaviours({
      commands: { 'python manage.py migrate --no-input': { exitCode: 1, runSeconds: 1, logLines: ['boom'] } }
    })
    const run = await act({ image: `${REPO}:v2`, 'migrate-command': 'python manage.py migrate --no-input' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['task-definition-arn']).toBe(WEB(1))
    expect((await service()).taskDefinition).toBe(WEB(1))
    expect(run.summary).toContain('web:1 → web:2; the service still runs web:1')
  })

  it('names the revision the service runs when UpdateService is refused', async () => {
    await sim.control.setFaults([{ operation: 'ecs:UpdateService', accessDenied: true }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['task-definition-arn']).toBe(WEB(1))
  })
})
