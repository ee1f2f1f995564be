// A preview's whole life against the simulator, through the real SDK clients: created on the
// first push, updated on the second, destroyed (twice). The call log and the state prove that
// nothing else was touched.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startSimulator } from '../../sim/index.js'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import {
  applyPreview,
  destroyPreview,
  loadPreviewInput,
  planPreview,
  type PreviewResult
} from '../../src/preview/index.js'
import { fakeClock } from '../../src/util/clock.js'

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'
const BASE = { cluster: 'demo', service: 'web', listenerArn: LISTENER }
const PREVIEW = { id: '42', listenerArn: LISTENER, host: 'pr-{id}.preview.example.com' }
const ENV = { ECS_SHIP_POLL_MIN_MS: '10', ECS_SHIP_POLL_MAX_MS: '50' }

let sim: RunningSimulator
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client

const mutations = (calls: readonly CallRecord[], from: number) =>
  calls
    .slice(from)
    .filter(c => c.mutating && !c.error)
    .map(c => `${c.service}:${c.operation}`)

async function registerRevision(image: string): Promise<string> {
  const current = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))
  const td = current.taskDefinition!
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: td.requiresCompatibilities,
      networkMode: td.networkMode,
      cpu: td.cpu,
      memory: td.memory,
      executionRoleArn: td.executionRoleArn,
      containerDefinitions: td.containerDefinitions!.map(c => ({ ...c, image }))
    })
  )
  return out.taskDefinition!.taskDefinitionArn!
}

async function apply(taskDefinitionArn: string): Promise<PreviewResult> {
  const input = await loadPreviewInput({ cluster: 'demo', service: 'web', preview: PREVIEW }, { ecs, elb })
  return applyPreview(planPreview(input), { ecs, elb }, taskDefinitionArn)
}

beforeAll(async () => {
  sim = await startSimulator({ fixture: 'django-web', timeScale: 0.01 })
  const config = {
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 2
  }
  ecs = new ECSClient(config)
  elb = new ElasticLoadBalancingV2Client(config)
})

afterAll(async () => {
  ecs?.destroy()
  elb?.destroy()
  await sim?.close()
})

describe('preview lifecycle', () => {
  let first: PreviewResult
  let v2: string

  test('the first push creates a target group, a rule and a service', async () => {
    const before = (await sim.control.calls()).length
    const v1 = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] })))
      .services![0]!.taskDefinition!
    first = await apply(v1)

    expect(first).toMatchObject({
      url: 'https://pr-42.preview.example.com',
      cluster: 'demo',
      serviceName: 'web-pr-42',
      serviceArn: expect.stringMatching(/:service\/demo\/web-pr-42$/),
      deploymentId: expect.any(String),
      taskDefinitionArn: v1,
      created: true
    })
    expect(mutations(await sim.control.calls(), before)).toEqual([
      'elbv2:CreateTargetGroup',
      'elbv2:ModifyTargetGroupAttributes',
      'elbv2:CreateRule',
      'ecs:CreateService'
    ])

    const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [first.targetGroupArn] })))
      .TargetGroups![0]!
    expect(tg).toMatchObject({
      Port: 8000,
      HealthCheckPath: '/health/',
      HealthCheckIntervalSeconds: 10,
      TargetType: 'ip'
    })
    const attrs = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: first.targetGroupArn })
    )
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' })

    const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [first.ruleArn] }))).Rules![0]!
    expect(rule.Priority).toBe('10042')
    expect(rule.Conditions![0]!.HostHeaderConfig!.Values).toEqual(['pr-42.preview.example.com'])
    const ruleTags = (await elb.send(new DescribeTagsCommand({ ResourceArns: [first.ruleArn] })))
      .TagDescriptions![0]!.Tags
    expect(ruleTags).toEqual(
      expect.arrayContaining([
        { Key: 'ecs-ship:preview-id', Value: '42' },
        { Key: 'ecs-ship:base-service', Value: 'web' }
      ])
    )

    const svc = (
      await ecs.send(
        new DescribeServicesCommand({ cluster: 'demo', services: ['web-pr-42'], include: ['TAGS'] })
      )
    ).services![0]!
    expect(svc).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 1,
      launchType: 'FARGATE',
      taskDefinition: v1,
      loadBalancers: [{ targetGroupArn: first.targetGroupArn, containerName: 'web', containerPort: 8000 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'] } }
    })
    expect(svc.tags).toContainEqual({ key: 'ecs-ship:preview-id', value: '42' })
  })

  test('a second push updates the service and creates nothing', async () => {
    v2 = await registerRevision('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2')
    const before = (await sim.control.calls()).length
    const second = await apply(v2)

    expect(second).toEqual({
      ...first,
      taskDefinitionArn: v2,
      deploymentId: expect.stringMatching(/^ecs-svc\//),
      created: false
    })
    // The orchestrator watches this deployment: a new one, not the first push's.
    expect(second.deploymentId).not.toBe(first.deploymentId)
    expect(mutations(await sim.control.calls(), before)).toEqual(['elbv2:ModifyRule', 'ecs:UpdateService'])
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web-pr-42'] })))
      .services![0]!
    expect(svc.taskDefinition).toBe(v2)
  })

  test('destroy removes exactly the preview and leaves the base alone', async () => {
    const before = (await sim.control.calls()).length
    const result = await destroyPreview('42', { ecs, elb, clock: fakeClock(), base: BASE, env: ENV })

    expect(result).toEqual({
      rules: [first.ruleArn],
      service: 'web-pr-42',
      targetGroups: [first.targetGroupArn]
    })
    expect(mutations(await sim.control.calls(), before)).toEqual([
      'elbv2:DeleteRule',
      'ecs:UpdateService',
      'ecs:DeleteService',
      'elbv2:DeleteTargetGroup'
    ])
    const mutated = (await sim.control.calls()).slice(before).filter(c => c.mutating)
    for (const call of mutated) expect(JSON.stringify(call.params)).not.toMatch(/web-tg|"service":"web"/)

    const state = await sim.control.state()
    const services = state.services as { serviceName: string; status: string; desiredCount: number }[]
    expect(services.find(s => s.serviceName === 'web')).toMatchObject({ status: 'ACTIVE', desiredCount: 2 })
    expect(services.find(s => s.serviceName === 'web-pr-42')?.status).toBe('INACTIVE')
    expect(Object.keys(state.targetHealth)).toContain('web-tg')
    expect(Object.keys(state.targetHealth)).toHaveLength(1)
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: LISTENER }))).Rules!
    expect(rules.map(r => r.Priority)).toEqual(['default'])
  })

  test('destroying again finds nothing and changes nothing', async () => {
    const before = (await sim.control.calls()).length
    const result = await destroyPreview('42', { ecs, elb, clock: fakeClock(), base: BASE, env: ENV })
    expect(result).toEqual({ rules: [], targetGroups: [] })
    expect(mutations(await sim.control.calls(), before)).toEqual([])
  })

  test('a destroyed preview can be created again on a reopened pull request', async () => {
    const again = await apply(v2)
    expect(again.created).toBe(true)
    expect(again.serviceName).toBe('web-pr-42')
    await destroyPreview('42', { ecs, elb, clock: fakeClock(), base: BASE, env: ENV })
  })
})
