// The orchestrator against mocked AWS clients: what it calls (and never calls), its outputs and
// its job summary. The runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) are real temp files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jest } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { run, runPost } from '../../src/main.js'
import type { AwsClients } from '../../src/aws/clients.js'
import { fakeClock } from '../../src/util/clock.js'
import { actionDefaults, parseCommandFile } from '../../scripts/lib/run-action.js'
import { fixtureJson, fixturePath } from '../../__fixtures__/load.js'

const ecsMock = mockClient(ECSClient)
const elbMock = mockClient(ElasticLoadBalancingV2Client)
const ecrMock = mockClient(ECRClient)
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef'

let dir: string
const savedEnv = { ...process.env }

function clients(): AwsClients {
  const ecs = new ECSClient({ region: 'us-east-1' })
  const elb = new ElasticLoadBalancingV2Client({ region: 'us-east-1' })
  const ecr = new ECRClient({ region: 'us-east-1' })
  const none = async () => Promise.reject(new Error('not used here'))
  return {
    region: 'us-east-1',
    ecs: async () => ecs,
    elb: async () => elb,
    logs: none,
    ecr: async () => ecr,
    codedeploy: none,
    sts: none
  }
}

async function runWith(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const all = { ...actionDefaults(), cluster: 'demo', service: 'web', ...inputs }
  for (const [name, value] of Object.entries(all)) process.env[`INPUT_${name.toUpperCase()}`] = value
  process.exitCode = undefined
  await run({
    clock: fakeClock(0),
    env: { AWS_REGION: 'us-east-1', ECS_SHIP_POLL_MIN_MS: '10', ECS_SHIP_POLL_MAX_MS: '10', ...env },
    clients
  })
  const failed = process.exitCode === 1
  process.exitCode = undefined
  return {
    failed,
    outputs: parseCommandFile(readFileSync(join(dir, 'output'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8')
  }
}

function mutatingCalls(): number {
  return (
    ecsMock.commandCalls(RegisterTaskDefinitionCommand).length +
    ecsMock.commandCalls(UpdateServiceCommand).length
  )
}

/** The deployment runs its 2 tasks of the revision, both healthy behind web-tg. */
function healthyTasks(deploymentId = 'ecs-svc/1111111111111111111', taskDefinitionArn = OLD): void {
  ecsMock.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ['t/1', 't/2'] })
  ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] })
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [1, 2].map(n => ({
      taskArn: `t/${n}`,
      startedBy: deploymentId,
      taskDefinitionArn,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      attachments: [
        { type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: `10.0.0.${n}` }] }
      ]
    }))
  })
  elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: TG }).resolves({
    TargetHealthDescriptions: [1, 2].map(n => ({
      Target: { Id: `10.0.0.${n}`, Port: 8000 },
      TargetHealth: { State: 'healthy' }
    }))
  })
}

// @actions/core remembers the summary file's path on first use: one directory for the whole file.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecs-ship-main-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

beforeEach(() => {
  for (const file of ['output', 'summary', 'state']) writeFileSync(join(dir, file), '')
  process.env.GITHUB_OUTPUT = join(dir, 'output')
  process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary')
  process.env.GITHUB_STATE = join(dir, 'state')
  ecsMock.on(DescribeServicesCommand).resolves(fixtureJson('services/web-rolling.json'))
  ecsMock.on(DescribeTaskDefinitionCommand).resolves(fixtureJson('taskdef/described-web-7.json'))
})

afterEach(() => {
  ecsMock.reset()
  elbMock.reset()
  ecrMock.reset()
  process.env = { ...savedEnv }
})

describe('run', () => {
  let stdout: jest.SpiedFunction<typeof process.stdout.write>
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => stdout.mockRestore())
  const printed = () => stdout.mock.calls.map(c => String(c[0])).join('')

  it('a missing Dockerfile fails before any AWS call, in a dry run too', async () => {
    const context = mkdtempSync(join(tmpdir(), 'ecs-ship-context-'))
    try {
      const result = await runWith({
        'ecr-repository': 'web',
        'image-tag': 'v2',
        'build-context': context,
        'dry-run': 'true'
      })
      expect(result.failed).toBe(true)
      expect(ecsMock.calls()).toHaveLength(0)
      expect(result.summary).toContain(`input dockerfile: "${join(context, 'Dockerfile')}" does not exist`)
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
  })

  it('fails on a bad input before any AWS call, and still writes the summary', async () => {
    const result = await runWith({ 'wait-for-minutes': 'forever' })
    expect(result.failed).toBe(true)
    expect(ecsMock.calls()).toHaveLength(0)
    expect(result.outputs).toMatchObject({ status: 'failed', 'rolled-back': 'false' })
    expect(result.summary).toContain('> input wait-for-minutes: "forever" is not a whole number')
  })

  it('fails on a malformed task-definition file before any AWS call', async () => {
    const file = join(dir, 'task.json')
    writeFileSync(file, '{\n  "family": "web",\n  "containerDefinitions": [\n')
    const result = await runWith({ 'task-definition': file }, { GITHUB_WORKSPACE: dir })
    expect(result.failed).toBe(true)
    expect(ecsMock.calls()).toHaveLength(0)
    expect(result.summary).toContain(`task-definition ${file}: invalid JSON at line`)
  })

  it('dry-run prints the plan and the diff and changes nothing', async () => {
    const result = await runWith({ 'dry-run': 'true', image: 'repo/web:v2' })
    expect(result.failed).toBe(false)
    expect(mutatingCalls()).toBe(0)
    expect(result.outputs.status).toBe('dry-run')
    expect(printed()).toContain(
      '~ containerDefinitions[web].image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1 → repo/web:v2'
    )
    expect(printed()).toContain('strategy: rolling')
    expect(result.summary).toContain('Task definition diff (1 change)')
  })

  it('registers nothing and deploys nothing when nothing changed', async () => {
    healthyTasks()
    const result = await runWith({ 'task-definition': fixturePath('taskdef/web.yaml') })
    expect(result.failed).toBe(false)
    expect(mutatingCalls()).toBe(0)
    expect(result.outputs).toMatchObject({
      status: 'unchanged',
      'task-definition-arn': OLD,
      'previous-task-definition-arn': OLD
    })
  })

  it('refuses a service with the EXTERNAL deployment controller before changing anything', async () => {
    const payload = fixtureJson<{ services: Record<string, unknown>[] }>('services/web-rolling.json')
    payload.services[0] = { ...payload.services[0], deploymentController: { type: 'EXTERNAL' } }
    ecsMock.on(DescribeServicesCommand).resolves(payload)
    const result = await runWith({ image: 'repo/web:v2' })
    expect(result.failed).toBe(true)
    expect(mutatingCalls()).toBe(0)
    expect(result.summary).toContain('uses the EXTERNAL deployment controller')
  })

  it('reports expired credentials plainly', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException'
      })
    )
    const result = await runWith({ image: 'repo/web:v2' })
    expect(result.failed).toBe(true)
    expect(result.summary).toContain('the AWS credentials have expired (ExpiredTokenException)')
  })

  it('registers, updates and succeeds once the new tasks are healthy', async () => {
    const deployment = {
      id: 'ecs-svc/new',
      status: 'PRIMARY',
      taskDefinition: NEW,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0
    }
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW } })
    ecsMock
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: [{ ...deployment, rolloutState: 'IN_PROGRESS' }] } })
    const service = fixtureJson<{ services: Record<string, unknown>[] }>('services/web-rolling.json')
    const after = {
      services: [{ ...service.services[0], deployments: [{ ...deployment, rolloutState: 'COMPLETED' }] }]
    }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(service)
      .resolves(after as never)
    healthyTasks('ecs-svc/new', NEW)
    const result = await runWith({ image: 'repo/web:v2', 'environment-variables': 'RELEASE=42' })
    expect(result.failed).toBe(false)
    expect(result.outputs).toMatchObject({
      status: 'succeeded',
      'rolled-back': 'false',
      'task-definition-arn': NEW,
      'previous-task-definition-arn': OLD,
      'deployment-id': 'ecs-svc/new'
    })
    const registered = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input
    expect(registered?.containerDefinitions?.[0]).toMatchObject({ image: 'repo/web:v2' })
    expect(registered?.tags).toEqual([{ key: 'team', value: 'shop' }])
    expect(registered).not.toHaveProperty('revision')
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'demo',
      service: 'web',
      taskDefinition: NEW
    })
    expect(result.summary).toContain('| revision | web:7 → web:8 |')
    expect(result.summary).toContain('every target healthy in web-tg (2/2)')
    // The secret is named in the task definition; its source may show, a value never exists here.
    expect(result.summary).not.toContain('password')
  })
})

describe('runPost', () => {
  it('runs every cleanup even when one fails', async () => {
    const ran: string[] = []
    const warn = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    await runPost([
      { name: 'first', run: async () => Promise.reject(new Error('no docker')) },
      { name: 'second', run: async () => void ran.push('second') }
    ])
    const out = warn.mock.calls.map(c => String(c[0])).join('')
    warn.mockRestore()
    expect(ran).toEqual(['second'])
    expect(out).toContain('::warning::post step, first: no docker')
  })
})

describe('run, mode rollback', () => {
  let stdout: jest.SpiedFunction<typeof process.stdout.write>
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => stdout.mockRestore())
  const printed = () => stdout.mock.calls.map(c => String(c[0])).join('')

  it('dry-run names the target and why, and changes nothing', async () => {
    const older = fixtureJson<{ taskDefinition: Record<string, unknown> }>('taskdef/described-web-7.json')
    const six = {
      ...older,
      taskDefinition: { ...older.taskDefinition, taskDefinitionArn: OLD.replace(':7', ':6'), revision: 6 }
    }
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: OLD.replace(':7', ':6') }).resolves(six)
    const result = await runWith({
      mode: 'rollback',
      'rollback-to': '6',
      'dry-run': 'true',
      image: 'ignored:1'
    })
    expect(result.failed).toBe(false)
    expect(result.outputs.status).toBe('dry-run')
    expect(mutatingCalls()).toBe(0)
    expect(printed()).toContain(
      `rolling back to ${OLD.replace(':7', ':6')}: revision 6 of the family, as asked`
    )
    expect(printed()).toContain('::warning::mode rollback ignores these inputs: image')
  })

  it('says unchanged when the service already runs the target', async () => {
    healthyTasks()
    const result = await runWith({ mode: 'rollback', 'rollback-to': OLD })
    expect(result.outputs.status).toBe('unchanged')
    expect(mutatingCalls()).toBe(0)
  })

  it('an image tag no revision ran: checked in ECR, the current revision gets it by digest (the dry run shows it)', async () => {
    const digest = 'sha256:' + '9'.repeat(64)
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: digest, imageTags: ['v0.9'] }] })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [OLD] })
    const result = await runWith({ mode: 'rollback', 'rollback-to': 'v0.9', 'dry-run': 'true' })
    expect(result.outputs.status).toBe('dry-run')
    expect(printed()).toContain(
      `~ containerDefinitions[web].image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1 → 123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${digest}`
    )
    expect(mutatingCalls()).toBe(0)
  })
})
