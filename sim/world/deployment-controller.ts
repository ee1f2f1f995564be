// Which deployment controller moves a service forward: ECS's own rolling scheduler, ECS-native
// blue/green (controller ECS with strategy BLUE_GREEN, LINEAR or CANARY and a load balancer whose
// advancedConfiguration names the alternate target group and the listener rules ECS shifts), or
// task sets driven by CodeDeploy (controller CODE_DEPLOY). The ECS API reference:
// DeploymentController, DeploymentConfiguration, AdvancedConfiguration.
import type { SimService } from './model.js'

/** The load balancer settings ECS shifts blue/green traffic with. */
export interface TrafficConfig {
  readonly containerPort: number
  readonly primaryTargetGroupArn: string
  readonly alternateTargetGroupArn: string
  readonly productionListenerRule: string
  readonly testListenerRule?: string
}

const NATIVE_STRATEGIES = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY'])

export const isCodeDeployService = (svc: SimService): boolean =>
  svc.service.deploymentController?.type === 'CODE_DEPLOY'

export function trafficConfig(svc: SimService): TrafficConfig | undefined {
  // One load balancer with advanced settings is what ECS shifts; further ones are not modelled.
  const lb = svc.service.loadBalancers?.find(l => l.advancedConfiguration)
  const advanced = lb?.advancedConfiguration
  if (!lb?.targetGroupArn || lb.containerPort === undefined) return undefined
  if (!advanced?.alternateTargetGroupArn || !advanced.productionListenerRule) return undefined
  return {
    containerPort: lb.containerPort,
    primaryTargetGroupArn: lb.targetGroupArn,
    alternateTargetGroupArn: advanced.alternateTargetGroupArn,
    productionListenerRule: advanced.productionListenerRule,
    testListenerRule: advanced.testListenerRule
  }
}

/** Whether ECS deploys this service blue/green, linearly or as a canary with managed traffic shifting. */
export function usesBlueGreen(svc: SimService): boolean {
  const controller = svc.service.deploymentController?.type ?? 'ECS'
  const strategy = svc.service.deploymentConfiguration?.strategy ?? 'ROLLING'
  return controller === 'ECS' && NATIVE_STRATEGIES.has(strategy) && trafficConfig(svc) !== undefined
}
