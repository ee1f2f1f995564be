// Elastic Load Balancing v2 operations (awsQuery). Parameters arrive as strings from the form
// body, so numbers are converted here; answers use the SDK's output types.
import type * as L from '@aws-sdk/client-elastic-load-balancing-v2'
import { hexId, type SimState, type SimTargetGroup } from './model.js'
import { AwsError } from './protocol.js'

type Params = Record<string, unknown>
type Handler = (state: SimState, params: Params, now: number) => unknown

const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : [])
const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v))
const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v))

const elbArn = (state: SimState, resource: string) =>
  `arn:aws:elasticloadbalancing:${state.region}:${state.accountId}:${resource}`

function targetGroup(state: SimState, arn: unknown): SimTargetGroup {
  const tg = state.targetGroups.find(t => t.group.TargetGroupArn === arn)
  if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '${String(arn)}' not found`)
  return tg
}

function describeTargetHealth(state: SimState, params: Params): L.DescribeTargetHealthOutput {
  const tg = targetGroup(state, params.TargetGroupArn)
  const wanted = list<{ Id: string; Port?: string }>(params.Targets)
  const targets = wanted.length
    ? wanted.map(
        w =>
          tg.targets.find(t => t.id === w.Id && (w.Port === undefined || t.port === Number(w.Port))) ?? {
            id: w.Id,
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

function describeTargetGroups(state: SimState, params: Params): L.DescribeTargetGroupsOutput {
  const arns = list<string>(params.TargetGroupArns)
  const names = list<string>(params.Names)
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
    groups = groups.filter(t => t.group.LoadBalancerArns?.includes(String(params.LoadBalancerArn)))
  }
  return { TargetGroups: groups.map(g => g.group) }
}

function createTargetGroup(state: SimState, params: Params): L.CreateTargetGroupOutput {
  const name = str(params.Name) ?? ''
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
      Protocol: (str(params.Protocol) ?? 'HTTP') as L.ProtocolEnum,
      Port: num(params.Port),
      VpcId: str(params.VpcId),
      HealthCheckProtocol: (str(params.HealthCheckProtocol) ?? 'HTTP') as L.ProtocolEnum,
      HealthCheckPort: str(params.HealthCheckPort) ?? 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: num(params.HealthCheckIntervalSeconds) ?? 30,
      HealthCheckTimeoutSeconds: num(params.HealthCheckTimeoutSeconds) ?? 5,
      HealthyThresholdCount: num(params.HealthyThresholdCount) ?? 5,
      UnhealthyThresholdCount: num(params.UnhealthyThresholdCount) ?? 2,
      HealthCheckPath: str(params.HealthCheckPath) ?? '/',
      Matcher: { HttpCode: str((params.Matcher as Params | undefined)?.HttpCode) ?? '200' },
      LoadBalancerArns: [],
      TargetType: (str(params.TargetType) ?? 'instance') as L.TargetTypeEnum,
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4'
    },
    attributes: { 'deregistration_delay.timeout_seconds': '300' },
    tags: list<L.Tag>(params.Tags),
    targets: []
  }
  state.targetGroups.push(tg)
  return { TargetGroups: [tg.group] }
}

function rulesOf(state: SimState, listenerArn: string) {
  return state.rules.filter(r => r.listenerArn === listenerArn)
}

function parseConditions(params: Params): L.RuleCondition[] {
  return list<Params>(params.Conditions).map(c => ({
    Field: str(c.Field),
    HostHeaderConfig: c.HostHeaderConfig
      ? { Values: list<string>((c.HostHeaderConfig as Params).Values) }
      : undefined,
    PathPatternConfig: c.PathPatternConfig
      ? { Values: list<string>((c.PathPatternConfig as Params).Values) }
      : undefined,
    Values: c.Values ? list<string>(c.Values) : undefined
  }))
}

function parseActions(params: Params): L.Action[] {
  return list<Params>(params.Actions).map((a, i) => ({
    Type: str(a.Type) as L.ActionTypeEnum,
    TargetGroupArn: str(a.TargetGroupArn),
    Order: num(a.Order) ?? i + 1,
    ForwardConfig: a.ForwardConfig
      ? {
          TargetGroups: list<Params>((a.ForwardConfig as Params).TargetGroups).map(t => ({
            TargetGroupArn: str(t.TargetGroupArn),
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

function createRule(state: SimState, params: Params): L.CreateRuleOutput {
  const listenerArn = str(params.ListenerArn) ?? ''
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
  const actions = parseActions(params)
  linkTargetGroups(state, listenerArn, actions)
  const rule: L.Rule = {
    RuleArn: listenerArn.replace(':listener/', ':listener-rule/') + '/' + hexId(state, 16),
    Priority: String(priority),
    Conditions: parseConditions(params),
    Actions: actions,
    IsDefault: false
  }
  state.rules.push({ rule, listenerArn, tags: list<L.Tag>(params.Tags) })
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

export const elbHandlers: Record<string, Handler> = {
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
    if (params.HealthCheckPath) g.HealthCheckPath = str(params.HealthCheckPath)
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
    for (const a of list<Params>(params.Attributes)) tg.attributes[String(a.Key)] = String(a.Value)
    return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) }
  },
  RegisterTargets: (state, params, now) => {
    const tg = targetGroup(state, params.TargetGroupArn)
    for (const t of list<Params>(params.Targets)) {
      tg.targets.push({
        id: String(t.Id),
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
    for (const t of list<Params>(params.Targets)) {
      const found = tg.targets.find(x => x.id === t.Id)
      if (found)
        Object.assign(found, { state: 'draining', reason: 'Target.DeregistrationInProgress', since: now })
    }
    return {}
  },
  DescribeLoadBalancers: (state, params) => {
    const arns = list<string>(params.LoadBalancerArns)
    const names = list<string>(params.Names)
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
    const arns = list<string>(params.ListenerArns)
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
    const arns = list<string>(params.RuleArns)
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
    if (params.Conditions) found.rule.Conditions = parseConditions(params)
    if (params.Actions) {
      found.rule.Actions = parseActions(params)
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
    TagDescriptions: list<string>(params.ResourceArns).map(arn => ({
      ResourceArn: arn,
      Tags: findTaggable(state, arn).tags
    }))
  }),
  AddTags: (state, params) => {
    const tags = list<L.Tag>(params.Tags)
    for (const arn of list<string>(params.ResourceArns)) {
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
    const keys = list<string>(params.TagKeys)
    for (const arn of list<string>(params.ResourceArns)) {
      const target = findTaggable(state, arn)
      target.tags.splice(0, target.tags.length, ...target.tags.filter(t => !keys.includes(t.Key ?? '')))
    }
    return {}
  }
}

export const ELB_MUTATING = new Set([
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
