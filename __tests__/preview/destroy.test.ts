// preview-destroy against mocked clients: only what carries all of the preview's tags is deleted,
// a second run finds nothing, and the one wait (a target group still in use) is bounded.
import { mockClient } from 'aws-sdk-client-mock'
import {
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
  type Service
} from '@aws-sdk/client-ecs'
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ResourceInUseException,
  TargetGroupNotFoundException,
  type Rule,
  type Tag
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { destroyPreview, type DestroyDeps } from '../../src/preview/destroy.js'
import { previewTags, previewTargetGroupName } from '../../src/preview/names.js'
import { fakeClock } from '../../src/util/clock.js'

const ACCOUNT = 'us-east-1:123456789012'
const LISTENER = `arn:aws:elasticloadbalancing:${ACCOUNT}:listener/app/demo-alb/1/2`
const BASE = { cluster: 'demo', service: 'web', listenerArn: LISTENER }
const ENV = { ECS_SHIP_POLL_MIN_MS: '1000', ECS_SHIP_POLL_MAX_MS: '60000' }
const TG_NAME = previewTargetGroupName('demo', 'web', '42')
const TG = `arn:aws:elasticloadbalancing:${ACCOUNT}:targetgroup/${TG_NAME}/1`
const BASE_TG = `arn:aws:elasticloadbalancing:${ACCOUNT}:targetgroup/web-tg/1`
const OTHER_TG = `arn:aws:elasticloadbalancing:${ACCOUNT}:targetgroup/web-pr-43-x/1`

const elbTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
const ecsTags = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }))
const OURS = previewTags('demo', 'web', '42')
const inUse = () => new ResourceInUseException({ message: 'in use', $metadata: {} })

const ruleArn = (name: string) => `${LISTENER.replace(':listener/', ':listener-rule/')}/${name}`
const forward = (priority: string, name: string, tg: string): Rule => ({
  RuleArn: ruleArn(name),
  Priority: priority,
  IsDefault: false,
  Actions: [{ Type: 'forward', TargetGroupArn: tg }]
})

/**
 * A small account the mocks answer from, so a second destroy sees what the first one left:
 * the base's rules and target group, preview 42 (ours), preview 43 of the same service, and a
 * preview 42 of another service (same id, not ours either).
 */
function account() {
  const rules: { rule: Rule; tags: Tag[] }[] = [
    { rule: { RuleArn: ruleArn('default'), Priority: 'default', IsDefault: true }, tags: [] },
    { rule: forward('5', 'hand-written', BASE_TG), tags: [] },
    { rule: forward('10042', 'ours', TG), tags: elbTags({ ...OURS }) },
    { rule: forward('10043', 'pr43', OTHER_TG), tags: elbTags({ ...previewTags('demo', 'web', '43') }) },
    { rule: forward('10044', 'api42', OTHER_TG), tags: elbTags({ ...previewTags('demo', 'api', '42') }) }
  ]
  const targetGroups = new Map<string, Tag[]>([
    [TG, elbTags({ ...OURS })],
    [BASE_TG, []],
    [OTHER_TG, elbTags({ ...previewTags('demo', 'web', '43') })]
  ])
  const services = new Map<string, Service>([
    ['web', { serviceName: 'web', status: 'ACTIVE', loadBalancers: [{ targetGroupArn: BASE_TG }] }],
    [
      'web-pr-42',
      {
        serviceName: 'web-pr-42',
        status: 'ACTIVE',
        loadBalancers: [{ targetGroupArn: TG }],
        tags: ecsTags({ ...OURS })
      }
    ]
  ])

  const ecs = mockClient(ECSClient)
  const elb = mockClient(ElasticLoadBalancingV2Client)
  elb.on(DescribeRulesCommand).callsFake(() => ({ Rules: rules.map(r => r.rule) }))
  elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map(arn => ({
      ResourceArn: arn,
      Tags: rules.find(r => r.rule.RuleArn === arn)?.tags ?? targetGroups.get(arn) ?? []
    }))
  }))
  elb.on(DescribeTargetGroupsCommand).callsFake((input: { Names?: string[] }) => {
    const found = [...targetGroups.keys()].filter(arn => input.Names?.includes(arn.split('/')[1] ?? ''))
    if (found.length === 0) throw new TargetGroupNotFoundException({ message: 'not found', $metadata: {} })
    return { TargetGroups: found.map(TargetGroupArn => ({ TargetGroupArn })) }
  })
  elb.on(DeleteRuleCommand).callsFake((input: { RuleArn: string }) => {
    rules.splice(
      rules.findIndex(r => r.rule.RuleArn === input.RuleArn),
      1
    )
    return {}
  })
  elb.on(DeleteTargetGroupCommand).callsFake((input: { TargetGroupArn: string }) => {
    targetGroups.delete(input.TargetGroupArn)
    return {}
  })
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.flatMap(name => services.get(name) ?? [])
  }))
  ecs.on(UpdateServiceCommand).resolves({})
  ecs.on(DeleteServiceCommand).callsFake((input: { service: string }) => {
    const service = services.get(input.service)
    if (service) services.set(input.service, { ...service, status: 'INACTIVE' })
    return {}
  })
  const deps: DestroyDeps = {
    ecs: ecs as unknown as ECSClient,
    elb: elb as unknown as ElasticLoadBalancingV2Client,
    clock: fakeClock(),
    base: BASE,
    env: ENV
  }
  return { ecs, elb, deps, rules, targetGroups, services }
}

afterEach(() => {
  mockClient(ECSClient).restore()
  mockClient(ElasticLoadBalancingV2Client).restore()
})

describe('what is deleted', () => {
  test('the rule, then the service (scaled to zero, force-deleted), then the target group: ours only', async () => {
    const { ecs, elb, deps, rules, targetGroups, services } = account()
    const result = await destroyPreview('42', deps)

    expect(result).toEqual({ rules: [ruleArn('ours')], service: 'web-pr-42', targetGroups: [TG] })
    expect(elb.commandCalls(DeleteRuleCommand).map(c => c.args[0].input)).toEqual([
      { RuleArn: ruleArn('ours') }
    ])
    expect(ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([
      { cluster: 'demo', service: 'web-pr-42', desiredCount: 0 }
    ])
    expect(ecs.commandCalls(DeleteServiceCommand).map(c => c.args[0].input)).toEqual([
      { cluster: 'demo', service: 'web-pr-42', force: true }
    ])
    expect(elb.commandCalls(DeleteTargetGroupCommand).map(c => c.args[0].input)).toEqual([
      { TargetGroupArn: TG }
    ])
    // Traffic stops first: the rule is gone before the service is touched.
    expect(
      elb.commandCalls(DeleteRuleCommand)[0]!.calledBefore(ecs.commandCalls(UpdateServiceCommand)[0]!)
    ).toBe(true)

    expect(rules.map(r => r.rule.Priority)).toEqual(['default', '5', '10043', '10044'])
    expect([...targetGroups.keys()]).toEqual([BASE_TG, OTHER_TG])
    expect(services.get('web')?.status).toBe('ACTIVE')
  })

  test('a second run finds nothing, changes nothing and says so', async () => {
    const { ecs, elb, deps } = account()
    await destroyPreview('42', deps)
    ecs.resetHistory()
    elb.resetHistory()

    expect(await destroyPreview('42', deps)).toEqual({ rules: [], targetGroups: [] })
    expect(elb.commandCalls(DeleteRuleCommand)).toHaveLength(0)
    expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(0)
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
    expect(ecs.commandCalls(DeleteServiceCommand)).toHaveLength(0)
  })

  test('a service with the preview name but without our tags is left alone', async () => {
    const { ecs, deps, services } = account()
    services.set('web-pr-42', { serviceName: 'web-pr-42', status: 'ACTIVE', tags: ecsTags({ team: 'x' }) })
    const result = await destroyPreview('42', deps)
    expect(result.service).toBeUndefined()
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
    expect(ecs.commandCalls(DeleteServiceCommand)).toHaveLength(0)
  })

  test('a service already draining (an earlier destroy) is not deleted again', async () => {
    const { ecs, deps, services } = account()
    services.set('web-pr-42', { ...services.get('web-pr-42'), status: 'DRAINING' })
    const result = await destroyPreview('42', deps)
    expect(result.service).toBeUndefined()
    expect(ecs.commandCalls(DeleteServiceCommand)).toHaveLength(0)
    // Its target group is still ours to delete.
    expect(result.targetGroups).toEqual([TG])
  })

  test('a target group with the name but without our tags is left alone', async () => {
    const { elb, deps, targetGroups } = account()
    targetGroups.set(TG, elbTags({ team: 'x' }))
    const result = await destroyPreview('42', deps)
    expect(result.targetGroups).toEqual([])
    expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(0)
  })

  test.each([
    ['', { ...BASE }, 'input preview-id'],
    ['../x', { ...BASE }, 'input preview-id: "../x" must be 1 to 32 letters'],
    ['4 2', { ...BASE }, 'input preview-id: "4 2" must be 1 to 32 letters'],
    ['-42', { ...BASE }, 'input preview-id'],
    ['42', { ...BASE, listenerArn: ' ' }, 'input listener-arn']
  ])('preview-id %j with %j: an error naming the input, before any call', async (id, base, message) => {
    const { ecs, elb, deps } = account()
    await expect(destroyPreview(id, { ...deps, base })).rejects.toThrow(message)
    expect(elb.calls()).toHaveLength(0)
    expect(ecs.calls()).toHaveLength(0)
  })
})

describe('waiting for the target group to be free', () => {
  test('retries DeleteTargetGroup while it is in use, backing off from the env settings', async () => {
    const { elb, deps } = account()
    elb.on(DeleteTargetGroupCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({})
    const clock = fakeClock()
    const result = await destroyPreview('42', { ...deps, clock })
    expect(result.targetGroups).toEqual([TG])
    expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(3)
    // 1 s, then 1.5 s: the backoff from ECS_SHIP_POLL_MIN_MS.
    expect(clock.now()).toBe(2500)
  })

  test('gives up after a bounded wait with a message that says what to do', async () => {
    const { elb, deps } = account()
    elb.on(DeleteTargetGroupCommand).rejects(inUse())
    const clock = fakeClock()
    await expect(destroyPreview('42', { ...deps, clock })).rejects.toThrow(
      /still in use .* run preview-destroy again later/
    )
    expect(clock.now()).toBeLessThanOrEqual(5 * 60_000)
    expect(elb.commandCalls(DeleteTargetGroupCommand).length).toBeLessThan(20)
  })
})
