// applyPreview against mocked clients: the first push creates, a later push updates and creates
// nothing, and the races and limits ELB reports are handled or named.
import { mockClient } from 'aws-sdk-client-mock'
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  InvalidParameterException,
  UpdateServiceCommand,
  type Service
} from '@aws-sdk/client-ecs'
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  PriorityInUseException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
  TooManyRulesException,
  type Rule,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { fixtureJson } from '../../__fixtures__/load.js'
import { applyPreview } from '../../src/preview/apply.js'
import { previewTags, previewTargetGroupName } from '../../src/preview/names.js'
import { planPreview, PRIORITY_MIN, type PreviewPlanInput } from '../../src/preview/plan.js'
import { ActionError } from '../../src/errors.js'

interface BaseFixture {
  service: Service
  targetGroup: TargetGroup
  listenerArn: string
  dnsName: string
  defaultRule: Rule
}
const base = fixtureJson<BaseFixture>('preview/base.json')
const OURS = previewTags('demo', 'web', '42')
const ELB_TAGS = Object.entries(OURS).map(([Key, Value]) => ({ Key, Value }))
const ECS_TAGS = Object.entries(OURS).map(([key, value]) => ({ key, value }))
const TG_NAME = previewTargetGroupName('demo', 'web', '42')
const TG = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${TG_NAME}/77`
const RULE = `${base.listenerArn.replace(':listener/', ':listener-rule/')}/ours`
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/demo/web-pr-42'
const TD1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const TD2 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:9'

function planInput(overrides: Partial<PreviewPlanInput> = {}): PreviewPlanInput {
  return {
    cluster: 'demo',
    service: 'web',
    baseService: base.service,
    baseTargetGroup: base.targetGroup,
    deregistrationDelaySeconds: '30',
    rules: [{ rule: base.defaultRule, tags: [] }],
    loadBalancerDnsName: base.dnsName,
    preview: { id: '42', listenerArn: base.listenerArn, host: 'pr-{id}.preview.example.com' },
    ...overrides
  }
}

/** What the plan reads on the second push: everything the first one created, tagged ours. */
const secondPush = planInput({
  rules: [
    { rule: base.defaultRule, tags: [] },
    {
      rule: { RuleArn: RULE, Priority: String(PRIORITY_MIN + 42), IsDefault: false, Conditions: [] },
      tags: ELB_TAGS
    }
  ],
  existingTargetGroup: { targetGroup: { TargetGroupArn: TG, TargetGroupName: TG_NAME }, tags: ELB_TAGS },
  existingService: { serviceName: 'web-pr-42', status: 'ACTIVE', tags: ECS_TAGS }
})

const serviceOut = (taskDefinition: string, id: string) => ({
  service: {
    serviceArn: SERVICE_ARN,
    serviceName: 'web-pr-42',
    deployments: [
      { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD1 },
      { id, status: 'PRIMARY', taskDefinition }
    ]
  }
})

function clients() {
  const ecs = mockClient(ECSClient)
  const elb = mockClient(ElasticLoadBalancingV2Client)
  elb
    .on(DescribeTargetGroupsCommand)
    .rejects(new TargetGroupNotFoundException({ message: 'none', $metadata: {} }))
  elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
  elb.on(ModifyTargetGroupAttributesCommand).resolves({})
  elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] })
  elb.on(ModifyRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] })
  // What the listener shows when a run looks again after creating its rule: only the default.
  elb.on(DescribeRulesCommand).resolves({ Rules: [base.defaultRule] })
  elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [] })
  elb.on(DeleteRuleCommand).resolves({})
  ecs.on(CreateServiceCommand).resolves(serviceOut(TD1, 'ecs-svc/100'))
  ecs.on(UpdateServiceCommand).resolves(serviceOut(TD2, 'ecs-svc/200'))
  const deps = {
    ecs: ecs as unknown as ECSClient,
    elb: elb as unknown as ElasticLoadBalancingV2Client
  }
  return { ecs, elb, deps }
}

/** The changing calls of both clients, in the order they were made. */
const mutations = (ecs: ReturnType<typeof mockClient>, elb: ReturnType<typeof mockClient>) =>
  [...ecs.calls(), ...elb.calls()]
    .sort((a, b) => (a.calledBefore(b) ? -1 : 1))
    .map(c => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''))
    .filter(name => !name.startsWith('Describe'))

afterEach(() => {
  mockClient(ECSClient).restore()
  mockClient(ElasticLoadBalancingV2Client).restore()
})

describe('the first push', () => {
  test('creates the target group, the rule and the service, in that order', async () => {
    const { ecs, elb, deps } = clients()
    const plan = planPreview(planInput())
    const result = await applyPreview(plan, deps, TD1)

    expect(result).toEqual({
      url: 'https://pr-42.preview.example.com',
      cluster: 'demo',
      serviceName: 'web-pr-42',
      serviceArn: SERVICE_ARN,
      deploymentId: 'ecs-svc/100',
      taskDefinitionArn: TD1,
      targetGroupArn: TG,
      ruleArn: RULE,
      created: true
    })
    expect(elb.commandCalls(CreateTargetGroupCommand)[0]!.args[0].input).toEqual(plan.targetGroup)
    expect(elb.commandCalls(ModifyTargetGroupAttributesCommand)[0]!.args[0].input).toEqual({
      TargetGroupArn: TG,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]
    })
    expect(elb.commandCalls(CreateRuleCommand)[0]!.args[0].input).toEqual({
      ListenerArn: base.listenerArn,
      Priority: PRIORITY_MIN + 42,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-42.preview.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: TG }],
      Tags: ELB_TAGS
    })
    expect(ecs.commandCalls(CreateServiceCommand)[0]!.args[0].input).toEqual({
      ...plan.service,
      taskDefinition: TD1,
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 8000 }]
    })
    // The service needs the target group; the rule forwards to it before tasks exist, which is
    // harmless (503 until the first target is healthy) and lets a half-finished run be resumed.
    expect(mutations(ecs, elb)).toEqual([
      'CreateTargetGroup',
      'ModifyTargetGroupAttributes',
      'CreateRule',
      'CreateService'
    ])
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
  })

  test('the service clone carries the base settings and our tags', async () => {
    const { ecs, deps } = clients()
    await applyPreview(planPreview(planInput()), deps, TD1)
    const input = ecs.commandCalls(CreateServiceCommand)[0]!.args[0].input
    expect(input).toMatchObject({
      cluster: 'demo',
      serviceName: 'web-pr-42',
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: base.service.networkConfiguration,
      enableECSManagedTags: true,
      propagateTags: 'SERVICE'
    })
    expect(input.tags).toEqual(expect.arrayContaining(ECS_TAGS))
  })

  test('a path route forwards /pr-42 and everything under it', async () => {
    const { elb, deps } = clients()
    const plan = planPreview(
      planInput({ preview: { id: '42', listenerArn: base.listenerArn, path: '/pr-{id}' } })
    )
    const result = await applyPreview(plan, deps, TD1)
    expect(result.url).toBe(`http://${base.dnsName}/pr-42/`)
    expect(elb.commandCalls(CreateRuleCommand)[0]!.args[0].input.Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/pr-42', '/pr-42/*'] } }
    ])
  })
})

describe('a later push', () => {
  test('updates the rule and the service with the new revision and creates nothing', async () => {
    const { ecs, elb, deps } = clients()
    const result = await applyPreview(planPreview(secondPush), deps, TD2)

    expect(result).toMatchObject({
      targetGroupArn: TG,
      ruleArn: RULE,
      deploymentId: 'ecs-svc/200',
      taskDefinitionArn: TD2,
      created: false
    })
    expect(mutations(ecs, elb)).toEqual(['ModifyRule', 'UpdateService'])
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'demo',
      service: 'web-pr-42',
      taskDefinition: TD2
    })
    expect(elb.commandCalls(ModifyRuleCommand)[0]!.args[0].input).toEqual({
      RuleArn: RULE,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-42.preview.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: TG }]
    })
  })

  test('a run that died after creating the target group reuses it (found by name and tags)', async () => {
    const { ecs, elb, deps } = clients()
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: ELB_TAGS }] })
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result.targetGroupArn).toBe(TG)
    expect(mutations(ecs, elb)).toEqual(['CreateRule', 'CreateService'])
  })
})

describe('races and limits', () => {
  test('a priority taken meanwhile by another run: the next one is tried', async () => {
    const { elb, deps } = clients()
    elb
      .on(CreateRuleCommand)
      .rejectsOnce(new PriorityInUseException({ message: 'taken', $metadata: {} }))
      .resolves({ Rules: [{ RuleArn: RULE }] })
    await applyPreview(planPreview(planInput()), deps, TD1)
    expect(elb.commandCalls(CreateRuleCommand).map(c => c.args[0].input.Priority)).toEqual([
      PRIORITY_MIN + 42,
      PRIORITY_MIN + 43
    ])
  })

  test('the rule quota reached meanwhile: an error naming listener-arn, no service created', async () => {
    const { ecs, elb, deps } = clients()
    elb.on(CreateRuleCommand).rejects(new TooManyRulesException({ message: 'quota', $metadata: {} }))
    const run = applyPreview(planPreview(planInput()), deps, TD1)
    await expect(run).rejects.toThrow(ActionError)
    await expect(run).rejects.toThrow(/^input listener-arn: .*rule quota/)
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(0)
  })

  test('a target group of that name created meanwhile by someone else is not taken over', async () => {
    const { ecs, elb, deps } = clients()
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
    elb
      .on(DescribeTagsCommand)
      .resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: [{ Key: 'team', Value: 'data' }] }] })
    await expect(applyPreview(planPreview(planInput()), deps, TD1)).rejects.toThrow(
      /^input preview-id: target group .* not this preview's/
    )
    expect(mutations(ecs, elb)).toEqual([])
  })
})

describe('two runs of one preview at the same time', () => {
  const OTHER = `${base.listenerArn.replace(':listener/', ':listener-rule/')}/theirs`
  const ourRule = (arn: string, priority: number): Rule => ({
    RuleArn: arn,
    Priority: String(priority),
    IsDefault: false,
    Conditions: []
  })
  /** The listener as the second look sees it: these rules, each tagged ours. */
  function listenerShows(elb: ReturnType<typeof clients>['elb'], rules: Rule[]) {
    elb.on(DescribeRulesCommand).resolves({ Rules: [base.defaultRule, ...rules] })
    elb.on(DescribeTagsCommand).resolves({
      TagDescriptions: rules.map(r => ({ ResourceArn: r.RuleArn, Tags: ELB_TAGS }))
    })
  }

  test("the priority is taken by the other run's rule for this preview: adopted, no second rule", async () => {
    const { ecs, elb, deps } = clients()
    elb.on(CreateRuleCommand).rejects(new PriorityInUseException({ message: 'taken', $metadata: {} }))
    listenerShows(elb, [ourRule(OTHER, PRIORITY_MIN + 42)])
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result.ruleArn).toBe(OTHER)
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(1)
    expect(elb.commandCalls(ModifyRuleCommand)[0]!.args[0].input).toMatchObject({ RuleArn: OTHER })
    expect(elb.commandCalls(DeleteRuleCommand)).toHaveLength(0)
    expect(mutations(ecs, elb)).toEqual([
      'CreateTargetGroup',
      'ModifyTargetGroupAttributes',
      'CreateRule',
      'ModifyRule',
      'CreateService'
    ])
  })

  test("the other run's rule sits at a lower priority: ours is deleted and theirs adopted", async () => {
    const { elb, deps } = clients()
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] })
    listenerShows(elb, [ourRule(OTHER, PRIORITY_MIN + 41), ourRule(RULE, PRIORITY_MIN + 42)])
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result.ruleArn).toBe(OTHER)
    expect(elb.commandCalls(DeleteRuleCommand).map(c => c.args[0].input.RuleArn)).toEqual([RULE])
    expect(elb.commandCalls(ModifyRuleCommand).map(c => c.args[0].input.RuleArn)).toEqual([OTHER])
  })

  test("the other run's rule sits at a higher priority: it is deleted and ours kept", async () => {
    const { elb, deps } = clients()
    listenerShows(elb, [ourRule(RULE, PRIORITY_MIN + 42), ourRule(OTHER, PRIORITY_MIN + 43)])
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result.ruleArn).toBe(RULE)
    expect(elb.commandCalls(DeleteRuleCommand).map(c => c.args[0].input.RuleArn)).toEqual([OTHER])
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0)
  })

  test('the listener does not list our new rule yet (ELB reads lag): it is kept all the same', async () => {
    const { elb, deps } = clients()
    listenerShows(elb, [ourRule(OTHER, PRIORITY_MIN + 50)])
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    // Ours (priority 42) counts though DescribeRules did not show it: the later one goes.
    expect(result.ruleArn).toBe(RULE)
    expect(elb.commandCalls(DeleteRuleCommand).map(c => c.args[0].input.RuleArn)).toEqual([OTHER])
  })

  test('a duplicate the other run deleted first is not an error', async () => {
    const { elb, deps } = clients()
    elb.on(DeleteRuleCommand).rejects(new RuleNotFoundException({ message: 'gone', $metadata: {} }))
    listenerShows(elb, [ourRule(RULE, PRIORITY_MIN + 42), ourRule(OTHER, PRIORITY_MIN + 43)])
    await expect(applyPreview(planPreview(planInput()), deps, TD1)).resolves.toMatchObject({ ruleArn: RULE })
  })

  test('a later push deletes the duplicate its plan found, after updating the rule it keeps', async () => {
    const { ecs, elb, deps } = clients()
    const plan = planPreview({
      ...secondPush,
      rules: [...secondPush.rules, { rule: ourRule(OTHER, PRIORITY_MIN + 43), tags: ELB_TAGS }]
    })
    const result = await applyPreview(plan, deps, TD2)
    expect(result.ruleArn).toBe(RULE)
    expect(mutations(ecs, elb)).toEqual(['ModifyRule', 'DeleteRule', 'UpdateService'])
    expect(elb.commandCalls(DeleteRuleCommand)[0]!.args[0].input).toEqual({ RuleArn: OTHER })
  })

  test('CreateService of a service the other run created: adopted and updated to our revision', async () => {
    const { ecs, elb, deps } = clients()
    ecs
      .on(CreateServiceCommand)
      .rejects(
        new InvalidParameterException({ message: 'Creation of service was not idempotent.', $metadata: {} })
      )
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'web-pr-42', status: 'ACTIVE', tags: ECS_TAGS }]
    })
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result).toMatchObject({ created: false, deploymentId: 'ecs-svc/200' })
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({
      cluster: 'demo',
      services: ['web-pr-42'],
      include: ['TAGS']
    })
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'demo',
      service: 'web-pr-42',
      taskDefinition: TD1
    })
    expect(mutations(ecs, elb).slice(-2)).toEqual(['CreateService', 'UpdateService'])
  })

  test.each<[string, Service[]]>([
    ['not tagged ours', [{ serviceName: 'web-pr-42', status: 'ACTIVE', tags: [] }]],
    ['draining', [{ serviceName: 'web-pr-42', status: 'DRAINING', tags: ECS_TAGS }]],
    ['not there (another invalid parameter)', []]
  ])("CreateService refused and the service is %s: ECS's error stands", async (_name, services) => {
    const { ecs, deps } = clients()
    ecs
      .on(CreateServiceCommand)
      .rejects(
        new InvalidParameterException({ message: 'Creation of service was not idempotent.', $metadata: {} })
      )
    ecs.on(DescribeServicesCommand).resolves({ services })
    await expect(applyPreview(planPreview(planInput()), deps, TD1)).rejects.toThrow(/not idempotent/)
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
  })

  test('CreateTargetGroup says the name exists with other settings, and it is ours: reused', async () => {
    const { ecs, elb, deps } = clients()
    elb
      .on(CreateTargetGroupCommand)
      .rejects(new DuplicateTargetGroupNameException({ message: 'other settings', $metadata: {} }))
    elb
      .on(DescribeTargetGroupsCommand)
      .rejectsOnce(new TargetGroupNotFoundException({ message: 'none', $metadata: {} }))
      .resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: ELB_TAGS }] })
    const result = await applyPreview(planPreview(planInput()), deps, TD1)
    expect(result.targetGroupArn).toBe(TG)
    expect(mutations(ecs, elb)).toEqual(['CreateTargetGroup', 'CreateRule', 'CreateService'])
  })

  test("CreateTargetGroup says the name exists, and it is someone else's: an error naming preview-id", async () => {
    const { ecs, elb, deps } = clients()
    elb
      .on(CreateTargetGroupCommand)
      .rejects(new DuplicateTargetGroupNameException({ message: 'other settings', $metadata: {} }))
    elb
      .on(DescribeTargetGroupsCommand)
      .rejectsOnce(new TargetGroupNotFoundException({ message: 'none', $metadata: {} }))
      .resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: [] }] })
    await expect(applyPreview(planPreview(planInput()), deps, TD1)).rejects.toThrow(
      /^input preview-id: target group .* not this preview's/
    )
    expect(mutations(ecs, elb)).toEqual(['CreateTargetGroup'])
  })
})
