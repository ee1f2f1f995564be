// The orchestrator in-process against the simulator, through the real SDK clients and the real
// clock: the paths the end-to-end tests take through the bundle, here where coverage sees them.
// Each test checks what the run reports (status, outputs, log) against what the simulator's state
// says afterwards: the revision the service runs, the traffic, and the calls that changed things.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jest } from '@jest/globals'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'
import { run } from '../../src/main.js'
import { actionDefaults, parseCommandFile } from '../../scripts/lib/run-action.js'
import { REPO } from '../helpers/e2e.js'

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'

let sim: RunningSimulator
let dir: string
const savedEnv = { ...process.env }

interface InProcessRun {
  readonly failed: boolean
  readonly outputs: Record<string, string>
  readonly summary: string
  readonly log: string
}

/** Runs the action's main step in this process with action.yml's defaults and these inputs. */
async function runMain(inputs: Record<string, string>): Promise<InProcessRun> {
  for (const file of ['output', 'summary', 'state']) writeFileSync(join(dir, file), '')
  const all = { ...actionDefaults(), cluster: 'demo', service: 'web', 'wait-for-minutes': '10', ...inputs }
  for (const [name, value] of Object.entries(all)) process.env[`INPUT_${name.toUpperCase()}`] = value
  process.exitCode = undefined
  const printed: string[] = []
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    printed.push(String(chunk))
    return true
  })
  try {
    await run({
      env: { ...process.env, ECS_SHIP_POLL_MIN_MS: '100', ECS_SHIP_POLL_MAX_MS: '500' },
      exit: () => {
        throw new Error('the run was cancelled: no test here sends a signal')
      }
    })
  } finally {
    stdout.mockRestore()
  }
  const failed = process.exitCode === 1
  process.exitCode = undefined
  const log = printed.join('')
  return {
    failed,
    outputs: parseCommandFile(readFileSync(join(dir, 'output'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    log
  }
}

/** Fails with the run's log when the run did not end as expected, so a failure shows its cause. */
function expectRun(result: InProcessRun, status: string, failed: boolean): void {
  if (result.outputs.status !== status || result.failed !== failed)
    throw new Error(
      `expected status ${status} (failed: ${failed}), got ${result.outputs.status} (failed: ${result.failed})\n${result.log}`
    )
}

async function useFixture(name: string): Promise<void> {
  await sim.control.reset()
  await sim.control.loadFixture(name)
}

/** The revision (family:revision) an ACTIVE service runs, as DescribeServices says it. */
async function serviceRevision(service = 'web'): Promise<string | undefined> {
  const ecs = new ECSClient({})
  try {
    const found = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: [service] })))
      .services?.[0]
    return found?.status === 'ACTIVE' ? found.taskDefinition?.split('/').at(-1) : undefined
  } finally {
    ecs.destroy()
  }
}

const mutations = async () =>
  (await sim.control.calls()).filter(c => c.mutating && !c.error).map(c => c.operation)

beforeAll(async () => {
  // At 0.05 a fixture's 5-minute wait for approval lasts 15 s: time for the promote or abort.
  sim = await startSimulator({ timeScale: 0.05 })
  dir = mkdtempSync(join(tmpdir(), 'ecs-ship-main-sim-'))
  // @actions/core keeps the first summary path it sees: one directory for the whole file.
  Object.assign(process.env, {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_WORKSPACE: dir,
    AWS_ENDPOINT_URL: sim.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test'
  })
})

afterAll(async () => {
  await sim?.close()
  rmSync(dir, { recursive: true, force: true })
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

describe('ECS-native blue/green with a pause hook, in-process', () => {
  beforeEach(() => useFixture('django-web-bluegreen-pause'))

  it('stops at the pause; promote moves production to the new revision and verifies it', async () => {
    const deploy = await runMain({ image: `${REPO}:v2`, 'wait-until': 'ready' })
    expectRun(deploy, 'ready', false)
    expect(deploy.outputs['hook-id']).toMatch(/^ecs-pause-/)
    expect(deploy.log).toMatch(/paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval/)

    const promote = await runMain({ mode: 'promote', 'deployment-id': deploy.outputs['deployment-id'] ?? '' })
    expectRun(promote, 'succeeded', false)
    // While it waited, the service's verdict named what production ran; now it names the new revision.
    expect(deploy.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(promote.outputs['task-definition-arn']).toMatch(/task-definition\/web:2$/)
    expect(await mutations()).toContain('ContinueServiceDeployment')
    expect(await serviceRevision()).toBe('web:2')
  })

  it('abort rolls the paused deployment back, and the service stays on the old revision', async () => {
    const deploy = await runMain({ image: `${REPO}:v2`, 'wait-until': 'ready' })
    expectRun(deploy, 'ready', false)
    const abort = await runMain({ mode: 'abort', 'deployment-id': deploy.outputs['deployment-id'] ?? '' })
    expectRun(abort, 'aborted', false)
    expect(abort.log).toContain('ContinueServiceDeployment ROLLBACK')
    expect(await serviceRevision()).toBe('web:1')
  })

  it('rolls back a green revision that fails its health checks before the pause', async () => {
    await sim.control.setBehaviours({
      images: { [`${REPO}:sick`]: { kind: 'unhealthy-target', reasonCode: 'Target.ResponseCodeMismatch' } }
    })
    const deploy = await runMain({ image: `${REPO}:sick` })
    expectRun(deploy, 'rolled-back', true)
    expect(deploy.log).toMatch(/stopped \(ServiceSchedulerInitiated\): Task failed ELB health checks/)
    expect(await mutations()).toContain('StopServiceDeployment')
    expect(await serviceRevision()).toBe('web:1')
  })
})

describe('CodeDeploy with Ready, in-process', () => {
  beforeEach(() => useFixture('django-web-codedeploy-ready'))

  it('stops at Ready; promote reroutes production and waits for CodeDeploy to succeed', async () => {
    const deploy = await runMain({ image: `${REPO}:v2`, 'wait-until': 'ready' })
    expectRun(deploy, 'ready', false)
    expect(deploy.outputs['deployment-id']).toMatch(/^d-/)
    const promote = await runMain({ mode: 'promote', 'deployment-id': deploy.outputs['deployment-id'] ?? '' })
    expectRun(promote, 'succeeded', false)
    expect(await mutations()).toContain('ContinueDeployment')
    expect(await serviceRevision()).toBe('web:2')
  })

  it('abort stops the deployment and leaves production on the old revision', async () => {
    const deploy = await runMain({ image: `${REPO}:v2`, 'wait-until': 'ready' })
    expectRun(deploy, 'ready', false)
    const abort = await runMain({ mode: 'abort', 'deployment-id': deploy.outputs['deployment-id'] ?? '' })
    expectRun(abort, 'aborted', false)
    expect(await mutations()).toContain('StopDeployment')
    expect(await serviceRevision()).toBe('web:1')
  })
})

describe('preview and rollback modes, in-process', () => {
  beforeEach(() => useFixture('django-web'))

  it('creates a preview, then destroys it and leaves the base service alone', async () => {
    const preview = await runMain({
      mode: 'preview',
      'preview-id': '42',
      'listener-arn': LISTENER,
      'preview-host': 'pr-{id}.preview.example.com',
      image: `${REPO}:v2`
    })
    expectRun(preview, 'succeeded', false)
    expect(preview.outputs['preview-url']).toBe('https://pr-42.preview.example.com')
    expect(await serviceRevision('web-pr-42')).toBe(preview.outputs['task-definition-arn']?.split('/').at(-1))
    expect(await serviceRevision()).toBe('web:1')

    const destroy = await runMain({ mode: 'preview-destroy', 'preview-id': '42', 'listener-arn': LISTENER })
    expectRun(destroy, 'succeeded', false)
    expect(await serviceRevision('web-pr-42')).toBeUndefined()
    expect(await mutations()).toContain('DeleteService')
    expect(await serviceRevision()).toBe('web:1')
  })

  it('deploys, then rolls back to the previous revision', async () => {
    const deploy = await runMain({ image: `${REPO}:v2` })
    expectRun(deploy, 'succeeded', false)
    expect(await serviceRevision()).toBe('web:2')
    const rollback = await runMain({ mode: 'rollback' })
    expectRun(rollback, 'succeeded', false)
    expect(rollback.outputs['task-definition-arn']).toMatch(/web:1$/)
    expect(await serviceRevision()).toBe('web:1')
  })
})
