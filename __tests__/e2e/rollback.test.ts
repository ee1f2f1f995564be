// End to end: what rollback mode puts back and when, through the bundled action against the
// simulator (issue 13, items 6, 7, 8 and the in-flight half of 13). Each case checks the outcome
// on the simulator's state, the exit code and the message, and from the call log what the run
// changed (and that a refused run changed nothing).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeregisterTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/'
const simulator = useSimulator()
let sim: RunningSimulator
let files: string
beforeAll(() => {
  files = mkdtempSync(join(tmpdir(), 'ecs-ship-rollback-'))
})
afterAll(() => rmSync(files, { recursive: true, force: true }))
beforeEach(() => {
  sim = simulator()
})

function act(inputs: Record<string, string>): Promise<ActionRun> {
  // The files a test writes are its workspace, as a checkout is the runner's.
  return runOnSim(sim, { 'wait-for-minutes': '5', ...inputs }, { runPost: false, cwd: files })
}

/** Checks exit code and status together, and shows the action's log when they are not as expected. */
function expectRun(run: ActionRun, exitCode: number, status: string): void {
  if (run.exitCode !== exitCode || run.outputs.status !== status)
    throw new Error(
      `expected exit ${exitCode} / status ${status}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
}

const errorLine = (run: ActionRun) => run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

interface SimService {
  serviceName?: string
  taskDefinition?: string
}
interface SimTaskDefinition {
  family?: string
  revision?: number
  status?: string
  containerDefinitions?: { name?: string; image?: string }[]
}

async function serviceRevision(): Promise<string | undefined> {
  const state = await sim.control.state()
  return (state.services as SimService[]).find(s => s.serviceName === 'web')?.taskDefinition
}

async function taskDefinitions(family: string): Promise<SimTaskDefinition[]> {
  const state = await sim.control.state()
  return (state.taskDefinitions as SimTaskDefinition[]).filter(t => t.family === family)
}

/** The calls made from here on: what the next run did (the call log has everything before too). */
async function callsFrom(): Promise<() => Promise<CallRecord[]>> {
  const before = (await sim.control.calls()).length
  return async () => (await sim.control.calls()).slice(before)
}
const changes = (calls: readonly CallRecord[]) =>
  calls.filter(c => c.mutating && !c.error).map(c => `${c.service}:${c.operation}`)

async function withEcs<T>(use: (ecs: ECSClient) => Promise<T>): Promise<T> {
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
  })
  try {
    return await use(ecs)
  } finally {
    ecs.destroy()
  }
}

describe('rollback-to an image tag (item 6)', () => {
  it('a tag that is not in ECR is refused naming the input, before anything is registered', async () => {
    const since = await callsFrom()
    const run = await act({ mode: 'rollback', 'rollback-to': 'v0.1' })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toContain(
      'input rollback-to: the tag "v0.1" is not in ECR repository web (registry 123456789012, region us-east-1): DescribeImages answered ImageNotFoundException'
    )
    const calls = await since()
    expect(calls.some(c => c.service === 'ecr' && c.operation === 'DescribeImages')).toBe(true)
    expect(changes(calls)).toEqual([])
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
    expect(await taskDefinitions('web')).toHaveLength(1)
  })

  it('puts back the newest ACTIVE revision that ran the tag, and registers nothing', async () => {
    expectRun(await act({ image: `${REPO}:v2` }), 0, 'succeeded')
    expect(await serviceRevision()).toBe(`${ARN}web:2`)

    const since = await callsFrom()
    const run = await act({ mode: 'rollback', 'rollback-to': 'v1' })
    expectRun(run, 0, 'succeeded')
    expect(run.outputs['task-definition-arn']).toBe(`${ARN}web:1`)
    expect(run.stdout).toContain(
      `rolling back to ${ARN}web:1: the newest ACTIVE revision of family web that ran ${REPO}:v1 (or its digest)`
    )
    expect(run.summary).toContain('| rollback target | web:1: the newest ACTIVE revision of family web')
    expect(changes(await since())).toEqual(['ecs:UpdateService'])
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
    expect(await taskDefinitions('web')).toHaveLength(2)
  })

  it('a tag no revision ran is registered by digest; when it fails, the service goes back where it was', async () => {
    // web:2 will be the running revision with the image of tag v2, by digest; it crashes.
    await sim.control.setBehaviours({
      revisions: { 'web:2': { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
    })
    const since = await callsFrom()
    const run = await act({ mode: 'rollback', 'rollback-to': 'v2' })
    expectRun(run, 1, 'rolled-back')
    expect(errorLine(run)).toMatch(/rollback to web:2 failed: .*; rolled back to \S+web:1 \(healthy\)/)
    expect(run.stdout).toContain(
      'if web:2 fails, rollback-on-failure puts back web:1, the revision the service runs now'
    )
    expect(run.outputs['task-definition-arn']).toBe(`${ARN}web:1`)
    expect(run.outputs['rolled-back']).toBe('true')

    const registered = (await taskDefinitions('web')).find(t => t.revision === 2)
    expect(registered?.containerDefinitions?.[0]?.image).toMatch(new RegExp(`^${REPO}@sha256:[0-9a-f]{64}$`))
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
    // ECR was asked before anything was registered.
    const order = (await since()).map(c => c.operation)
    expect(order.indexOf('DescribeImages')).toBeGreaterThanOrEqual(0)
    expect(order.indexOf('DescribeImages')).toBeLessThan(order.indexOf('RegisterTaskDefinition'))
  })

  it('a revision number that fails puts back the revision the service was on (rollback-on-failure)', async () => {
    expectRun(await act({ image: `${REPO}:v2` }), 0, 'succeeded')
    await sim.control.setBehaviours({
      revisions: { 'web:1': { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
    })
    const run = await act({ mode: 'rollback', 'rollback-to': '1' })
    expectRun(run, 1, 'rolled-back')
    expect(errorLine(run)).toMatch(/rollback to web:1 failed: .*; rolled back to \S+web:2 \(healthy\)/)
    expect(await serviceRevision()).toBe(`${ARN}web:2`)
  })
})

describe('another family (item 7)', () => {
  const apiFile = () => {
    const path = join(files, 'api.json')
    writeFileSync(
      path,
      JSON.stringify({
        family: 'api',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '512',
        memory: '1024',
        containerDefinitions: [
          {
            name: 'web',
            image: `${REPO}:v2`,
            essential: true,
            portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: 'tcp' }]
          }
        ]
      })
    )
    return path
  }

  it('a task-definition file of another family is refused before any change, unless allow-family-change', async () => {
    const path = apiFile()
    const since = await callsFrom()
    const refused = await act({ 'task-definition': path })
    expect(refused.exitCode).toBe(1)
    expect(errorLine(refused)).toContain(
      `task-definition ${path}: family "api" is not the family of the service's running revision ("web", web:1)`
    )
    expect(errorLine(refused)).toContain('set allow-family-change: true')
    expect(changes(await since())).toEqual([])
    expect(await taskDefinitions('api')).toHaveLength(0)

    const allowed = await act({ 'task-definition': path, 'allow-family-change': 'true' })
    expectRun(allowed, 0, 'succeeded')
    expect(allowed.stdout).toContain(`::warning::task-definition ${path}: family "api" is not the family`)
    expect(await serviceRevision()).toBe(`${ARN}api:1`)
  })

  it('rollback-to an ARN of another family is refused before any change', async () => {
    const since = await callsFrom()
    const run = await act({ mode: 'rollback', 'rollback-to': `${ARN}worker:1` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toContain(
      `input rollback-to: ${ARN}worker:1: family "worker" is not the family of the service's running revision ("web", web:1)`
    )
    expect(changes(await since())).toEqual([])
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
  })
})

describe('deregistered revisions (item 8)', () => {
  it('previous skips a deregistered revision and names it; an explicit one is refused naming the input', async () => {
    expectRun(await act({ image: `${REPO}:v2` }), 0, 'succeeded')
    expectRun(await act({ image: `${REPO}:v2`, 'environment-variables': 'RELEASE=3' }), 0, 'succeeded')
    expect(await serviceRevision()).toBe(`${ARN}web:3`)
    await withEcs(ecs => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' })))

    const since = await callsFrom()
    const refused = await act({ mode: 'rollback', 'rollback-to': '2' })
    expect(refused.exitCode).toBe(1)
    expect(errorLine(refused)).toContain(
      'input rollback-to: web:2 is INACTIVE (deregistered); ECS cannot point a service at it. Nothing was changed'
    )
    expect(changes(await since())).toEqual([])
    expect(await serviceRevision()).toBe(`${ARN}web:3`)

    const run = await act({ mode: 'rollback' })
    expectRun(run, 0, 'succeeded')
    expect(run.outputs['task-definition-arn']).toBe(`${ARN}web:1`)
    expect(run.stdout).toContain('skipped web:2 (INACTIVE: deregistered, ECS cannot deploy it)')
    expect(run.summary).toMatch(
      /\| rollback target \| web:1: previous revision, from the service deployment history .*skipped web:2/
    )
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
  })
})

describe('a deployment in flight (item 13, second half)', () => {
  it('waits for it to settle, plans again, then rolls back from what the service runs', async () => {
    // Someone's deploy of web:2: the rollback starts as soon as it has called UpdateService.
    let rollback: Promise<ActionRun> | undefined
    let since: (() => Promise<CallRecord[]>) | undefined
    // (The deploy's own verdict is not what this test is about: it may see the rollback start.)
    await runOnSim(
      sim,
      { image: `${REPO}:v2`, 'wait-for-minutes': '5' },
      {
        runPost: false,
        onLine: line => {
          if (!rollback && line.startsWith('UpdateService:'))
            rollback = callsFrom().then(from => {
              since = from
              return act({ mode: 'rollback' })
            })
        }
      }
    )
    const run = await (rollback ?? Promise.reject(new Error('the rollback never started')))
    expectRun(run, 0, 'succeeded')
    expect(run.stdout).toMatch(/another deployment of web is in flight \(ecs-svc\/\S+, web:2\)/)
    expect(run.stdout).toContain('planning again from what the service runs now')
    expect(run.outputs['task-definition-arn']).toBe(`${ARN}web:1`)
    expect(await serviceRevision()).toBe(`${ARN}web:1`)

    // The rollback's UpdateService came after web:2's deployment had completed, not on top of it.
    const update = ((await since?.()) ?? []).find(c => c.operation === 'UpdateService' && c.mutating)
    const completed = (await sim.control.milestones()).find(
      m => m.kind === 'deployment-completed' && String(m.detail.taskDefinition).endsWith('web:2')
    )
    expect(update).toBeDefined()
    expect(completed).toBeDefined()
    expect(completed?.at).toBeLessThan(update?.at ?? 0)
  })

  it('an in-flight deployment that ECS rolls back itself leaves nothing to undo', async () => {
    // ECS-native blue/green: the deploy of a crashing web:2 fails, and ECS's circuit breaker
    // rolls the service deployment back to web:1 while the rollback run waits for it to end.
    await sim.control.reset()
    await sim.control.loadFixture('django-web-bluegreen')
    await sim.control.setBehaviours({
      revisions: { 'web:2': { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
    })
    let rollback: Promise<ActionRun> | undefined
    const deploy = await runOnSim(
      sim,
      { image: `${REPO}:v2`, 'rollback-on-failure': 'false', 'wait-for-minutes': '5' },
      {
        runPost: false,
        onLine: line => {
          if (!rollback && line.startsWith('UpdateService:')) rollback = act({ mode: 'rollback' })
        }
      }
    )
    const run = await (rollback ?? Promise.reject(new Error('the rollback never started')))
    expect(deploy.exitCode).toBe(1)
    expectRun(run, 0, 'unchanged')
    expect(run.stdout).toMatch(/is in flight \(service deployment .*\): waiting for it to settle/)
    expect(run.stdout).toContain(
      'while this run waited, the deployment of web:2 did not stay: the service is back on web:1, which it ran before, so rollback-to previous has nothing left to undo'
    )
    expect(run.outputs['task-definition-arn']).toBe(`${ARN}web:1`)
    // The rollback run changed nothing: the one UpdateService is the deploy's.
    expect(run.stdout).not.toContain('UpdateService:')
    const updates = (await sim.control.calls()).filter(
      c => c.operation === 'UpdateService' && c.mutating && !c.error
    )
    expect(updates).toHaveLength(1)
    expect(await serviceRevision()).toBe(`${ARN}web:1`)
  })
})
