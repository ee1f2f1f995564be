// The one wait in destroy: a target group still "in use" while the deleted service drains.
import { mockClient } from 'aws-sdk-client-mock'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ResourceInUseException
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { destroyPreview } from '../../src/preview/destroy.js'
import { previewTags } from '../../src/preview/names.js'
import { fakeClock } from '../../src/util/clock.js'

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/1/2'
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-pr-42-abc/1'
const OURS = Object.entries(previewTags('demo', 'web', '42')).map(([Key, Value]) => ({ Key, Value }))
const ENV = { ECS_SHIP_POLL_MIN_MS: '1000', ECS_SHIP_POLL_MAX_MS: '60000' }
const inUse = () => new ResourceInUseException({ message: 'in use', $metadata: {} })

function clients() {
  const ecs = mockClient(ECSClient)
  const elb = mockClient(ElasticLoadBalancingV2Client)
  elb.on(DescribeRulesCommand).resolves({ Rules: [] })
  ecs.on(DescribeServicesCommand).resolves({ services: [] })
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] })
  elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: OURS }] })
  return { ecs, elb }
}

afterEach(() => {
  mockClient(ECSClient).restore()
  mockClient(ElasticLoadBalancingV2Client).restore()
})

test('retries DeleteTargetGroup while it is in use, backing off from the env settings', async () => {
  const { ecs, elb } = clients()
  elb.on(DeleteTargetGroupCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({})
  const clock = fakeClock()
  const base = { cluster: 'demo', service: 'web', listenerArn: LISTENER }
  const result = await destroyPreview('42', base, { ecs: ecs as never, elb: elb as never, clock }, ENV)
  expect(result.targetGroups).toEqual([TG])
  expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(3)
  // 1 s, then 1.5 s: the backoff from ECS_SHIP_POLL_MIN_MS.
  expect(clock.now()).toBe(2500)
})

test('gives up after a bounded wait with a message that says what to do', async () => {
  const { ecs, elb } = clients()
  elb.on(DeleteTargetGroupCommand).rejects(inUse())
  const clock = fakeClock()
  const base = { cluster: 'demo', service: 'web', listenerArn: LISTENER }
  await expect(
    destroyPreview('42', base, { ecs: ecs as never, elb: elb as never, clock }, ENV)
  ).rejects.toThrow(/still in use .* run preview-destroy again later/)
  expect(clock.now()).toBeLessThanOrEqual(5 * 60_000)
  expect(elb.commandCalls(DeleteTargetGroupCommand).length).toBeLessThan(20)
  expect(elb.commandCalls(DeleteRuleCommand)).toHaveLength(0)
})

test('a target group with the name but without our tags is left alone', async () => {
  const { ecs, elb } = clients()
  elb
    .on(DescribeTagsCommand)
    .resolves({ TagDescriptions: [{ ResourceArn: TG, Tags: [{ Key: 'team', Value: 'x' }] }] })
  const base = { cluster: 'demo', service: 'web', listenerArn: LISTENER }
  const result = await destroyPreview(
    '42',
    base,
    { ecs: ecs as never, elb: elb as never, clock: fakeClock() },
    ENV
  )
  expect(result).toEqual({ rules: [], targetGroups: [] })
  expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(0)
})
