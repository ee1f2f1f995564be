// Carries out a preview plan: the target group, the listener rule and the service, each created
// on the first push and reused (found by name and our tags) on every later one. Two runs of one
// preview at the same time (two pushes in quick succession without a concurrency group) both plan
// "create": the second adopts what the first created instead of failing or adding a second listener
// rule, and a run that finds two rules of its preview keeps one. Watching the rollout is not done
// here: the orchestrator watches the preview service with the shared loop.
import * as core from '@actions/core'
import { CreateServiceCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs'
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  type Action,
  type ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ActionError, errorName } from '../errors.js'
import { describeService, elbTags, listenerRules, targetGroupByName, type PreviewDeps } from './load.js'
import { isOurs } from './names.js'
import { keepOneRule, ourRules, type PreviewPlan, type RuleRef } from './plan.js'

export interface PreviewResult {
  readonly url: string
  /** Where the orchestrator's watch loop looks: the preview service in the base's cluster. */
  readonly cluster: string
  readonly serviceName: string
  readonly serviceArn?: string
  /** The deployment CreateService/UpdateService started for this revision, when ECS says. */
  readonly deploymentId?: string
  readonly taskDefinitionArn: string
  readonly targetGroupArn: string
  readonly ruleArn: string
  /** True when this run created the preview service (the first push of the pull request). */
  readonly created: boolean
}

interface ServiceOutcome {
  readonly created: boolean
  readonly service?: Service
}

/** The PRIMARY deployment running our revision: the one the watch loop should follow. */
function deploymentFor(service: Service | undefined, taskDefinitionArn: string): string | undefined {
  const primary = (service?.deployments ?? []).filter(d => d.status === 'PRIMARY')
  return (primary.find(d => d.taskDefinition === taskDefinitionArn) ?? primary[0])?.id
}

/** Another run racing us for a priority: try the next few before giving up. */
const PRIORITY_RETRIES = 5

/** The target group of the preview's name that appeared after the plan, if it is ours; else an error. */
async function adoptTargetGroup(plan: PreviewPlan, elb: ElasticLoadBalancingV2Client, arn: string) {
  const tags = (await elbTags(elb, [arn])).get(arn)
  if (!isOurs(tags, plan.tags))
    throw new ActionError(
      `input preview-id: target group ${plan.targetGroup.Name} appeared meanwhile and is not this preview's`
    )
  return arn
}

async function ensureTargetGroup(plan: PreviewPlan, deps: PreviewDeps): Promise<string> {
  const { elb } = deps
  // The plan saw our target group; look again only when it did not (a run that died midway, or
  // a run of the same preview at the same time).
  const existing =
    plan.existingTargetGroupArn ?? (await targetGroupByName(elb, plan.targetGroup.Name))?.TargetGroupArn
  if (existing) {
    if (plan.existingTargetGroupArn === undefined) await adoptTargetGroup(plan, elb, existing)
    core.info(`Target group ${plan.targetGroup.Name}: reused`)
    return existing
  }
  let out
  try {
    out = await elb.send(new CreateTargetGroupCommand(plan.targetGroup))
  } catch (error) {
    // CreateTargetGroup answers the existing group when the settings are the same, and
    // DuplicateTargetGroupName when they differ: a run at the same time created it from a base
    // whose health check has changed since. Ours all the same; the later push will align it.
    const found = errorName(error).startsWith('DuplicateTargetGroupName')
      ? (await targetGroupByName(elb, plan.targetGroup.Name))?.TargetGroupArn
      : undefined
    if (found === undefined) throw error
    await adoptTargetGroup(plan, elb, found)
    core.info(
      `Target group ${plan.targetGroup.Name}: created meanwhile by another run of this preview; reused`
    )
    return found
  }
  const arn = out.TargetGroups?.[0]?.TargetGroupArn
  if (!arn) throw new ActionError(`CreateTargetGroup ${plan.targetGroup.Name} returned no ARN`)
  if (plan.deregistrationDelaySeconds !== undefined) {
    // A new target group drains for 300 s; the base's (usually shorter) delay keeps destroy quick.
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: plan.deregistrationDelaySeconds }]
      })
    )
  }
  core.info(`Target group ${plan.targetGroup.Name}: created`)
  return arn
}

/** Deletes a second rule of this preview; one another run deleted first is already gone. */
async function deleteDuplicate(elb: ElasticLoadBalancingV2Client, rule: RuleRef): Promise<void> {
  try {
    await elb.send(new DeleteRuleCommand({ RuleArn: rule.arn }))
  } catch (error) {
    if (!errorName(error).startsWith('RuleNotFound')) throw error
  }
  core.info(
    `Listener rule (priority ${rule.priority}): deleted, a duplicate of this preview's rule left by a run at the same time`
  )
}

/**
 * Looks at the listener again and leaves one rule of this preview, the one keepOneRule picks; the
 * others are deleted. `created` is the rule this run has just created: it counts even when
 * DescribeRules does not list it yet, since ELB's reads may lag its writes. Two runs that see
 * each other's rules keep the same one; two that both read too early each keep their own, and
 * the next run of the preview finds both and deletes the spare (planPreview's duplicateRules).
 */
async function settleRules(
  plan: PreviewPlan,
  elb: ElasticLoadBalancingV2Client,
  created?: RuleRef
): Promise<RuleRef | undefined> {
  const seen = ourRules(await listenerRules(elb, plan.listenerArn), plan.tags)
  const rules = created && !seen.some(r => r.arn === created.arn) ? [...seen, created] : seen
  const { keep, duplicates } = keepOneRule(rules)
  for (const duplicate of duplicates) await deleteDuplicate(elb, duplicate)
  return keep
}

async function ensureRule(plan: PreviewPlan, deps: PreviewDeps, targetGroupArn: string): Promise<string> {
  const { elb } = deps
  const actions: Action[] = [{ Type: 'forward', TargetGroupArn: targetGroupArn }]
  const conditions = [...plan.conditions]
  const modify = (ruleArn: string) =>
    elb.send(new ModifyRuleCommand({ RuleArn: ruleArn, Conditions: conditions, Actions: actions }))
  const adopt = async (rule: RuleRef) => {
    await modify(rule.arn)
    core.info(
      `Listener rule (priority ${rule.priority}): created meanwhile by another run of this preview; adopted`
    )
    return rule.arn
  }
  if (plan.rule.action === 'modify') {
    await modify(plan.rule.ruleArn)
    core.info(`Listener rule (priority ${plan.rule.priority}): updated`)
    for (const duplicate of plan.duplicateRules) await deleteDuplicate(elb, duplicate)
    return plan.rule.ruleArn
  }
  const tags = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }))
  for (let attempt = 0; ; attempt++) {
    const priority = plan.rule.priority + attempt
    let arn: string | undefined
    try {
      const out = await elb.send(
        new CreateRuleCommand({
          ListenerArn: plan.listenerArn,
          Priority: priority,
          Conditions: conditions,
          Actions: actions,
          Tags: tags
        })
      )
      arn = out.Rules?.[0]?.RuleArn
    } catch (error) {
      const name = errorName(error)
      if (name.startsWith('TooManyRules'))
        throw new ActionError(
          `input listener-arn: the listener has reached its rule quota; destroy old previews or raise the quota`
        )
      if (!name.startsWith('PriorityInUse') || attempt >= PRIORITY_RETRIES) throw error
      // The priority comes from the preview id, so two runs of one preview at the same time ask
      // for the same one, and ELB gives it to one of them: the rule holding it may be ours.
      const ours = await settleRules(plan, elb)
      if (ours) return adopt(ours)
      core.info(`Listener rule priority ${priority} was taken meanwhile; trying ${priority + 1}`)
      continue
    }
    if (!arn) throw new ActionError('CreateRule returned no rule ARN')
    // A run at the same time may have created one at another priority (its plan saw other
    // rules): look again and keep one.
    const kept = await settleRules(plan, elb, { arn, priority })
    if (kept && kept.arn !== arn) return adopt(kept)
    core.info(`Listener rule (priority ${priority}): created`)
    return arn
  }
}

async function upsertService(
  plan: PreviewPlan,
  deps: PreviewDeps,
  targetGroupArn: string,
  taskDefinitionArn: string
): Promise<ServiceOutcome> {
  if (!plan.serviceExists) {
    const created = await createService(plan, deps, targetGroupArn, taskDefinitionArn)
    if (created) return created
  }
  const out = await deps.ecs.send(
    new UpdateServiceCommand({
      cluster: plan.service.cluster,
      service: plan.serviceName,
      taskDefinition: taskDefinitionArn
    })
  )
  core.info(`Service ${plan.serviceName}: updated to ${taskDefinitionArn}`)
  return { created: false, ...(out.service && { service: out.service }) }
}

/**
 * CreateService; undefined when a run of this preview at the same time has created the service
 * since the plan (then it is updated, as a later push would).
 */
async function createService(
  plan: PreviewPlan,
  deps: PreviewDeps,
  targetGroupArn: string,
  taskDefinitionArn: string
): Promise<ServiceOutcome | undefined> {
  try {
    const out = await deps.ecs.send(
      new CreateServiceCommand({
        ...plan.service,
        taskDefinition: taskDefinitionArn,
        loadBalancers: [
          { targetGroupArn, containerName: plan.container.name, containerPort: plan.container.port }
        ]
      })
    )
    core.info(`Service ${plan.serviceName}: created with ${taskDefinitionArn}`)
    return { created: true, ...(out.service && { service: out.service }) }
  } catch (error) {
    // ECS answers CreateService of a name that is ACTIVE with InvalidParameterException
    // ("Creation of service was not idempotent."). Adopted only when it carries our tags.
    if (errorName(error) !== 'InvalidParameterException') throw error
    const existing = await describeService(deps.ecs, plan.cluster, plan.serviceName)
    if (existing?.status !== 'ACTIVE' || !isOurs(existing.tags, plan.tags)) throw error
    core.info(`Service ${plan.serviceName}: created meanwhile by another run of this preview; adopted`)
    return undefined
  }
}

/**
 * Creates the preview, or updates it on a later push. Order matters: the service needs the
 * target group, and the rule forwards to it; a run that stops midway is finished by the next.
 */
export async function applyPreview(
  plan: PreviewPlan,
  deps: PreviewDeps,
  taskDefinitionArn: string
): Promise<PreviewResult> {
  const targetGroupArn = await ensureTargetGroup(plan, deps)
  const ruleArn = await ensureRule(plan, deps, targetGroupArn)
  const { created, service } = await upsertService(plan, deps, targetGroupArn, taskDefinitionArn)
  core.info(`Preview ${plan.id}: ${plan.url}`)
  const deploymentId = deploymentFor(service, taskDefinitionArn)
  return {
    url: plan.url,
    cluster: plan.cluster,
    serviceName: plan.serviceName,
    ...(service?.serviceArn !== undefined && { serviceArn: service.serviceArn }),
    ...(deploymentId !== undefined && { deploymentId }),
    taskDefinitionArn,
    targetGroupArn,
    ruleArn,
    created
  }
}
