import type { Service } from '@aws-sdk/client-ecs'
import type { Rule, Tag, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { fixtureJson } from '../../__fixtures__/load.js'
import {
  choosePriority,
  describePreviewPlan,
  planPreview,
  preferredPriority,
  PRIORITY_MAX,
  PRIORITY_MIN,
  type PreviewPlanInput,
  type TaggedRule
} from '../../src/preview/plan.js'
import { previewTags, previewTargetGroupName } from '../../src/preview/names.js'
import { ActionError } from '../../src/errors.js'

interface BaseFixture {
  service: Service
  targetGroup: TargetGroup
  listenerArn: string
  dnsName: string
  defaultRule: Rule
}
const base = fixtureJson<BaseFixture>('preview/base.json')
const OUR_TAGS = previewTags('demo', 'web', '42')
const elbTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))

function rule(priority: number, values: string[], tags: Tag[] = [], field = 'host-header'): TaggedRule {
  return {
    rule: {
      RuleArn: `${base.listenerArn.replace(':listener/', ':listener-rule/')}/r${priority}`,
      Priority: String(priority),
      IsDefault: false,
      Conditions:
        field === 'host-header'
          ? [{ Field: field, HostHeaderConfig: { Values: values } }]
          : [{ Field: field, PathPatternConfig: { Values: values } }]
    },
    tags
  }
}

function input(overrides: Partial<PreviewPlanInput> = {}): PreviewPlanInput {
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

describe('target group names', () => {
  const long = 'a-very-long-service-name-for-the-billing-api'
  test.each([
    ['demo', 'web', '42'],
    ['demo', long, '42'],
    ['demo', long, '12345678901234567890'],
    ['demo', 'web_api.v2', '7'],
    ['demo', '-web-', 'abc-def'],
    [
      'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
      '1'
    ]
  ])('%s/%s #%s fits ELB: ≤32 chars, alphanumerics and hyphens, no hyphen at either end', (c, s, id) => {
    const name = previewTargetGroupName(c, s, id)
    expect(name.length).toBeLessThanOrEqual(32)
    expect(name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/)
    expect(previewTargetGroupName(c, s, id)).toBe(name)
  })

  test('keeps the service and id readable when they fit', () => {
    expect(previewTargetGroupName('demo', 'web', '42')).toMatch(/^web-pr-42-[0-9a-f]{7}$/)
  })

  test.each([
    // Same readable prefix after truncation: only the hash tells them apart.
    [
      ['demo', long, '1000000000001'],
      ['demo', long, '1000000000002']
    ],
    [
      ['demo', 'web', '42'],
      ['staging', 'web', '42']
    ],
    [
      ['demo', 'web', '42'],
      ['demo', 'api', '42']
    ],
    [
      ['demo', 'web', '42'],
      ['demo', 'web', '43']
    ]
  ])('%j and %j get different names', (a, b) => {
    expect(previewTargetGroupName(a[0]!, a[1]!, a[2]!)).not.toBe(previewTargetGroupName(b[0]!, b[1]!, b[2]!))
  })
})

describe('priority', () => {
  test.each([
    ['42', new Set<number>(), PRIORITY_MIN + 42],
    ['42', new Set([PRIORITY_MIN + 42]), PRIORITY_MIN + 43],
    ['42', new Set([PRIORITY_MIN + 42, PRIORITY_MIN + 43, PRIORITY_MIN + 44]), PRIORITY_MIN + 45],
    // Wraps inside the preview range instead of running past 50000.
    [String(PRIORITY_MAX - PRIORITY_MIN), new Set([PRIORITY_MAX]), PRIORITY_MIN]
  ])('id %s with %j taken → %i', (id, taken, expected) => {
    expect(choosePriority(id, taken)).toBe(expected)
  })

  test('a non-numeric id hashes into the preview range, the same every time', () => {
    const p = preferredPriority('feature-login')
    expect(p).toBeGreaterThanOrEqual(PRIORITY_MIN)
    expect(p).toBeLessThanOrEqual(PRIORITY_MAX)
    expect(preferredPriority('feature-login')).toBe(p)
  })

  test('the plan probes past a priority held by another rule', () => {
    const plan = planPreview(input({ rules: [rule(PRIORITY_MIN + 42, ['other.example.com'])] }))
    expect(plan.rule).toEqual({ action: 'create', priority: PRIORITY_MIN + 43 })
  })

  test('our own rule is reused with its priority, even when it is not the preferred one', () => {
    const ours = rule(PRIORITY_MIN + 77, ['pr-42.preview.example.com'], elbTags({ ...OUR_TAGS }))
    const plan = planPreview(input({ rules: [{ rule: base.defaultRule, tags: [] }, ours] }))
    expect(plan.rule).toEqual({ action: 'modify', ruleArn: ours.rule.RuleArn, priority: PRIORITY_MIN + 77 })
  })

  test('two rules of ours (two runs at once): the lowest priority is kept, the other deleted, no clash', () => {
    const first = rule(PRIORITY_MIN + 42, ['pr-42.preview.example.com'], elbTags({ ...OUR_TAGS }))
    const second = rule(PRIORITY_MIN + 43, ['pr-42.preview.example.com'], elbTags({ ...OUR_TAGS }))
    // Listed in either order, the same rule is kept, so two runs never delete each other's keeper.
    for (const rules of [
      [second, first],
      [first, second]
    ]) {
      const plan = planPreview(input({ rules: [{ rule: base.defaultRule, tags: [] }, ...rules] }))
      expect(plan.rule).toEqual({
        action: 'modify',
        ruleArn: first.rule.RuleArn,
        priority: PRIORITY_MIN + 42
      })
      expect(plan.duplicateRules).toEqual([{ arn: second.rule.RuleArn, priority: PRIORITY_MIN + 43 }])
      expect(describePreviewPlan(plan)).toContain(
        `listener rule: delete 1 duplicate(s) that runs at the same time left (priority ${PRIORITY_MIN + 43})`
      )
    }
  })

  test('one rule of ours: nothing to delete', () => {
    const ours = rule(PRIORITY_MIN + 42, ['pr-42.preview.example.com'], elbTags({ ...OUR_TAGS }))
    expect(planPreview(input({ rules: [ours] })).duplicateRules).toEqual([])
  })

  test('a rule of another preview of the same service is not ours', () => {
    const other = rule(
      PRIORITY_MIN + 42,
      ['pr-43.preview.example.com'],
      elbTags({ ...previewTags('demo', 'web', '43') })
    )
    expect(planPreview(input({ rules: [other] })).rule).toEqual({
      action: 'create',
      priority: PRIORITY_MIN + 43
    })
  })
})

describe('routes and URLs', () => {
  test.each([
    [
      { host: 'pr-{id}.preview.example.com' },
      [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-42.preview.example.com'] } }],
      'https://pr-42.preview.example.com'
    ],
    [
      { host: 'PR-{id}.Preview.Example.com' },
      [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-42.preview.example.com'] } }],
      'https://pr-42.preview.example.com'
    ],
    [
      { path: '/pr-{id}' },
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/pr-42', '/pr-42/*'] } }],
      `http://${base.dnsName}/pr-42/`
    ],
    [
      { path: '/previews/{id}/' },
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/previews/42', '/previews/42/*'] } }],
      `http://${base.dnsName}/previews/42/`
    ]
  ])('%j → conditions and URL', (route, conditions, url) => {
    const plan = planPreview(input({ preview: { id: '42', listenerArn: base.listenerArn, ...route } }))
    expect(plan.conditions).toEqual(conditions)
    expect(plan.url).toBe(url)
  })
})

describe('the clone', () => {
  const plan = planPreview(input())

  test('service: named <service>-pr-<id>, one task, network and deployment settings of the base', () => {
    expect(plan.serviceName).toBe('web-pr-42')
    expect(plan.service).toEqual({
      cluster: 'demo',
      serviceName: 'web-pr-42',
      desiredCount: 1,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: base.service.networkConfiguration,
      // The base's alarms are dropped: they watch the base, not the preview.
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: false }
      },
      healthCheckGracePeriodSeconds: 30,
      enableECSManagedTags: true,
      propagateTags: 'SERVICE',
      tags: [
        { key: 'app', value: 'web' },
        { key: 'ecs-ship:preview-id', value: '42' },
        { key: 'ecs-ship:base-service', value: 'web' },
        { key: 'ecs-ship:cluster', value: 'demo' },
        { key: 'ecs-ship:managed-by', value: 'ecs-ship' }
      ]
    })
    expect(plan.container).toEqual({ name: 'web', port: 8000 })
    expect(plan.serviceExists).toBe(false)
  })

  test('the tasks carry the preview tags even when the base does not propagate its own', () => {
    const bare = planPreview(
      input({ baseService: { ...base.service, enableECSManagedTags: false, propagateTags: 'NONE' } })
    )
    expect(bare.service).toMatchObject({ enableECSManagedTags: true, propagateTags: 'SERVICE' })
  })

  test('EC2 placement rules travel with the clone', () => {
    const placed = planPreview(
      input({
        baseService: {
          ...base.service,
          launchType: 'EC2',
          placementConstraints: [{ type: 'distinctInstance' }],
          placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }]
        }
      })
    )
    expect(placed.service).toMatchObject({
      launchType: 'EC2',
      placementConstraints: [{ type: 'distinctInstance' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }]
    })
  })

  test('capacity providers replace the launch type', () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]
    const spot = planPreview(
      input({ baseService: { ...base.service, launchType: undefined, capacityProviderStrategy: strategy } })
    )
    expect(spot.service.capacityProviderStrategy).toEqual(strategy)
    expect(spot.service).not.toHaveProperty('launchType')
  })

  test('target group: health check of the base, our tags, deregistration delay', () => {
    expect(plan.targetGroup).toEqual({
      Name: previewTargetGroupName('demo', 'web', '42'),
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 8000,
      VpcId: 'vpc-0a1b2c3d',
      TargetType: 'ip',
      IpAddressType: 'ipv4',
      HealthCheckEnabled: true,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/health/',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' },
      Tags: elbTags({ ...OUR_TAGS })
    })
    expect(plan.deregistrationDelaySeconds).toBe('30')
  })

  test('our existing target group and service are reused', () => {
    const again = planPreview(
      input({
        existingTargetGroup: {
          targetGroup: { TargetGroupArn: 'arn:tg/ours', TargetGroupName: plan.targetGroup.Name },
          tags: elbTags({ ...OUR_TAGS, extra: 'x' })
        },
        existingService: {
          serviceName: 'web-pr-42',
          status: 'ACTIVE',
          tags: Object.entries(OUR_TAGS).map(([key, value]) => ({ key, value }))
        }
      })
    )
    expect(again.existingTargetGroupArn).toBe('arn:tg/ours')
    expect(again.serviceExists).toBe(true)
  })

  test('an INACTIVE service of the same name (a destroyed preview) is created again', () => {
    expect(
      planPreview(input({ existingService: { serviceName: 'web-pr-42', status: 'INACTIVE' } })).serviceExists
    ).toBe(false)
  })
})

describe('validation errors name the input', () => {
  const preview = (p: PreviewPlanInput['preview']) => input({ preview: p })
  const L = base.listenerArn
  const hundred = Array.from({ length: 100 }, (_, i) => rule(100 + i, [`app${i}.example.com`]))
  test.each<[string, PreviewPlanInput, string]>([
    ['missing listener-arn', preview({ id: '42', host: 'pr-{id}.x.com' }), 'input listener-arn'],
    ['neither host nor path', preview({ id: '42', listenerArn: L }), 'input preview-host'],
    [
      'both host and path',
      preview({ id: '42', listenerArn: L, host: 'pr-{id}.x.com', path: '/pr-{id}' }),
      'input preview-host'
    ],
    ['missing preview-id', preview({ listenerArn: L, host: 'pr-{id}.x.com' }), 'input preview-id'],
    [
      'preview-id with a slash',
      preview({ id: 'feat/x', listenerArn: L, host: 'pr-{id}.x.com' }),
      'input preview-id'
    ],
    ['host without {id}', preview({ id: '42', listenerArn: L, host: 'preview.x.com' }), 'input preview-host'],
    ['host with a space', preview({ id: '42', listenerArn: L, host: 'pr {id}.x.com' }), 'input preview-host'],
    ['host with a *', preview({ id: '42', listenerArn: L, host: '*.pr-{id}.x.com' }), 'no * or ?'],
    ['host with a ?', preview({ id: '42', listenerArn: L, host: 'pr-{id}?.x.com' }), 'no * or ?'],
    ['host ending in *', preview({ id: '42', listenerArn: L, host: 'pr-{id}.x.*' }), 'input preview-host'],
    ['preview-id ../x', preview({ id: '../x', listenerArn: L, host: 'pr-{id}.x.com' }), 'input preview-id'],
    [
      'preview-id with a space',
      preview({ id: '4 2', listenerArn: L, host: 'pr-{id}.x.com' }),
      'input preview-id'
    ],
    ['path without /', preview({ id: '42', listenerArn: L, path: 'pr-{id}' }), 'input preview-path'],
    ['path with a wildcard', preview({ id: '42', listenerArn: L, path: '/pr-{id}*' }), 'input preview-path'],
    [
      'rule quota reached',
      input({ rules: hundred }),
      'input listener-arn: the listener already has 100 rules'
    ],
    [
      'target group name taken by someone else',
      input({
        existingTargetGroup: {
          targetGroup: {
            TargetGroupArn: 'arn:tg/theirs',
            TargetGroupName: previewTargetGroupName('demo', 'web', '42')
          },
          tags: elbTags({ team: 'data' })
        }
      }),
      'input preview-id: target group'
    ],
    [
      'service name taken by a service not tagged ours',
      input({ existingService: { serviceName: 'web-pr-42', status: 'ACTIVE', tags: [] } }),
      'input preview-id: service web-pr-42 already exists'
    ],
    [
      'host already routed by another rule',
      input({ rules: [rule(5, ['pr-42.preview.example.com'])] }),
      'input preview-host: rule'
    ],
    [
      'path already routed by another rule',
      input({
        preview: { id: '42', listenerArn: L, path: '/pr-{id}' },
        rules: [rule(5, ['/pr-42/*', '/pr-42'], [], 'path-pattern')]
      }),
      'input preview-path: rule'
    ],
    [
      'base service missing',
      input({ baseService: undefined }),
      'input service: web does not exist in cluster demo'
    ],
    [
      'base service deleted',
      input({ baseService: { ...base.service, status: 'INACTIVE' } }),
      'input service: web does not exist in cluster demo'
    ],
    [
      'base service draining',
      input({ baseService: { ...base.service, status: 'DRAINING' } }),
      'input service: web is DRAINING'
    ],
    [
      'base service without a container binding',
      input({ baseService: { ...base.service, loadBalancers: [] } }),
      'input service'
    ]
  ])('%s', (_name, bad, message) => {
    expect(() => planPreview(bad)).toThrow(ActionError)
    expect(() => planPreview(bad)).toThrow(message)
  })

  test('the quota does not block an update of our own rule', () => {
    const ninetyNine = hundred.slice(0, 99)
    const ours = rule(PRIORITY_MIN + 42, ['pr-42.preview.example.com'], elbTags({ ...OUR_TAGS }))
    expect(planPreview(input({ rules: [...ninetyNine, ours] })).rule.action).toBe('modify')
  })
})

describe('a catch-all rule in front of the preview', () => {
  it('refuses a listener whose earlier rule matches every request, naming listener-arn', () => {
    const catchAll = rule(1, ['/*'], [], 'path-pattern')
    expect(() => planPreview(input({ rules: [{ rule: base.defaultRule, tags: [] }, catchAll] }))).toThrow(
      /input listener-arn: rule .*\/r1 \(priority 1\) matches every request before the preview's rule \(priority \d+\)/
    )
  })

  it('lets a specific path rule, or a catch-all after the preview, be', () => {
    const specific = rule(1, ['/api/*'], [], 'path-pattern')
    const late = rule(49999 + 1, ['/*'], [], 'path-pattern')
    expect(() =>
      planPreview(input({ rules: [{ rule: base.defaultRule, tags: [] }, specific, late] }))
    ).not.toThrow()
  })
})
