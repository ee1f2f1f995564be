// What a preview needs, decided from what AWS already holds: data in, data out, no calls. The
// loader (load.ts) gathers the inputs; applyPreview carries the plan out.
import type { CreateServiceRequest, Service, Tag as EcsTag } from '@aws-sdk/client-ecs'
import type {
  CreateTargetGroupInput,
  Rule,
  RuleCondition,
  Tag as ElbTag,
  TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { createHash } from 'node:crypto'
import type { Inputs } from '../inputs.js'
import { ActionError } from '../errors.js'
import {
  isOurs,
  nameOf,
  previewServiceName,
  previewSettings,
  previewTags,
  previewTargetGroupName,
  type PreviewRoute,
  type PreviewTags
} from './names.js'

/** ALB's default quota of rules per listener, not counting the default rule. */
export const LISTENER_RULE_QUOTA = 100
/** Previews take priorities in [PRIORITY_MIN, PRIORITY_MAX], above the rules people write by hand. */
export const PRIORITY_MIN = 10000
export const PRIORITY_MAX = 49999

export interface TaggedRule {
  readonly rule: Rule
  readonly tags: readonly ElbTag[]
}

export interface PreviewPlanInput {
  readonly cluster: string
  /** The service input as written (name or ARN); names the base in errors when it is missing. */
  readonly service?: string
  /** The base service, described with include: ['TAGS']; undefined when ECS does not know it. */
  readonly baseService: Service | undefined
  readonly baseTargetGroup: TargetGroup
  /** The base target group's deregistration_delay.timeout_seconds, copied to the preview's. */
  readonly deregistrationDelaySeconds?: string
  /** Every rule of the listener, with its tags. */
  readonly rules: readonly TaggedRule[]
  readonly loadBalancerDnsName: string
  readonly preview: Inputs['preview']
  /** A target group that already has the preview's name, with its tags. */
  readonly existingTargetGroup?: { readonly targetGroup: TargetGroup; readonly tags: readonly ElbTag[] }
  /** A service that already has the preview's name (any status), described with its tags. */
  readonly existingService?: Service
}

export type RuleStep =
  | { readonly action: 'create'; readonly priority: number }
  | { readonly action: 'modify'; readonly ruleArn: string; readonly priority: number }

/** A listener rule by its ARN and priority, as the log names it. */
export interface RuleRef {
  readonly arn: string
  readonly priority: number
}

export interface PreviewPlan {
  readonly id: string
  readonly cluster: string
  readonly baseServiceName: string
  readonly serviceName: string
  readonly listenerArn: string
  readonly route: PreviewRoute
  readonly url: string
  readonly tags: PreviewTags
  /** CreateTargetGroup's input, health check copied from the base. */
  readonly targetGroup: CreateTargetGroupInput & { readonly Name: string }
  readonly deregistrationDelaySeconds?: string
  /** Our target group when an earlier run created it. */
  readonly existingTargetGroupArn?: string
  readonly conditions: readonly RuleCondition[]
  readonly rule: RuleStep
  /**
   * Rules tagged for this preview besides the one kept: two runs of the preview at the same time
   * each created one. They are deleted, so the preview is back to one rule.
   */
  readonly duplicateRules: readonly RuleRef[]
  /** CreateService's input without the task definition and the target group (known at apply). */
  readonly service: Omit<CreateServiceRequest, 'taskDefinition' | 'loadBalancers'>
  readonly container: { readonly name: string; readonly port: number }
  /** True when our service exists and is ACTIVE: a later push updates it. */
  readonly serviceExists: boolean
}

function fail(input: string, problem: string): never {
  throw new ActionError(`input ${input}: ${problem}`)
}

export function ruleConditions(route: PreviewRoute): RuleCondition[] {
  if (route.kind === 'host') return [{ Field: 'host-header', HostHeaderConfig: { Values: [route.host] } }]
  return [{ Field: 'path-pattern', PathPatternConfig: { Values: [route.path, `${route.path}/*`] } }]
}

export function previewUrl(route: PreviewRoute, loadBalancerDnsName: string): string {
  return route.kind === 'host' ? `https://${route.host}` : `http://${loadBalancerDnsName}${route.path}/`
}

/** Where the search for a free priority starts: the id itself when it is a number, else a hash. */
export function preferredPriority(id: string): number {
  const span = PRIORITY_MAX - PRIORITY_MIN + 1
  const key = /^\d{1,15}$/.test(id)
    ? Number(id)
    : parseInt(createHash('sha256').update(id).digest('hex').slice(0, 12), 16)
  return PRIORITY_MIN + (key % span)
}

/**
 * The first priority at or after the preferred one that no other rule holds, wrapping inside
 * the preview range. Deriving it from the id keeps it the same from run to run; probing forward
 * keeps two previews (or a hand-written rule) from colliding.
 */
export function choosePriority(id: string, taken: ReadonlySet<number>): number | undefined {
  const span = PRIORITY_MAX - PRIORITY_MIN + 1
  const start = preferredPriority(id) - PRIORITY_MIN
  for (let step = 0; step < span; step++) {
    const candidate = PRIORITY_MIN + ((start + step) % span)
    if (!taken.has(candidate)) return candidate
  }
  return undefined
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort())
}

function conditionValues(condition: RuleCondition): string[] | undefined {
  return condition.HostHeaderConfig?.Values ?? condition.PathPatternConfig?.Values ?? condition.Values
}

/** A rule not ours that already answers for the preview's host or path would hide it (or be hidden). */
function routeClash(rules: readonly TaggedRule[], wanted: readonly RuleCondition[]): Rule | undefined {
  const want = wanted[0]
  if (!want) return undefined
  return rules
    .map(r => r.rule)
    .find(rule =>
      (rule.Conditions ?? []).some(
        c => c.Field === want.Field && sameValues(conditionValues(c), conditionValues(want))
      )
    )
}

function ruleRef(rule: Rule): RuleRef | undefined {
  const priority = Number(rule.Priority)
  return rule.RuleArn && Number.isInteger(priority) ? { arn: rule.RuleArn, priority } : undefined
}

/**
 * Which of the preview's rules to keep when there are several (two runs of one preview created
 * one each): the lowest priority, the one ALB looks at first, so the choice changes nothing for
 * traffic, and every run that sees the same rules keeps the same one and never deletes the
 * rule another run keeps.
 */
export function keepOneRule(rules: readonly RuleRef[]): { keep?: RuleRef; duplicates: RuleRef[] } {
  const sorted = [...rules].sort((a, b) => a.priority - b.priority || a.arn.localeCompare(b.arn))
  const [keep, ...duplicates] = sorted
  return { ...(keep !== undefined && { keep }), duplicates }
}

/** The listener's rules tagged for this preview. */
export function ourRules(rules: readonly TaggedRule[], tags: PreviewTags): RuleRef[] {
  return rules
    .filter(r => !r.rule.IsDefault && isOurs(r.tags, tags))
    .map(r => ruleRef(r.rule))
    .filter((r): r is RuleRef => r !== undefined)
}

/** Path patterns that match every request. */
const EVERYTHING = new Set(['*', '/*'])

/**
 * A rule evaluated before `priority` that matches every request (only a catch-all path
 * condition, such as a blue/green production rule on `/*`): a preview rule after it would
 * never receive traffic.
 */
export function catchAllBefore(rules: readonly TaggedRule[], priority: number): Rule | undefined {
  return rules
    .map(r => r.rule)
    .filter(rule => !rule.IsDefault && Number(rule.Priority) < priority)
    .find(rule => {
      const conditions = rule.Conditions ?? []
      return (
        conditions.length > 0 &&
        conditions.every(
          c => c.Field === 'path-pattern' && (conditionValues(c) ?? []).some(v => EVERYTHING.has(v))
        )
      )
    })
}

const ecsTags = (tags: PreviewTags): EcsTag[] => Object.entries(tags).map(([key, value]) => ({ key, value }))

/** The base's own tags travel with the clone (cost allocation), except AWS's and ours. */
function copiedTags(base: Service, ours: PreviewTags): EcsTag[] {
  const copied = (base.tags ?? []).filter(
    t => t.key !== undefined && !t.key.startsWith('aws:') && !(t.key in ours)
  )
  return [...copied, ...ecsTags(ours)]
}

function serviceTemplate(
  input: PreviewPlanInput,
  base: Service,
  serviceName: string,
  tags: PreviewTags
): PreviewPlan['service'] {
  const deployment = base.deploymentConfiguration
  return {
    cluster: input.cluster,
    serviceName,
    desiredCount: 1,
    ...(base.capacityProviderStrategy?.length
      ? { capacityProviderStrategy: base.capacityProviderStrategy }
      : base.launchType !== undefined && { launchType: base.launchType }),
    ...(base.platformVersion !== undefined && { platformVersion: base.platformVersion }),
    ...(base.networkConfiguration !== undefined && { networkConfiguration: base.networkConfiguration }),
    // The base's alarms watch the base; a preview rolling back on them would be wrong.
    ...(deployment !== undefined && {
      deploymentConfiguration: {
        ...(deployment.maximumPercent !== undefined && { maximumPercent: deployment.maximumPercent }),
        ...(deployment.minimumHealthyPercent !== undefined && {
          minimumHealthyPercent: deployment.minimumHealthyPercent
        }),
        ...(deployment.deploymentCircuitBreaker !== undefined && {
          deploymentCircuitBreaker: deployment.deploymentCircuitBreaker
        })
      }
    }),
    ...(base.healthCheckGracePeriodSeconds !== undefined && {
      healthCheckGracePeriodSeconds: base.healthCheckGracePeriodSeconds
    }),
    ...(base.placementConstraints?.length && { placementConstraints: base.placementConstraints }),
    ...(base.placementStrategy?.length && { placementStrategy: base.placementStrategy }),
    // The preview's tasks carry its tags whatever the base does, so they can be told apart (and
    // costed) from the base's tasks in the same cluster.
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
    ...(base.enableExecuteCommand !== undefined && { enableExecuteCommand: base.enableExecuteCommand }),
    tags: copiedTags(base, tags)
  }
}

function targetGroupInput(base: TargetGroup, name: string, tags: PreviewTags): PreviewPlan['targetGroup'] {
  return {
    Name: name,
    ...(base.Protocol !== undefined && { Protocol: base.Protocol }),
    ...(base.ProtocolVersion !== undefined && { ProtocolVersion: base.ProtocolVersion }),
    ...(base.Port !== undefined && { Port: base.Port }),
    ...(base.VpcId !== undefined && { VpcId: base.VpcId }),
    ...(base.TargetType !== undefined && { TargetType: base.TargetType }),
    ...(base.IpAddressType !== undefined && { IpAddressType: base.IpAddressType }),
    ...(base.HealthCheckEnabled !== undefined && { HealthCheckEnabled: base.HealthCheckEnabled }),
    ...(base.HealthCheckProtocol !== undefined && { HealthCheckProtocol: base.HealthCheckProtocol }),
    ...(base.HealthCheckPort !== undefined && { HealthCheckPort: base.HealthCheckPort }),
    ...(base.HealthCheckPath !== undefined && { HealthCheckPath: base.HealthCheckPath }),
    ...(base.HealthCheckIntervalSeconds !== undefined && {
      HealthCheckIntervalSeconds: base.HealthCheckIntervalSeconds
    }),
    ...(base.HealthCheckTimeoutSeconds !== undefined && {
      HealthCheckTimeoutSeconds: base.HealthCheckTimeoutSeconds
    }),
    ...(base.HealthyThresholdCount !== undefined && { HealthyThresholdCount: base.HealthyThresholdCount }),
    ...(base.UnhealthyThresholdCount !== undefined && {
      UnhealthyThresholdCount: base.UnhealthyThresholdCount
    }),
    ...(base.Matcher !== undefined && { Matcher: base.Matcher }),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
  }
}

/**
 * The base service, or an error naming the input: a preview clones a running service, so one
 * that is missing, draining or deleted stops the run before anything is created.
 */
export function requireBaseService(service: Service | undefined, name: string, cluster: string): Service {
  if (!service || service.status === 'INACTIVE')
    fail('service', `${name} does not exist in cluster ${cluster}; a preview clones an existing base service`)
  if (service.status !== 'ACTIVE')
    fail('service', `${name} is ${service.status ?? 'not ACTIVE'}; a preview clones a running base service`)
  return service
}

export function planPreview(input: PreviewPlanInput): PreviewPlan {
  const settings = previewSettings(input.preview)
  const { id, listenerArn, route } = settings
  const base = requireBaseService(
    input.baseService,
    input.service ?? input.baseService?.serviceName ?? '(the base service)',
    input.cluster
  )
  const baseServiceName = nameOf(base.serviceName ?? '')
  const cluster = nameOf(base.clusterArn ?? input.cluster)
  const tags = previewTags(cluster, baseServiceName, id)
  const serviceName = previewServiceName(baseServiceName, id)

  const binding = (base.loadBalancers ?? []).find(
    lb => lb.targetGroupArn === input.baseTargetGroup.TargetGroupArn
  )
  if (!binding?.containerName || binding.containerPort === undefined)
    fail(
      'service',
      `${baseServiceName} has no load balancer target group with a container name and port to copy`
    )

  const targetGroupName = previewTargetGroupName(cluster, baseServiceName, id)
  const existingTg = input.existingTargetGroup
  if (existingTg && !isOurs(existingTg.tags, tags))
    fail(
      'preview-id',
      `target group ${targetGroupName} already exists and is not tagged as preview ${id} of ${baseServiceName}; delete or rename it`
    )
  const existingService = input.existingService
  const serviceExists = existingService?.status === 'ACTIVE' || existingService?.status === 'DRAINING'
  if (serviceExists && !isOurs(existingService?.tags, tags))
    fail(
      'preview-id',
      `service ${serviceName} already exists in ${cluster} and is not tagged as preview ${id} of ${baseServiceName}`
    )
  if (existingService?.status === 'DRAINING')
    fail(
      'preview-id',
      `service ${serviceName} is still being deleted; run the preview again in a few minutes`
    )

  const conditions = ruleConditions(route)
  const { keep: ourRule, duplicates: duplicateRules } = keepOneRule(ourRules(input.rules, tags))
  // Every rule of ours is set aside: a duplicate left by a concurrent run is deleted, never
  // mistaken for someone else's rule on the preview's host.
  const others = input.rules.filter(r => !r.rule.IsDefault && !isOurs(r.tags, tags))
  const clash = routeClash(others, conditions)
  if (clash)
    fail(
      route.kind === 'host' ? 'preview-host' : 'preview-path',
      `rule ${clash.RuleArn ?? ''} (priority ${clash.Priority ?? '?'}) on the listener already routes ${route.kind === 'host' ? route.host : route.path} and is not this preview's`
    )

  let rule: RuleStep
  if (ourRule) {
    rule = { action: 'modify', ruleArn: ourRule.arn, priority: ourRule.priority }
  } else {
    if (others.length >= LISTENER_RULE_QUOTA)
      fail(
        'listener-arn',
        `the listener already has ${others.length} rules, the ALB quota of ${LISTENER_RULE_QUOTA}; destroy old previews or raise the quota`
      )
    const taken = new Set(others.map(r => Number(r.rule.Priority)).filter(Number.isInteger))
    const priority = choosePriority(id, taken)
    if (priority === undefined)
      fail('listener-arn', `no free rule priority between ${PRIORITY_MIN} and ${PRIORITY_MAX}`)
    rule = { action: 'create', priority }
  }

  const shadow = catchAllBefore(others, rule.priority)
  if (shadow)
    fail(
      'listener-arn',
      `rule ${shadow.RuleArn ?? ''} (priority ${shadow.Priority ?? '?'}) matches every request before the preview's rule (priority ${rule.priority}) would be looked at, so the preview would never receive traffic; use a listener without a catch-all rule for previews`
    )

  return {
    id,
    cluster,
    baseServiceName,
    serviceName,
    listenerArn,
    route,
    url: previewUrl(route, input.loadBalancerDnsName),
    tags,
    targetGroup: targetGroupInput(input.baseTargetGroup, targetGroupName, tags),
    ...(input.deregistrationDelaySeconds !== undefined && {
      deregistrationDelaySeconds: input.deregistrationDelaySeconds
    }),
    ...(existingTg?.targetGroup.TargetGroupArn !== undefined && {
      existingTargetGroupArn: existingTg.targetGroup.TargetGroupArn
    }),
    conditions,
    rule,
    duplicateRules,
    service: serviceTemplate(input, base, serviceName, tags),
    container: { name: binding.containerName, port: binding.containerPort },
    serviceExists
  }
}

/** The plan in plain lines, for the log, the summary and a dry run. */
export function describePreviewPlan(plan: PreviewPlan): string[] {
  return [
    `preview ${plan.id} of ${plan.baseServiceName} in cluster ${plan.cluster}: ${plan.url}`,
    `target group ${plan.targetGroup.Name}: ${plan.existingTargetGroupArn ? 'reuse' : `create (health check ${plan.targetGroup.HealthCheckPath ?? plan.targetGroup.HealthCheckProtocol ?? 'as the base'})`}`,
    plan.rule.action === 'modify'
      ? `listener rule: update (priority ${plan.rule.priority})`
      : `listener rule: create at priority ${plan.rule.priority}`,
    ...(plan.duplicateRules.length > 0
      ? [
          `listener rule: delete ${plan.duplicateRules.length} duplicate(s) that runs at the same time left (priority ${plan.duplicateRules.map(r => r.priority).join(', ')})`
        ]
      : []),
    `service ${plan.serviceName}: ${plan.serviceExists ? 'update to the new revision' : 'create with 1 task'}, container ${plan.container.name}:${plan.container.port} behind the target group`
  ]
}
