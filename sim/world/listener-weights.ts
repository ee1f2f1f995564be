// Listener rules as traffic splits: the weights of a rule's forward action, which is what ECS
// changes to shift traffic between target groups and what DescribeRules answers.
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { SimState } from './model.js'

export function forwardActionOf(state: SimState, ruleOrListenerArn: string): Action | undefined {
  // An Application Load Balancer names a listener rule; a Network Load Balancer names a listener.
  const actions =
    state.rules.find(r => r.rule.RuleArn === ruleOrListenerArn)?.rule.Actions ??
    state.listeners.find(l => l.ListenerArn === ruleOrListenerArn)?.DefaultActions
  return actions?.find(a => a.Type === 'forward')
}

/** Percent of a rule's traffic that goes to a target group. */
export function percentTo(state: SimState, ruleArn: string, targetGroupArn: string): number {
  const forward = forwardActionOf(state, ruleArn)
  const groups = forward?.ForwardConfig?.TargetGroups ?? []
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0)
  if (total === 0) return forward?.TargetGroupArn === targetGroupArn ? 100 : 0
  const mine = groups.filter(g => g.TargetGroupArn === targetGroupArn)
  return Math.round((100 * mine.reduce((sum, g) => sum + (g.Weight ?? 1), 0)) / total)
}

export function setWeights(
  state: SimState,
  ruleArn: string,
  weights: Readonly<Record<string, number>>
): void {
  const forward = forwardActionOf(state, ruleArn)
  if (!forward) return
  const groups = (forward.ForwardConfig?.TargetGroups ?? []).map(g => ({ ...g }))
  for (const [arn, weight] of Object.entries(weights)) {
    const group = groups.find(g => g.TargetGroupArn === arn)
    if (group) group.Weight = weight
    else groups.push({ TargetGroupArn: arn, Weight: weight })
  }
  // A weighted forward names its groups in ForwardConfig only, as DescribeRules shows it.
  delete forward.TargetGroupArn
  forward.ForwardConfig = { ...forward.ForwardConfig, TargetGroups: groups }
}
