// Elastic Load Balancing v2 (awsQuery: every field arrives as a string or a list of strings).
// Describe* calls have no resource-level permissions; changes name the target group, listener or
// rule. A create with Tags is authorized again as elasticloadbalancing:AddTags with
// elasticloadbalancing:CreateAction ("ELB API permissions to tag resources during creation").
import { elbArn, listenerRulePattern } from '../arns.js'
import {
  requestTagContext,
  resourceTagContext,
  str,
  strings,
  type AnyTag,
  type Check,
  type RequestScope
} from '../check.js'
import { check, onAnyResource, type OperationChecks, type ServiceTable } from './table.js'

function existing(action: string, scope: RequestScope, arn: string): Check {
  return check(action, arn, resourceTagContext(scope.world.tagsOf(arn), 'elasticloadbalancing'))
}

function tagsOf(input: Readonly<Record<string, unknown>>): AnyTag[] {
  return Array.isArray(input.Tags) ? (input.Tags as AnyTag[]) : []
}

function tagOnCreate(operation: string, resource: string, tags: readonly AnyTag[]): Check[] {
  if (tags.length === 0) return []
  return [
    {
      action: 'elasticloadbalancing:AddTags',
      resource,
      context: { 'elasticloadbalancing:CreateAction': operation, ...requestTagContext(tags) },
      impliedBy: `elasticloadbalancing:${operation}`
    }
  ]
}

const onTargetGroup =
  (action: string): OperationChecks =>
  (input, scope) => [existing(action, scope, str(input.TargetGroupArn) ?? '')]

const onRule =
  (action: string): OperationChecks =>
  (input, scope) => [existing(action, scope, str(input.RuleArn) ?? '')]

export const elbTable: ServiceTable = {
  DescribeTargetHealth: onAnyResource('elasticloadbalancing:DescribeTargetHealth'),
  DescribeTargetGroups: onAnyResource('elasticloadbalancing:DescribeTargetGroups'),
  // The new group's id is not known before it exists: evaluated against its name and any id.
  CreateTargetGroup: (input, scope) => {
    const resource = elbArn(scope, `targetgroup/${str(input.Name) ?? ''}/*`)
    const tags = tagsOf(input)
    return [
      check('elasticloadbalancing:CreateTargetGroup', resource, requestTagContext(tags)),
      ...tagOnCreate('CreateTargetGroup', resource, tags)
    ]
  },
  DeleteTargetGroup: onTargetGroup('elasticloadbalancing:DeleteTargetGroup'),
  ModifyTargetGroup: onTargetGroup('elasticloadbalancing:ModifyTargetGroup'),
  DescribeTargetGroupAttributes: onAnyResource('elasticloadbalancing:DescribeTargetGroupAttributes'),
  ModifyTargetGroupAttributes: onTargetGroup('elasticloadbalancing:ModifyTargetGroupAttributes'),
  RegisterTargets: onTargetGroup('elasticloadbalancing:RegisterTargets'),
  DeregisterTargets: onTargetGroup('elasticloadbalancing:DeregisterTargets'),
  DescribeLoadBalancers: onAnyResource('elasticloadbalancing:DescribeLoadBalancers'),
  DescribeListeners: onAnyResource('elasticloadbalancing:DescribeListeners'),
  DescribeRules: onAnyResource('elasticloadbalancing:DescribeRules'),
  // A rule is created on its listener (with the listener's tags); the rule's tags go on a rule of
  // that listener whose id is not known yet.
  CreateRule: (input, scope) => {
    const listener = str(input.ListenerArn) ?? ''
    const tags = tagsOf(input)
    const onListener = existing('elasticloadbalancing:CreateRule', scope, listener)
    return [
      { ...onListener, context: { ...onListener.context, ...requestTagContext(tags) } },
      ...tagOnCreate('CreateRule', listenerRulePattern(listener), tags)
    ]
  },
  ModifyRule: onRule('elasticloadbalancing:ModifyRule'),
  DeleteRule: onRule('elasticloadbalancing:DeleteRule'),
  DescribeTags: onAnyResource('elasticloadbalancing:DescribeTags'),
  AddTags: (input, scope) =>
    strings(input.ResourceArns).map(arn => {
      const target = existing('elasticloadbalancing:AddTags', scope, arn)
      return { ...target, context: { ...target.context, ...requestTagContext(tagsOf(input)) } }
    }),
  RemoveTags: (input, scope) =>
    strings(input.ResourceArns).map(arn => {
      const target = existing('elasticloadbalancing:RemoveTags', scope, arn)
      return { ...target, context: { ...target.context, 'aws:TagKeys': strings(input.TagKeys) } }
    })
}
