// Where a CodeDeploy ECS deployment sends traffic: it rewrites the default action of the
// deployment group's production and test listeners (and their default rules), forwarding to the
// original and replacement target groups with weights, as ELB's DescribeListeners then shows them.
// The production steps follow the deployment configuration: all at once, linear or canary.
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  ECS_DEPLOYMENT_CONFIGS,
  type LifecycleFailure,
  type SimCodeDeployment
} from '../../world/codedeploy-model.js'
import { scaled, type SimState } from '../../world/model.js'

const minutes = (state: SimState, n: number | undefined) => scaled(state, (n ?? 0) * 60)
const pairOf = (dep: SimCodeDeployment) => dep.info.loadBalancerInfo?.targetGroupPairInfoList?.[0]

function forwardAction(weights: { arn: string; weight: number }[]): Action {
  const serving = weights.filter(w => w.weight > 0)
  const only = serving.length === 1 ? serving[0] : undefined
  if (only)
    return {
      Type: 'forward',
      TargetGroupArn: only.arn,
      Order: 1,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: only.arn, Weight: 1 }] }
    }
  return {
    Type: 'forward',
    Order: 1,
    ForwardConfig: { TargetGroups: weights.map(w => ({ TargetGroupArn: w.arn, Weight: w.weight })) }
  }
}

/** Points the listeners' default rules at the two target groups, the green one taking greenPercent. */
export function route(
  state: SimState,
  dep: SimCodeDeployment,
  listenerArns: readonly string[],
  greenPercent: number
): LifecycleFailure | undefined {
  const blue = dep.blueTargetGroupArn ?? ''
  const green = dep.greenTargetGroupArn ?? ''
  for (const arn of listenerArns) {
    const listener = state.listeners.find(l => l.ListenerArn === arn)
    if (!listener) return { code: 'ELASTIC_LOAD_BALANCING_INVALID', message: `Listener ${arn} not found.` }
    const actions = [
      forwardAction([
        { arn: blue, weight: 100 - greenPercent },
        { arn: green, weight: greenPercent }
      ])
    ]
    listener.DefaultActions = actions
    const defaultRule = state.rules.find(r => r.listenerArn === arn && r.rule.IsDefault)
    if (defaultRule) defaultRule.rule.Actions = actions
    for (const tg of state.targetGroups.filter(t => [blue, green].includes(t.group.TargetGroupArn ?? ''))) {
      const lb = listener.LoadBalancerArn
      if (lb && !tg.group.LoadBalancerArns?.includes(lb))
        tg.group.LoadBalancerArns = [...(tg.group.LoadBalancerArns ?? []), lb]
    }
  }
  return undefined
}

export const prodListeners = (dep: SimCodeDeployment) => pairOf(dep)?.prodTrafficRoute?.listenerArns ?? []
export const testListeners = (dep: SimCodeDeployment) => pairOf(dep)?.testTrafficRoute?.listenerArns ?? []

/** The production steps of a deployment configuration: all at once, linear, or canary. */
export function trafficSteps(state: SimState, dep: SimCodeDeployment, now: number) {
  const routing = ECS_DEPLOYMENT_CONFIGS[dep.info.deploymentConfigName ?? '']?.trafficRoutingConfig
  const linear = routing?.timeBasedLinear
  const canary = routing?.timeBasedCanary
  if (routing?.type === 'TimeBasedLinear' && linear?.linearPercentage) {
    const step = linear.linearPercentage
    return Array.from({ length: Math.ceil(100 / step) }, (_, i) => ({
      at: now + minutes(state, i * (linear.linearInterval ?? 0)),
      greenPercent: Math.min(100, (i + 1) * step)
    }))
  }
  if (routing?.type === 'TimeBasedCanary' && canary?.canaryPercentage) {
    return [
      { at: now, greenPercent: canary.canaryPercentage },
      { at: now + minutes(state, canary.canaryInterval), greenPercent: 100 }
    ]
  }
  return [{ at: now, greenPercent: 100 }]
}
