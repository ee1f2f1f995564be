// What the plan is fed: read from AWS without changing anything, and the missing pieces named
// by the input that points at them.
import { mockClient } from 'aws-sdk-client-mock'
import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  TargetGroupNotFoundException,
  type Rule,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { fixtureJson } from '../../__fixtures__/load.js'
import { loadPreviewInput } from '../../src/preview/load.js'
import { planPreview } from '../../src/preview/plan.js'

interface BaseFixture {
  service: Service
  targetGroup: TargetGroup
  listenerArn: string
  dnsName: string
  defaultRule: Rule
}
const base = fixtureJson<BaseFixture>('preview/base.json')
const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188'
const INPUTS = {
  cluster: 'demo',
  service: 'web',
  preview: { id: '42', listenerArn: base.listenerArn, host: 'pr-{id}.preview.example.com' }
}

const handWritten = (n: number): Rule => ({
  RuleArn: `${base.listenerArn.replace(':listener/', ':listener-rule/')}/hand${n}`,
  Priority: String(n + 1),
  IsDefault: false,
  Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`app${n}.example.com`] } }]
})

function clients(rules: Rule[] = [base.defaultRule]) {
  const ecs = mockClient(ECSClient)
  const elb = mockClient(ElasticLoadBalancingV2Client)
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services[0] === 'web' ? [base.service] : []
  }))
  // The base's group by ARN; the preview's name is not taken yet.
  elb.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns?: string[] }) => {
    if (input.TargetGroupArns?.[0] === base.targetGroup.TargetGroupArn)
      return { TargetGroups: [base.targetGroup] }
    throw new TargetGroupNotFoundException({ message: 'none', $metadata: {} })
  })
  elb.on(DescribeTargetGroupAttributesCommand).resolves({
    Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]
  })
  elb.on(DescribeRulesCommand).resolves({ Rules: rules })
  elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map(ResourceArn => ({ ResourceArn, Tags: [] }))
  }))
  elb.on(DescribeListenersCommand).resolves({ Listeners: [{ LoadBalancerArn: LB }] })
  elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: base.dnsName }] })
  const deps = { ecs: ecs as unknown as ECSClient, elb: elb as unknown as ElasticLoadBalancingV2Client }
  return { ecs, elb, deps }
}

afterEach(() => {
  mockClient(ECSClient).restore()
  mockClient(ElasticLoadBalancingV2Client).restore()
})

test('gathers the base, its target group, the rules with their tags and the DNS name', async () => {
  const { deps } = clients()
  const input = await loadPreviewInput(INPUTS, deps)
  expect(input).toMatchObject({
    cluster: 'demo',
    service: 'web',
    baseService: base.service,
    baseTargetGroup: base.targetGroup,
    deregistrationDelaySeconds: '30',
    loadBalancerDnsName: base.dnsName,
    rules: [{ rule: base.defaultRule, tags: [] }]
  })
  expect(input.existingTargetGroup).toBeUndefined()
  expect(input.existingService).toBeUndefined()
  expect(planPreview(input).url).toBe('https://pr-42.preview.example.com')
})

test('asks for the tags of at most 20 rules per call, and never for the default rule', async () => {
  const rules = [base.defaultRule, ...Array.from({ length: 45 }, (_, i) => handWritten(i))]
  const { elb, deps } = clients(rules)
  const input = await loadPreviewInput(INPUTS, deps)
  expect(input.rules).toHaveLength(46)
  const batches = elb.commandCalls(DescribeTagsCommand).map(c => c.args[0].input.ResourceArns ?? [])
  expect(batches.map(b => b.length)).toEqual([20, 20, 5])
  expect(batches.flat()).not.toContain(base.defaultRule.RuleArn)
})

test.each([
  [
    'a base service that does not exist',
    { ...INPUTS, service: 'nope' },
    'input service: nope does not exist'
  ],
  [
    'a missing listener-arn, before any call',
    { ...INPUTS, preview: { ...INPUTS.preview, listenerArn: '' } },
    'input listener-arn'
  ]
])('%s is named', async (_name, inputs, message) => {
  const { deps } = clients()
  await expect(loadPreviewInput(inputs, deps)).rejects.toThrow(message)
})

test('a listener that does not exist is named by listener-arn', async () => {
  const { elb, deps } = clients()
  elb.on(DescribeRulesCommand).rejects(new ListenerNotFoundException({ message: 'no', $metadata: {} }))
  await expect(loadPreviewInput(INPUTS, deps)).rejects.toThrow(
    /^input listener-arn: listener .* does not exist/
  )
})

test('a base service without a target group cannot be previewed', async () => {
  const { ecs, deps } = clients()
  ecs.on(DescribeServicesCommand).resolves({ services: [{ ...base.service, loadBalancers: [] }] })
  await expect(loadPreviewInput(INPUTS, deps)).rejects.toThrow(
    /^input service: web is not behind a load balancer/
  )
})
