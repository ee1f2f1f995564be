// End to end (issue 13, items 4, 10, 11 and 13a): the bundled action against the simulator and a
// local stand-in for GitHub, on errors a user meets. Every failure names the AWS call, the
// resource and the tries; the files and variables the action reads are named when they are
// broken; a GitHub that never answers costs the run bounded time and only warnings; a migrate log
// the role may not read is said before anything changes and never decides the migration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'
import { startRestStub, type RestStub } from '../github/rest-stub.js'

const TOKEN = 'ghs_errorse2etoken0123456789'
const MIGRATE = 'python manage.py migrate --no-input'
const simulator = useSimulator()
let sim: RunningSimulator
const files = mkdtempSync(join(tmpdir(), 'ecs-ship-errors-'))
beforeEach(() => {
  sim = simulator()
})
afterAll(() => rmSync(files, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const path = join(files, name)
  writeFileSync(path, content)
  return path
}

function act(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runOnSim(
    sim,
    { 'wait-for-minutes': '5', ...inputs },
    { timeoutMs: 180_000, runPost: false, env, cwd: files }
  )
}

const errorLine = (run: ActionRun) => run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''
const warnings = (run: ActionRun) => run.stdout.split('\n').filter(l => l.startsWith('::warning::'))
const mutations = (calls: readonly CallRecord[]) =>
  calls.filter(c => c.mutating && !c.error).map(c => `${c.service}:${c.operation}`)

function explain(run: ActionRun): string {
  return `exit ${run.exitCode}, status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
}

function succeeded(run: ActionRun): void {
  if (run.exitCode !== 0 || run.outputs.status !== 'succeeded') throw new Error(explain(run))
}

describe('every AWS error names the call, the resource and the tries (item 10)', () => {
  it('throttling past the retries: ECS DescribeServices (service web, cluster demo) failed after 3 tries', async () => {
    await sim.control.setFaults([{ operation: 'ecs:DescribeServices', throttleRatio: 1 }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::ECS DescribeServices \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: ThrottlingException: Rate exceeded$/
    )
    expect(mutations(await sim.control.calls())).toEqual([])
  })

  it('a server error on the change itself names UpdateService and the service', async () => {
    await sim.control.setFaults([{ operation: 'ecs:UpdateService', serverErrorRatio: 1 }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::ECS UpdateService \(service web, task definition web:2, cluster demo\) failed after 3 tries( in \d+ s)?: (ServerException: An internal error occurred|ServiceUnavailableException: Service is unavailable)/
    )
  })

  it('dropped connections: the socket error with the call, as the bundled SDK throws it', async () => {
    await sim.control.setFaults([{ operation: 'ecs:DescribeServices', dropRatio: 1 }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::ECS DescribeServices \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: TimeoutError: socket hang up \(the connection closed before an answer\)$/
    )
  })

  it('access denied names the call and the permission the role needs', async () => {
    await sim.control.setFaults([{ operation: 'ecs:DescribeServices', accessDenied: true }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::ECS DescribeServices \(service web, cluster demo\) failed after 1 try: AWS denied access \(AccessDeniedException\): .*The role needs ecs:DescribeServices\.$/
    )
  })

  it('a YAML bomb is refused naming the file, before any AWS call', async () => {
    const levels = 'abcdefghi'.split('')
    const bomb = file(
      'laughs.yaml',
      [
        'family: web',
        `${levels[0]}: &${levels[0]} [x, x, x, x, x, x, x, x, x]`,
        ...levels
          .slice(1)
          .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${levels[i]}`).join(', ')}]`),
        'containerDefinitions: [{ name: web, image: x, essential: true }]',
        ''
      ].join('\n')
    )
    const run = await act({ 'task-definition': bomb })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toContain(
      `task-definition ${bomb}: the YAML could not be expanded: Excessive alias count`
    )
    expect(await sim.control.calls()).toEqual([])
  })
})

describe('an answer that is not an AWS error: an HTML page from a proxy in front (item 13a)', () => {
  it('to a JSON protocol (ECS UpdateService): the HTTP status, the host and the first bytes, after the tries', async () => {
    await sim.control.setFaults([{ operation: 'ecs:UpdateService', proxyErrorRatio: 1 }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::ECS UpdateService \(service web, task definition web:2, cluster demo\) failed after 3 tries( in \d+ s)?: HTTP 50[23] from 127\.0\.0\.1, and the answer was not an AWS error \(text\/html; the first bytes: <html> <head><title>50[23] (Bad Gateway|Service Temporarily Unavailable)<\/title>/
    )
    // The log a person reads (the stack goes to ::debug::, shown only with step debugging on).
    const visible = run.stdout.split('\n').filter(l => !l.startsWith('::debug::'))
    expect(visible.join('\n')).not.toMatch(/SyntaxError|Unexpected token|\$response/)
    const updates = (await sim.control.calls()).filter(c => c.operation === 'UpdateService')
    expect(updates).toHaveLength(3)
    expect(updates.every(c => /^HTTP 50[23] \(text\/html\)$/.test(c.error ?? ''))).toBe(true)
  })

  it('to an XML protocol (Elastic Load Balancing, read in the plan): the same, and nothing changed', async () => {
    await sim.control.setFaults([{ operation: 'elbv2:DescribeTargetHealth', proxyErrorRatio: 1 }])
    const run = await act({ image: `${REPO}:v2` })
    expect(run.exitCode).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::Elastic Load Balancing DescribeTargetHealth \(target group \S+\) failed after 3 tries( in \d+ s)?: HTTP 50[23] from 127\.0\.0\.1, and the answer was not an AWS error \(text\/html; the first bytes: <html>/
    )
    expect(errorLine(run)).not.toMatch(/Unknown/)
    expect(mutations(await sim.control.calls())).toEqual([])
  })
})

describe('GitHub: bounded, and only ever warnings (items 4 and 10)', () => {
  let github: RestStub
  beforeAll(async () => {
    github = await startRestStub(TOKEN)
  })
  afterAll(async () => {
    await github.close()
  })

  it('a GITHUB_EVENT_PATH that is not JSON is named, and the deploy goes on without GitHub', async () => {
    const event = file('event.json', '{"pull_request": {')
    const run = await act(
      { image: `${REPO}:v2`, 'github-token': TOKEN, environment: 'production' },
      { GITHUB_API_URL: github.baseUrl, GITHUB_EVENT_PATH: event }
    )
    succeeded(run)
    expect(warnings(run)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^::warning::GITHUB_EVENT_PATH ${event.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the event file is not valid JSON \\(.+\\); nothing of this run is recorded on GitHub$`
        )
      )
    )
    expect(run.stdout).not.toMatch(/SyntaxError/)
    expect(github.calls).toEqual([])
  })

  it('a GitHub that accepts the connection and never answers, before and after the deploy: warnings, and the deploy is green', async () => {
    // Creating the deployment works; every status (in progress, then success) gets no answer.
    github.hang('POST', /\/deployments\/\d+\/statuses$/)
    const run = await act(
      { image: `${REPO}:v2`, 'github-token': TOKEN, environment: 'production' },
      { GITHUB_API_URL: github.baseUrl }
    )
    succeeded(run)
    const said = warnings(run)
    expect(said).toEqual([
      expect.stringMatching(
        /^::warning::could not mark the GitHub deployment in progress: POST \S+\/deployments\/\d+\/statuses: no answer within 10 s \(1 try; not sent again, as GitHub may have done it\)$/
      ),
      expect.stringMatching(
        /^::warning::could not mark the GitHub deployment success: POST \S+\/deployments\/\d+\/statuses: no answer within 10 s \(1 try; not sent again, as GitHub may have done it\)$/
      )
    ])
    // One try each: a status that may have been recorded is not posted twice.
    expect(github.calls.filter(c => c.path.endsWith('/statuses'))).toHaveLength(2)
  })
})

describe('the migrate log is a convenience (item 11)', () => {
  const logLines = ['Running migrations:', '  Applying shop.0042_orders... OK']
  const deniedLogs = () => sim.control.setFaults([{ operation: 'logs:GetLogEvents', accessDenied: true }])

  it('AccessDenied on reading it: said in the plan before anything changes, said once in the migration, and the deploy succeeds on exit 0', async () => {
    await sim.control.setBehaviours({ commands: { [MIGRATE]: { exitCode: 0, runSeconds: 10, logLines } } })
    await deniedLogs()
    const run = await act({ image: `${REPO}:v2`, 'migrate-command': MIGRATE })
    succeeded(run)
    expect(run.outputs['migrate-exit-code']).toBe('0')
    const lines = run.stdout.split('\n')
    const planWarning = lines.findIndex(l =>
      /^::warning::migrate-command: the migrate task's log will not be shown, as the role may not read log group \S+ \(logs:GetLogEvents\): CloudWatch Logs GetLogEvents \(log group \S+, log stream \S+\) failed after 1 try: AWS denied access/.test(
        l
      )
    )
    expect(planWarning).toBeGreaterThanOrEqual(0)
    expect(planWarning).toBeLessThan(lines.findIndex(l => l.startsWith('registered ')))
    const migrateWarnings = warnings(run).filter(l => l.includes("the migrate task's log is not shown"))
    expect(migrateWarnings).toHaveLength(1)
    expect(migrateWarnings[0]).toMatch(/log group \S+ \(logs:GetLogEvents\).*decided by its exit code/)
    expect(mutations(await sim.control.calls())).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:RunTask',
      'ecs:UpdateService'
    ])
  })

  it('and a migration that exits 1 still fails on its exit code, not on the log', async () => {
    await sim.control.setBehaviours({ commands: { [MIGRATE]: { exitCode: 1, runSeconds: 5, logLines } } })
    await deniedLogs()
    const run = await act({ image: `${REPO}:v3`, 'migrate-command': MIGRATE })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['migrate-exit-code']).toBe('1')
    expect(errorLine(run)).toMatch(/migration failed: .*exited with code 1.*the service was not changed/)
    expect(mutations(await sim.control.calls())).not.toContain('ecs:UpdateService')
  })
})
