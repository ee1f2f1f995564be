// Elastic Load Balancing v2 operations (awsQuery). Parameters arrive as strings from the form
// body (QueryInput of the SDK's input shapes), so numbers are converted here; answers use the
// SDK's output shapes.
import type * as L from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Handlers, QueryInput, QueryShapes } from './handlers.js'
import { hexId, type SimState, type SimTargetGroup } from '../world/model.js'
import { AwsError } from '../world/aws-error.js'

/** The ELBv2 operations the simulator answers, with the SDK's shapes. */
export type ElbOperations = QueryShapes<{
  DescribeTargetHealth: [L.DescribeTargetHealthInput, L.DescribeTargetHealthOutput]
  DescribeTargetGroups: [L.DescribeTargetGroupsInput, L.DescribeTargetGroupsOutput]
  CreateTargetGroup: [L.CreateTargetGroupInput, L.CreateTargetGroupOutput]
  DeleteTargetGroup: [L.DeleteTargetGroupInput, L.DeleteTargetGroupOutput]
  ModifyTargetGroup: [L.ModifyTargetGroupInput, L.ModifyTargetGroupOutput]
  DescribeTargetGroupAttributes: [L.DescribeTargetGroupAttributesInput, L.DescribeTargetGroupAttributesOutput]
  ModifyTargetGroupAttributes: [L.ModifyTargetGroupAttributesInput, L.ModifyTargetGroupAttributesOutput]
  RegisterTargets: [L.RegisterTargetsInput, L.RegisterTargetsOutput]
  DeregisterTargets: [L.DeregisterTargetsInput, L.DeregisterTargetsOutput]
  DescribeLoadBalancers: [L.DescribeLoadBalancersInput, L.DescribeLoadBalancersOutput]
  DescribeListeners: [L.DescribeListenersInput, L.DescribeListenersOutput]
  DescribeRules: [L.DescribeRulesInput, L.DescribeRulesOutput]
  CreateRule: [L.CreateRuleInput, L.CreateRuleOutput]
  ModifyRule: [L.ModifyRuleInput, L.ModifyRuleOutput]
  DeleteRule: [L.DeleteRuleInput, L.DeleteRuleOutput]
  DescribeTags: [L.DescribeTagsInput, L.DescribeTagsOutput]
  AddTags: [L.AddTagsInput, L.AddTagsOutput]
  RemoveTags: [L.RemoveTagsInput, L.RemoveTagsOutput]
}>

type In<K extends keyof ElbOperations> = ElbOperations[K][0]

const list = <T>(v: readonly T[] | undefined): readonly T[] => v ?? []
const num = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : Number(v))

const elbArn = (state: SimState, resource: string) =>
  `arn:aws:elasticloadbalancing:${state.region}:${state.accountId}:${resource}`

function targetGroup(state: SimState, arn: unknown): SimTargetGroup {
  const tg = state.targetGroups.find(t => t.group.TargetGroupArn === arn)
  if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '${String(arn)}' not found`)
  return tg
}

function describeTargetHealth(
  state: SimState,
  params: In<'DescribeTargetHealth'>
): L.DescribeTargetHealthOutput {
  const tg = targetGroup(state, params.TargetGroupArn)
  const wanted = list(params.Targets)
  const targets = wanted.length
    ? wanted.map(
        w =>
          tg.targets.find(t => t.id === w.Id && (w.Port === undefined || t.port === Number(w.Port))) ?? {
            id: w.Id ?? '',
            port: Number(w.Port ?? 0),
            state: 'unused' as const,
            reason: 'Target.NotRegistered' as const,
            description: 'Target is not registered to the target group'
          }
      )
    : tg.targets
  return {
    TargetHealthDescriptions: targets.map(t => ({
      Target: { Id: t.id, Port: t.port },
      HealthCheckPort: String(t.port),
      TargetHealth: { State: t.state, Reason: t.reason, Description: t.description }
    }))
  }
}

function describeTargetGroups(
  state: SimState,
  params: In<'DescribeTargetGroups'>
): L.DescribeTargetGroupsOutput {
  const arns = list(params.TargetGroupArns)
  const names = list(params.Names)
  let groups = state.targetGroups
  if (arns.length) {
    groups = arns.map(a => targetGroup(state, a))
  } else if (names.length) {
    groups = names.map(n => {
      const tg = state.targetGroups.find(t => t.group.TargetGroupName === n)
      if (!tg) throw new AwsError('TargetGroupNotFound', `One or more target groups not found`)
      return tg
    })
  } else if (params.LoadBalancerArn) {
    const lb = params.LoadBalancerArn
    groups = groups.filter(t => t.group.LoadBalancerArns?.includes(lb))
  }
  return { TargetGroups: groups.map(g => g.group) }
}

function createTargetGroup(state: SimState, params: In<'CreateTargetGroup'>): L.CreateTargetGroupOutput {
  const name = params.Name ?? ''
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name))
    throw new AwsError(
      'ValidationError',
      `Target group name '${name}' can have a maximum of 32 characters, only alphanumeric characters and hyphens, and must not begin or end with a hyphen`
    )
  const existing = state.targetGroups.find(t => t.group.TargetGroupName === name)
  if (existing) {
    // CreateTargetGroup is idempotent for identical settings; different settings clash.
    if (existing.group.Port !== num(params.Port) || existing.group.Protocol !== params.Protocol)
      throw new AwsError(
        'DuplicateTargetGroupName',
        'A target group with the same name exists, but with different settings'
      )
    return { TargetGroups: [existing.group] }
  }
  const arn = elbArn(state, `targetgroup/${name}/${hexId(state, 16)}`)
  const tg: SimTargetGroup = {
    group: {
      TargetGroupArn: arn,
      TargetGroupName: name,
      Protocol: params.Protocol ?? 'HTTP',
      Port: num(params.Port),
      VpcId: params.VpcId,
      HealthCheckProtocol: params.HealthCheckProtocol ?? 'HTTP',
      HealthCheckPort: params.HealthCheckPort ?? 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: num(params.HealthCheckIntervalSeconds) ?? 30,
      HealthCheckTimeoutSeconds: num(params.HealthCheckTimeoutSeconds) ?? 5,
      HealthyThresholdCount: num(params.HealthyThresholdCount) ?? 5,
      UnhealthyThresholdCount: num(params.UnhealthyThresholdCount) ?? 2,
      HealthCheckPath: params.HealthCheckPath ?? '/',
      Matcher: { HttpCode: params.Matcher?.HttpCode ?? '200' },
      LoadBalancerArns: [],
      TargetType: params.TargetType ?? 'instance',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4'
    },
    attributes: { 'deregistration_delay.timeout_seconds': '300' },
    tags: tagsOf(params.Tags),
    targets: []
  }
  state.targetGroups.push(tg)
  return { TargetGroups: [tg.group] }
}

function rulesOf(state: SimState, listenerArn: string) {
  return state.rules.filter(r => r.listenerArn === listenerArn)
}

/** Tags as the SDK shapes them (Key is required there; a form without one gives an empty key). */
function tagsOf(tags: readonly QueryInput<L.Tag>[] | undefined): L.Tag[] {
  return list(tags).map(t => ({ Key: t.Key ?? '', Value: t.Value }))
}

function parseConditions(conditions: readonly QueryInput<L.RuleCondition>[] | undefined): L.RuleCondition[] {
  return list(conditions).map(c => ({
    Field: c.Field,
    HostHeaderConfig: c.HostHeaderConfig ? { Values: [...list(c.HostHeaderConfig.Values)] } : undefined,
    PathPatternConfig: c.PathPatternConfig ? { Values: [...list(c.PathPatternConfig.Values)] } : undefined,
    Values: c.Values ? [...c.Values] : undefined
  }))
}

function parseActions(actions: readonly QueryInput<L.Action>[] | undefined): L.Action[] {
  return list(actions).map((a, i) => ({
    Type: a.Type ?? 'forward',
    TargetGroupArn: a.TargetGroupArn,
    Order: num(a.Order) ?? i + 1,
    ForwardConfig: a.ForwardConfig
      ? {
          TargetGroups: list(a.ForwardConfig.TargetGroups).map(t => ({
            TargetGroupArn: t.TargetGroupArn,
            Weight: num(t.Weight)
          }))
        }
      : undefined
  }))
}

function usedTargetGroups(actions: L.Action[]): string[] {
  return actions
    .flatMap(a => [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map(t => t.TargetGroupArn)])
    .filter((x): x is string => !!x)
}

function linkTargetGroups(state: SimState, listenerArn: string, actions: L.Action[]): void {
  const listener = state.listeners.find(l => l.ListenerArn === listenerArn)
  for (const arn of usedTargetGroups(actions)) {
    const tg = targetGroup(state, arn)
    if (listener?.LoadBalancerArn && !tg.group.LoadBalancerArns?.includes(listener.LoadBalancerArn))
      tg.group.LoadBalancerArns = [...(tg.group.LoadBalancerArns ?? []), listener.LoadBalancerArn]
  }
}

function createRule(state: SimState, params: In<'CreateRule'>): L.CreateRuleOutput {
  const listenerArn = params.ListenerArn ?? ''
  if (!state.listeners.some(l => l.ListenerArn === listenerArn))
    throw new AwsError('ListenerNotFound', 'One or more listeners not found')
  const priority = num(params.Priority)
  if (priority === undefined || priority < 1 || priority > 50000)
    throw new AwsError('ValidationError', 'Priority must be between 1 and 50000')
  if (rulesOf(state, listenerArn).some(r => r.rule.Priority === String(priority)))
    throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`)
  // Quota: 100 rules per Application Load Balancer listener, not counting the default rule.
  if (rulesOf(state, listenerArn).filter(r => !r.rule.IsDefault).length >= 100)
    throw new AwsError('TooManyRules', 'You have reached the maximum number of rules per listener')
  const actions = parseActions(params.Actions)
  linkTargetGroups(state, listenerArn, actions)
  const rule: L.Rule = {
    RuleArn: listenerArn.replace(':listener/', ':listener-rule/') + '/' + hexId(state, 16),
    Priority: String(priority),
    Conditions: parseConditions(params.Conditions),
    Actions: actions,
    IsDefault: false
  }
  state.rules.push({ rule, listenerArn, tags: tagsOf(params.Tags) })
  return { Rules: [rule] }
}

function findTaggable(state: SimState, arn: string): { tags: L.Tag[] } {
  const tg = state.targetGroups.find(t => t.group.TargetGroupArn === arn)
  if (tg) return tg
  const rule = state.rules.find(r => r.rule.RuleArn === arn)
  if (rule) return rule
  const lb = state.loadBalancers.find(l => l.LoadBalancerArn === arn) as unknown as
    { tags?: L.Tag[] } | undefined
  if (lb) return { tags: (lb.tags ??= []) }
  const listener = state.listeners.find(l => l.ListenerArn === arn) as unknown as
    { tags?: L.Tag[] } | undefined
  if (listener) return { tags: (listener.tags ??= []) }
  throw new AwsError(
    arn.includes(':targetgroup/')
      ? 'TargetGroupNotFound'
      : arn.includes('listener-rule/')
        ? 'RuleNotFound'
        : 'LoadBalancerNotFound',
    `Resource '${arn}' not found`
  )
}

const publicLoadBalancer = (lb: L.LoadBalancer): L.LoadBalancer => {
  const { tags: _tags, ...rest } = lb as L.LoadBalancer & { tags?: unknown }
  return rest
}

export const elbHandlers: Handlers<ElbOperations> = {
  DescribeTargetHealth: describeTargetHealth,
  DescribeTargetGroups: describeTargetGroups,
  CreateTargetGroup: createTargetGroup,
  DeleteTargetGroup: (state, params) => {
    const tg = state.targetGroups.find(t => t.group.TargetGroupArn === params.TargetGroupArn)
    if (!tg) return {}
    const inUse = state.rules.some(r =>
      usedTargetGroups(r.rule.Actions ?? []).includes(tg.group.TargetGroupArn ?? '')
    )
    const byService = [...state.services.values()].some(
      s =>
        s.service.status === 'ACTIVE' &&
        s.service.loadBalancers?.some(l => l.targetGroupArn === tg.group.TargetGroupArn)
    )
    if (inUse || byService)
      throw new AwsError(
        'ResourceInUse',
        `Target group '${tg.group.TargetGroupArn}' is currently in use by a listener or a rule`
      )
    state.targetGroups = state.targetGroups.filter(t => t !== tg)
    return {}
  },
  ModifyTargetGroup: (state, params) => {
    const tg = targetGroup(state, params.TargetGroupArn)
    const g = tg.group
    if (params.HealthCheckIntervalSeconds)
      g.HealthCheckIntervalSeconds = num(params.HealthCheckIntervalSeconds)
    if (params.HealthyThresholdCount) g.HealthyThresholdCount = num(params.HealthyThresholdCount)
    if (params.UnhealthyThresholdCount) g.UnhealthyThresholdCount = num(params.UnhealthyThresholdCount)
    if (params.HealthCheckPath) g.HealthCheckPath = params.HealthCheckPath
    if (params.HealthCheckTimeoutSeconds) g.HealthCheckTimeoutSeconds = num(params.HealthCheckTimeoutSeconds)
    return { TargetGroups: [g] }
  },
  DescribeTargetGroupAttributes: (state, params) => ({
    Attributes: Object.entries(targetGroup(state, params.TargetGroupArn).attributes).map(([Key, Value]) => ({
      Key,
      Value
    }))
  }),
  ModifyTargetGroupAttributes: (state, params) => {
    const tg = targetGroup(state, params.TargetGroupArn)
    for (const a of list(params.Attributes)) if (a.Key) tg.attributes[a.Key] = a.Value ?? ''
    return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) }
  },
  RegisterTargets: (state, params, now) => {
    const tg = targetGroup(state, params.TargetGroupArn)
    for (const t of list(params.Targets)) {
      tg.targets.push({
        id: t.Id ?? '',
        port: num(t.Port) ?? tg.group.Port ?? 80,
        state: 'initial',
        reason: 'Elb.InitialHealthChecking',
        since: now,
        passes: true
      })
    }
    return {}
  },
  DeregisterTargets: (state, params, now) => {
    const tg = targetGroup(state, params.TargetGroupArn)
    for (const t of list(params.Targets)) {
      const found = tg.targets.find(x => x.id === t.Id)
      if (found)
        Object.assign(found, { state: 'draining', reason: 'Target.DeregistrationInProgress', since: now })
    }
    return {}
  },
  DescribeLoadBalancers: (state, params) => {
    const arns = list(params.LoadBalancerArns)
    const names = list(params.Names)
    const found = state.loadBalancers.filter(
      l =>
        (!arns.length || arns.includes(l.LoadBalancerArn ?? '')) &&
        (!names.length || names.includes(l.LoadBalancerName ?? ''))
    )
    if ((arns.length || names.length) && found.length === 0)
      throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found')
    return { LoadBalancers: found.map(publicLoadBalancer) }
  },
  DescribeListeners: (state, params) => {
    const arns = list(params.ListenerArns)
    const found = state.listeners.filter(
      l =>
        (!arns.length || arns.includes(l.ListenerArn ?? '')) &&
        (!params.LoadBalancerArn || l.LoadBalancerArn === params.LoadBalancerArn)
    )
    if (arns.length && found.length === 0)
      throw new AwsError('ListenerNotFound', 'One or more listeners not found')
    return { Listeners: found.map(l => publicLoadBalancer(l as L.LoadBalancer) as L.Listener) }
  },
  DescribeRules: (state, params) => {
    const arns = list(params.RuleArns)
    if (params.ListenerArn && !state.listeners.some(l => l.ListenerArn === params.ListenerArn))
      throw new AwsError('ListenerNotFound', 'One or more listeners not found')
    const found = state.rules.filter(
      r =>
        (!arns.length || arns.includes(r.rule.RuleArn ?? '')) &&
        (!params.ListenerArn || r.listenerArn === params.ListenerArn)
    )
    if (arns.length && found.length !== arns.length)
      throw new AwsError('RuleNotFound', 'One or more rules not found')
    return { Rules: found.map(r => r.rule) }
  },
  CreateRule: createRule,
  ModifyRule: (state, params) => {
    const found = state.rules.find(r => r.rule.RuleArn === params.RuleArn)
    if (!found) throw new AwsError('RuleNotFound', 'One or more rules not found')
    if (params.Conditions) found.rule.Conditions = parseConditions(params.Conditions)
    if (params.Actions) {
      found.rule.Actions = parseActions(params.Actions)
      linkTargetGroups(state, found.listenerArn, found.rule.Actions)
    }
    return { Rules: [found.rule] }
  },
  DeleteRule: (state, params) => {
    const found = state.rules.find(r => r.rule.RuleArn === params.RuleArn)
    if (!found) throw new AwsError('RuleNotFound', 'One or more rules not found')
    if (found.rule.IsDefault) throw new AwsError('OperationNotPermitted', 'Default rule cannot be deleted')
    state.rules = state.rules.filter(r => r !== found)
    return {}
  },
  DescribeTags: (state, params) => ({
    TagDescriptions: list(params.ResourceArns).map(arn => ({
      ResourceArn: arn,
      Tags: findTaggable(state, arn).tags
    }))
  }),
  AddTags: (state, params) => {
    const tags = tagsOf(params.Tags)
    for (const arn of list(params.ResourceArns)) {
      const target = findTaggable(state, arn)
      for (const tag of tags) {
        const i = target.tags.findIndex(t => t.Key === tag.Key)
        if (i >= 0) target.tags[i] = tag
        else target.tags.push(tag)
      }
    }
    return {}
  },
  RemoveTags: (state, params) => {
    const keys = list(params.TagKeys)
    for (const arn of list(params.ResourceArns)) {
      const target = findTaggable(state, arn)
      target.tags.splice(0, target.tags.length, ...target.tags.filter(t => !keys.includes(t.Key ?? '')))
    }
    return {}
  }
}

export const ELB_MUTATING: ReadonlySet<keyof ElbOperations> = new Set<keyof ElbOperations>([
  'CreateTargetGroup',
  'DeleteTargetGroup',
  'ModifyTargetGroup',
  'ModifyTargetGroupAttributes',
  'RegisterTargets',
  'DeregisterTargets',
  'CreateRule',
  'ModifyRule',
  'DeleteRule',
  'AddTags',
  'RemoveTags'
])
