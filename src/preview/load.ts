// Reads what planPreview needs from AWS: the base service and its target group, the listener's
// rules with their tags, the load balancer's DNS name, and anything that already has the
// preview's names. Read-only: nothing here changes AWS.
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type Tag,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Inputs } from '../inputs.js'
import { ActionError, errorName } from '../errors.js'
import { nameOf, previewServiceName, previewSettings, previewTargetGroupName } from './names.js'
import { requireBaseService, type PreviewPlanInput, type TaggedRule } from './plan.js'

export interface PreviewDeps {
  readonly ecs: ECSClient
  readonly elb: ElasticLoadBalancingV2Client
}

/** DescribeTags takes at most 20 ARNs per call. */
const TAGS_PER_CALL = 20

/** Tags of many ELB resources, keyed by ARN. */
export async function elbTags(
  elb: ElasticLoadBalancingV2Client,
  arns: readonly string[]
): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>()
  for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
    const out = await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }))
    for (const d of out.TagDescriptions ?? []) if (d.ResourceArn) tags.set(d.ResourceArn, d.Tags ?? [])
  }
  return tags
}

/** Every rule of the listener (all pages), with its tags. */
export async function listenerRules(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string
): Promise<TaggedRule[]> {
  const rules: Rule[] = []
  let marker: string | undefined
  try {
    do {
      const out = await elb.send(
        new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 400, Marker: marker })
      )
      rules.push(...(out.Rules ?? []))
      marker = out.NextMarker
    } while (marker)
  } catch (error) {
    if (errorName(error) === 'ListenerNotFoundException' || errorName(error) === 'ListenerNotFound')
      throw new ActionError(`input listener-arn: listener ${listenerArn} does not exist`)
    throw error
  }
  const tags = await elbTags(
    elb,
    rules.filter(r => !r.IsDefault && r.RuleArn).map(r => r.RuleArn as string)
  )
  return rules.map(rule => ({ rule, tags: tags.get(rule.RuleArn ?? '') ?? [] }))
}

/** The target group with this name, or undefined when there is none. */
export async function targetGroupByName(
  elb: ElasticLoadBalancingV2Client,
  name: string
): Promise<TargetGroup | undefined> {
  try {
    const out = await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))
    return out.TargetGroups?.[0]
  } catch (error) {
    if (errorName(error).startsWith('TargetGroupNotFound')) return undefined
    throw error
  }
}

/** The service with this name, with its tags, in any status; undefined when ECS never heard of it. */
export async function describeService(
  ecs: ECSClient,
  cluster: string,
  service: string
): Promise<Service | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }))
  return out.services?.[0]
}

export async function loadPreviewInput(
  inputs: Pick<Inputs, 'cluster' | 'service' | 'preview'>,
  deps: PreviewDeps
): Promise<PreviewPlanInput> {
  // Inputs first: a missing listener-arn must fail before the first AWS call.
  const settings = previewSettings(inputs.preview)
  const { ecs, elb } = deps

  const baseService = requireBaseService(
    await describeService(ecs, inputs.cluster, inputs.service),
    inputs.service,
    inputs.cluster
  )
  const targetGroupArn = baseService.loadBalancers?.find(lb => lb.targetGroupArn)?.targetGroupArn
  if (!targetGroupArn)
    throw new ActionError(
      `input service: ${inputs.service} is not behind a load balancer target group; a preview needs one to copy`
    )
  const baseTargetGroup = (
    await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }))
  ).TargetGroups?.[0]
  if (!baseTargetGroup) throw new ActionError(`input service: target group ${targetGroupArn} was not found`)
  const attributes = await elb.send(
    new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn })
  )
  const deregistrationDelaySeconds = attributes.Attributes?.find(
    a => a.Key === 'deregistration_delay.timeout_seconds'
  )?.Value

  const rules = await listenerRules(elb, settings.listenerArn)
  const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [settings.listenerArn] })))
    .Listeners?.[0]
  const loadBalancer = listener?.LoadBalancerArn
    ? (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn] })))
        .LoadBalancers?.[0]
    : undefined

  const cluster = nameOf(baseService.clusterArn ?? inputs.cluster)
  const baseName = nameOf(baseService.serviceName ?? inputs.service)
  const tgName = previewTargetGroupName(cluster, baseName, settings.id)
  const existing = await targetGroupByName(elb, tgName)
  const existingTargetGroup = existing?.TargetGroupArn
    ? {
        targetGroup: existing,
        tags: (await elbTags(elb, [existing.TargetGroupArn])).get(existing.TargetGroupArn) ?? []
      }
    : undefined
  const existingService = await describeService(
    ecs,
    inputs.cluster,
    previewServiceName(baseName, settings.id)
  )

  return {
    cluster: inputs.cluster,
    service: inputs.service,
    baseService,
    baseTargetGroup,
    ...(deregistrationDelaySeconds !== undefined && { deregistrationDelaySeconds }),
    rules,
    loadBalancerDnsName: loadBalancer?.DNSName ?? '',
    preview: inputs.preview,
    ...(existingTargetGroup && { existingTargetGroup }),
    ...(existingService && { existingService })
  }
}
