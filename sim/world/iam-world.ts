// What the simulator's IAM (sim/iam) asks of the world to authorize a request: the tags of an
// existing resource (for aws:ResourceTag/*), the task definition a reference names (RunTask passes
// its roles), and the deployment group of a CodeDeploy deployment. sim/iam knows no room of the
// simulator; this adapter answers its World interface from the state.
import type { World } from '../iam/index.js'
import { groupKey } from './codedeploy-model.js'
import type { SimState } from './model.js'
import { findTaskDefinition } from './task-definitions.js'

type TagList = readonly { key?: string; value?: string; Key?: string; Value?: string }[]

function tagRecord(tags: TagList): Record<string, string> {
  const out: Record<string, string> = {}
  for (const tag of tags) {
    const key = tag.key ?? tag.Key
    if (key !== undefined) out[key] = tag.value ?? tag.Value ?? ''
  }
  return out
}

function tagsOf(state: SimState, arn: string): Readonly<Record<string, string>> | undefined {
  if (arn.startsWith('arn:aws:ecs:')) {
    for (const s of state.services.values())
      if (s.service.serviceArn === arn && s.service.status !== 'INACTIVE') return tagRecord(s.tags)
    for (const revisions of state.taskDefinitions.values())
      for (const r of revisions) if (r.definition.taskDefinitionArn === arn) return tagRecord(r.tags)
    for (const t of state.tasks) if (t.task.taskArn === arn) return tagRecord(t.task.tags ?? [])
    for (const c of state.clusters.values()) if (c.clusterArn === arn) return tagRecord(c.tags ?? [])
    return undefined
  }
  if (arn.startsWith('arn:aws:elasticloadbalancing:')) {
    const group = state.targetGroups.find(g => g.group.TargetGroupArn === arn)
    if (group) return tagRecord(group.tags)
    const rule = state.rules.find(r => r.rule.RuleArn === arn)
    if (rule) return tagRecord(rule.tags)
    return undefined
  }
  if (arn.startsWith('arn:aws:codedeploy:')) {
    const application = /:application:(.+)$/.exec(arn)?.[1]
    const found = application !== undefined ? state.codedeploy.applications.get(application) : undefined
    return found ? tagRecord(found.tags) : undefined
  }
  return undefined
}

/** The World of sim/iam, answered from this state. */
export function iamWorld(state: SimState): World {
  return {
    tagsOf: arn => tagsOf(state, arn),
    taskDefinition: reference => {
      const found = findTaskDefinition(state, reference)?.definition
      if (!found?.taskDefinitionArn) return undefined
      return {
        arn: found.taskDefinitionArn,
        ...(found.taskRoleArn !== undefined && { taskRoleArn: found.taskRoleArn }),
        ...(found.executionRoleArn !== undefined && { executionRoleArn: found.executionRoleArn })
      }
    },
    codeDeployDeployment: id => {
      const info = state.codedeploy.deployments.get(id)?.info
      if (!info?.applicationName || !info.deploymentGroupName) return undefined
      return { applicationName: info.applicationName, deploymentGroupName: info.deploymentGroupName }
    },
    deploymentConfigOf: (application, group) =>
      state.codedeploy.deploymentGroups.get(groupKey(application, group))?.deploymentConfigName
  }
}
