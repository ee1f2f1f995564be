// End to end, issue 13 item 14: what ECS refuses, the bundled action refuses in the plan, before it
// registers a revision or runs a migration. A task definition that drops the load-balanced
// container (or its port) would be refused by ECS only at UpdateService, after the migration ran;
// a YAML file whose string fields YAML reads as numbers, or that carries a tag nothing resolves,
// would be registered wrong or refused naming no field. Each case: the exit code, the message,
// and no change in the simulator (its call log holds no successful mutating call).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'

const simulator = useSimulator()
let sim: RunningSimulator
beforeEach(() => {
  sim = simulator()
})
const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-refusals-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

/** The django-web service's task definition as a file, with its web container changed. */
function taskDefinition(container: { name: string; port: number }): string {
  return JSON.stringify(
    {
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
      containerDefinitions: [
        {
          name: container.name,
          image: `${REPO}:v1`,
          essential: true,
          portMappings: [{ containerPort: container.port, hostPort: container.port, protocol: 'tcp' }],
          environment: [{ name: 'PORT', value: String(container.port) }]
        }
      ]
    },
    null,
    2
  )
}

const yaml = (value: string) =>
  [
    'family: web',
    'requiresCompatibilities: [FARGATE]',
    'networkMode: awsvpc',
    "cpu: '512'",
    "memory: '1024'",
    'executionRoleArn: arn:aws:iam::123456789012:role/web-execution',
    'containerDefinitions:',
    '  - name: web',
    `    image: ${REPO}:v1`,
    '    essential: true',
    '    portMappings:',
    '      - containerPort: 8000',
    '    environment:',
    '      - name: PORT',
    `        value: ${value}`,
    ''
  ].join('\n')

const mutating = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating && !c.error)
const output = (run: ActionRun) => `${run.stdout}\n${run.stderr}`
const errorLine = (run: ActionRun) => run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

function expectExit(run: ActionRun, code: number, status?: string): void {
  if (run.exitCode !== code || (status !== undefined && run.outputs.status !== status))
    throw new Error(
      `expected exit ${code} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}\n${output(run)}`
    )
}

async function webService() {
  const state = await sim.control.state()
  return (state.services as { serviceName: string; taskDefinition: string }[]).find(
    s => s.serviceName === 'web'
  )
}

describe('a task definition without the load-balanced container or port', () => {
  it.each([
    [
      'the container renamed',
      { name: 'app', port: 8000 },
      /task-definition \S+renamed\.json: the service's target group web-tg sends traffic to container web on port 8000, but the task definition has no container web \(it has app\); ECS would refuse to deploy it \("The container web does not exist in the task definition\."\)/
    ],
    [
      'the port changed',
      { name: 'web', port: 8080 },
      /task-definition \S+port\.json: .*container web maps containerPort 8080; ECS would refuse to deploy it \("The container web did not have a container port 8000 defined\."\)/
    ]
  ])('%s: refused before register and migrate; nothing changes', async (name, container, message) => {
    const before = await webService()
    const path = file(name === 'the port changed' ? 'port.json' : 'renamed.json', taskDefinition(container))
    const run = await runOnSim(
      sim,
      {
        'task-definition': path,
        'container-name': container.name,
        image: `${REPO}:v2`,
        'migrate-command': 'python manage.py migrate --no-input'
      },
      { cwd: dir }
    )
    expectExit(run, 1, 'failed')
    expect(errorLine(run)).toMatch(message)
    const calls = await sim.control.calls()
    expect(mutating(calls)).toEqual([])
    expect(calls.map(c => c.operation)).not.toContain('RegisterTaskDefinition')
    expect(calls.map(c => c.operation)).not.toContain('RunTask')
    expect(run.stdout).not.toMatch(/::group::(Register|Migrate)/)
    expect(await webService()).toEqual(before)
  })

  it('a dry run with the same file is refused too (the plan is where it fails)', async () => {
    const run = await runOnSim(
      sim,
      {
        'task-definition': file('renamed-dry.json', taskDefinition({ name: 'app', port: 8000 })),
        'container-name': 'app',
        image: `${REPO}:v2`,
        'dry-run': 'true'
      },
      { cwd: dir }
    )
    expectExit(run, 1)
    expect(errorLine(run)).toMatch(/has no container web \(it has app\)/)
    expect(mutating(await sim.control.calls())).toEqual([])
  })

  it('a preview from such a file is refused before it creates anything', async () => {
    const run = await runOnSim(
      sim,
      {
        mode: 'preview',
        'preview-id': '42',
        'listener-arn': LISTENER,
        'preview-host': 'pr-{id}.preview.example.com',
        'task-definition': file('preview-renamed.json', taskDefinition({ name: 'app', port: 8000 })),
        'container-name': 'app',
        image: `${REPO}:v2`
      },
      { cwd: dir }
    )
    expectExit(run, 1)
    expect(errorLine(run)).toMatch(
      /preview-renamed\.json: the service's load balancer sends traffic to container web on port 8000, but the task definition has no container web/
    )
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})

describe('YAML task definitions', () => {
  it.each([
    [
      'a number where ECS takes a string',
      '8000',
      /task-definition \S+number\.yaml: line 15: containerDefinitions\[0\]\.environment\[0\]\.value is the number 8000, but ECS takes a string there .*write it in quotes: "8000"/
    ],
    [
      'a version YAML would shorten',
      '1.10',
      /line 15: containerDefinitions\[0\]\.environment\[0\]\.value is the number 1\.1, .*write it in quotes: "1\.10"/
    ],
    [
      "CloudFormation's !Ref",
      '!Ref DbPort',
      /task-definition \S+ref\.yaml: line 15, column 16: the tag !Ref is not resolved here/
    ]
  ])('%s: refused naming the file and line, with no AWS call at all', async (name, value, message) => {
    const path = file(
      name.startsWith('CloudFormation')
        ? 'ref.yaml'
        : name.startsWith('a version')
          ? 'version.yaml'
          : 'number.yaml',
      yaml(value)
    )
    const run = await runOnSim(sim, { 'task-definition': path, image: `${REPO}:v2` }, { cwd: dir })
    expectExit(run, 1, 'failed')
    expect(errorLine(run)).toMatch(message)
    // The file is read before the first AWS call.
    expect(await sim.control.calls()).toEqual([])
  })

  it('the same file with the value quoted passes the plan (a dry run registers nothing)', async () => {
    const run = await runOnSim(
      sim,
      {
        'task-definition': file('quoted.yaml', yaml("'8000'")),
        image: `${REPO}:v2`,
        'dry-run': 'true'
      },
      { cwd: dir }
    )
    expectExit(run, 0, 'dry-run')
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})
