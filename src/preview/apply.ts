// Carries out a preview plan: the target group, the listener rule and the service, each created
// on the first push and reused (found by name and our tags) on every later one. Watching the
// rollout is not done here: the orchestrator watches the preview service with the shared loop.
import * as core from '@actions/core'
import { CreateServiceCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs'
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  type Action
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ActionError, errorName } from '../errors.js'
import { elbTags, targetGroupByName, type PreviewDeps } from './load.js'
import { isOurs } from './names.js'
import type { PreviewPlan } from './plan.js'

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

async function ensureTargetGroup(plan: PreviewPlan, deps: PreviewDeps): Promise<string> {
  const { elb } = deps
  // The plan saw our target group; look again only when it did not (a run that died midway).
  const existing =
    plan.existingTargetGroupArn ?? (await targetGroupByName(elb, plan.targetGroup.Name))?.TargetGroupArn
  if (existing) {
    if (plan.existingTargetGroupArn === undefined) {
      const tags = (await elbTags(elb, [existing])).get(existing)
      if (!isOurs(tags, plan.tags))
        throw new ActionError(
          `input preview-id: target group ${plan.targetGroup.Name} appeared meanwhile and is not this preview's`
        )
    }
    core.info(`Target group ${plan.targetGroup.Name}: reused`)
    return existing
  }
  const out = await elb.send(new CreateTargetGroupCommand(plan.targetGroup))
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

async function ensureRule(plan: PreviewPlan, deps: PreviewDeps, targetGroupArn: string): Promise<string> {
  const { elb } = deps
  const actions: Action[] = [{ Type: 'forward', TargetGroupArn: targetGroupArn }]
  const conditions = [...plan.conditions]
  if (plan.rule.action === 'modify') {
    await elb.send(
      new ModifyRuleCommand({ RuleArn: plan.rule.ruleArn, Conditions: conditions, Actions: actions })
    )
    core.info(`Listener rule (priority ${plan.rule.priority}): updated`)
    return plan.rule.ruleArn
  }
  const tags = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }))
  for (let attempt = 0; ; attempt++) {
    const priority = plan.rule.priority + attempt
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
      const arn = out.Rules?.[0]?.RuleArn
      if (!arn) throw new ActionError('CreateRule returned no rule ARN')
      core.info(`Listener rule (priority ${priority}): created`)
      return arn
    } catch (error) {
      const name = errorName(error)
      if (name.startsWith('TooManyRules'))
        throw new ActionError(
          `input listener-arn: the listener has reached its rule quota; destroy old previews or raise the quota`
        )
      if (!name.startsWith('PriorityInUse') || attempt >= PRIORITY_RETRIES) throw error
      core.info(`Listener rule priority ${priority} was taken meanwhile; trying ${priority + 1}`)
    }
  }
}

async function upsertService(
  plan: PreviewPlan,
  deps: PreviewDeps,
  targetGroupArn: string,
  taskDefinitionArn: string
): Promise<ServiceOutcome> {
  if (plan.serviceExists) {
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
