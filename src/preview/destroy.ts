// Deletes one preview: only resources that carry all of its tags, so a typo in preview-id can
// never take down the base service or another preview. Running it twice is fine: the second
// run finds nothing and says so.
import * as core from '@actions/core'
import { DeleteServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import { DeleteRuleCommand, DeleteTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { ActionError, errorName } from '../errors.js'
import { backoffFromEnv, nextPollDelay } from '../watch/poll.js'
import type { Clock } from '../util/clock.js'
import { describeService, elbTags, listenerRules, targetGroupByName, type PreviewDeps } from './load.js'
import {
  checkPreviewId,
  isOurs,
  nameOf,
  previewServiceName,
  previewTags,
  previewTargetGroupName
} from './names.js'

export interface PreviewBase {
  readonly cluster: string
  readonly service: string
  readonly listenerArn: string
}

/** What destroy talks to, and which preview family it is scoped to (cluster, base service, listener). */
export interface DestroyDeps extends PreviewDeps {
  readonly clock: Clock
  readonly base: PreviewBase
  /** Read for ECS_SHIP_POLL_MIN_MS / ECS_SHIP_POLL_MAX_MS; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv
}

export interface DestroyResult {
  readonly rules: readonly string[]
  readonly service?: string
  readonly targetGroups: readonly string[]
}

/** How long a target group may stay in use after its service is deleted before we give up. */
const TARGET_GROUP_WAIT_MS = 5 * 60_000

async function deleteTargetGroup(
  deps: PreviewDeps & { clock: Clock },
  arn: string,
  env: NodeJS.ProcessEnv
): Promise<void> {
  const { clock, elb } = deps
  const backoff = backoffFromEnv(env)
  const deadline = clock.now() + TARGET_GROUP_WAIT_MS
  let delay: number | undefined
  for (;;) {
    try {
      await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))
      return
    } catch (error) {
      // ELB keeps the group "in use" until the deleted service's targets have drained.
      if (!errorName(error).startsWith('ResourceInUse')) throw error
      delay = nextPollDelay(delay, false, backoff)
      if (clock.now() + delay > deadline)
        throw new ActionError(
          `target group ${arn} is still in use ${Math.round(TARGET_GROUP_WAIT_MS / 60_000)} minutes after its service was deleted; run preview-destroy again later`,
          { cause: error }
        )
      core.info(`Target group still in use (draining); trying again in ${Math.round(delay / 1000)} s`)
      await clock.sleep(delay)
    }
  }
}

/** A target group's tags; undefined when it is already gone (a rerun after a partial destroy). */
async function targetGroupTags(deps: PreviewDeps, arn: string) {
  try {
    return (await elbTags(deps.elb, [arn])).get(arn)
  } catch (error) {
    if (errorName(error).startsWith('TargetGroupNotFound')) return undefined
    throw error
  }
}

export async function destroyPreview(previewId: string, deps: DestroyDeps): Promise<DestroyResult> {
  const { base, env = process.env } = deps
  // The same check as preview's: an id it would refuse names nothing it created.
  const id = checkPreviewId(previewId)
  if (base.listenerArn.trim() === '')
    throw new ActionError('input listener-arn: is required in preview-destroy mode')
  const { ecs, elb } = deps
  const cluster = nameOf(base.cluster)
  const baseName = nameOf(base.service)
  const ours = previewTags(cluster, baseName, id)

  // 1. The rule first, so the load balancer stops sending traffic before the tasks go away.
  const rules = (await listenerRules(elb, base.listenerArn)).filter(
    r => !r.rule.IsDefault && isOurs(r.tags, ours)
  )
  const targetGroupArns = new Set<string>()
  for (const { rule } of rules) {
    for (const action of rule.Actions ?? []) {
      if (action.TargetGroupArn) targetGroupArns.add(action.TargetGroupArn)
      for (const t of action.ForwardConfig?.TargetGroups ?? [])
        if (t.TargetGroupArn) targetGroupArns.add(t.TargetGroupArn)
    }
    await elb.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }))
    core.info(`Deleted listener rule ${rule.RuleArn ?? ''} (priority ${rule.Priority ?? '?'})`)
  }

  // 2. The service: scaled to zero, then deleted (force, so a stuck deployment does not block it).
  const serviceName = previewServiceName(baseName, id)
  const service = await describeService(ecs, base.cluster, serviceName)
  let deletedService: string | undefined
  if (service && (service.status === 'ACTIVE' || service.status === 'DRAINING')) {
    if (!isOurs(service.tags, ours)) {
      core.warning(
        `Service ${serviceName} exists but is not tagged as preview ${id} of ${baseName}; left alone`
      )
    } else {
      for (const lb of service.loadBalancers ?? [])
        if (lb.targetGroupArn) targetGroupArns.add(lb.targetGroupArn)
      if (service.status === 'ACTIVE') {
        await ecs.send(
          new UpdateServiceCommand({ cluster: base.cluster, service: serviceName, desiredCount: 0 })
        )
        await ecs.send(new DeleteServiceCommand({ cluster: base.cluster, service: serviceName, force: true }))
        deletedService = serviceName
        core.info(`Deleted service ${serviceName}`)
      } else {
        // An earlier run deleted it and ECS is still draining it: nothing left for us to do.
        core.info(`Service ${serviceName} is already being deleted (DRAINING)`)
      }
    }
  }

  // 3. The target group: by its name, plus whatever our rule or service pointed at, if tagged ours.
  const byName = await targetGroupByName(elb, previewTargetGroupName(cluster, baseName, id))
  if (byName?.TargetGroupArn) targetGroupArns.add(byName.TargetGroupArn)
  const deletedGroups: string[] = []
  for (const arn of targetGroupArns) {
    if (!isOurs(await targetGroupTags(deps, arn), ours)) continue
    await deleteTargetGroup(deps, arn, env)
    deletedGroups.push(arn)
    core.info(`Deleted target group ${arn}`)
  }

  const deletedRules = rules.map(r => r.rule.RuleArn ?? '')
  if (deletedRules.length === 0 && deletedService === undefined && deletedGroups.length === 0)
    core.info(`Preview ${id} of ${baseName}: nothing to delete (already destroyed)`)
  return {
    rules: deletedRules,
    ...(deletedService !== undefined && { service: deletedService }),
    targetGroups: deletedGroups
  }
}
