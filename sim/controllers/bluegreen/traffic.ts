// ECS-native blue/green traffic: the weights of the production and test listener rules, which
// ECS changes to shift traffic between the blue and green target groups ("Application Load
// Balancer resources for blue/green, linear, and canary deployments" in the developer guide).
import type { TrafficConfig } from '../../world/deployment-controller.js'
import { percentTo, setWeights } from '../../world/listener-weights.js'
import {
  recordMilestone,
  type BlueGreenRun,
  type SimDeployment,
  type SimService,
  type SimState
} from '../../world/model.js'

const targetGroupName = (state: SimState, arn: string) =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)?.group.TargetGroupName ?? arn

function weightsByName(state: SimState, ruleArn: string | undefined, traffic: TrafficConfig) {
  if (!ruleArn) return undefined
  const arns = [traffic.primaryTargetGroupArn, traffic.alternateTargetGroupArn]
  return Object.fromEntries(arns.map(arn => [targetGroupName(state, arn), percentTo(state, ruleArn, arn)]))
}

/** Sends `greenPercent` of a rule's traffic to green and the rest to blue. */
export function shiftTraffic(
  state: SimState,
  run: BlueGreenRun,
  ruleArn: string | undefined,
  greenPercent: number
): void {
  if (!ruleArn) return
  // Listener rule weights are whole numbers; a 2.5 % canary rounds to 3.
  const green = Math.round(greenPercent)
  setWeights(state, ruleArn, { [run.blueTargetGroupArn]: 100 - green, [run.greenTargetGroupArn]: green })
}

/** The target group that takes most production traffic (the service's own one on a tie). */
export function productionTargetGroup(state: SimState, traffic: TrafficConfig): string {
  const rule = traffic.productionListenerRule
  return percentTo(state, rule, traffic.alternateTargetGroupArn) >
    percentTo(state, rule, traffic.primaryTargetGroupArn)
    ? traffic.alternateTargetGroupArn
    : traffic.primaryTargetGroupArn
}

export function recordTraffic(
  state: SimState,
  svc: SimService,
  dep: SimDeployment,
  traffic: TrafficConfig
): void {
  recordMilestone(state, 'traffic-shifted', {
    deploymentId: dep.deployment.id,
    serviceName: svc.service.serviceName,
    production: weightsByName(state, traffic.productionListenerRule, traffic),
    test: weightsByName(state, traffic.testListenerRule, traffic)
  })
}
