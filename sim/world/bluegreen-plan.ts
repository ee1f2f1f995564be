// The lifecycle of an ECS blue/green, linear or canary deployment, as data: the documented
// stages in order, with the steps ECS carries out in each. Pure functions of the deployment
// configuration; controllers/bluegreen/ carries the steps out.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHookStage,
  ServiceDeploymentLifecycleStage
} from '@aws-sdk/client-ecs'

/** One step of a deployment's lifecycle; a deployment carries its steps out in order. */
export type LifecycleStep =
  | { readonly kind: 'enter'; readonly stage: ServiceDeploymentLifecycleStage }
  | { readonly kind: 'hooks'; readonly stage: DeploymentLifecycleHookStage }
  | { readonly kind: 'reconcile' }
  | { readonly kind: 'launch-green' }
  | { readonly kind: 'await-green-healthy' }
  | { readonly kind: 'shift-test-traffic' }
  | { readonly kind: 'shift-production-traffic'; readonly percent: number }
  | { readonly kind: 'wait'; readonly minutes: number }
  | { readonly kind: 'stop-blue' }
  | { readonly kind: 'await-blue-stopped' }
  | { readonly kind: 'complete' }

/** The production weights (percent on green) of each traffic shift step, the last one 100. */
export function productionPercents(config: DeploymentConfiguration): number[] {
  switch (config.strategy) {
    case 'LINEAR': {
      // Equal increments of stepPercent (default 10) until all traffic has moved.
      const step = config.linearConfiguration?.stepPercent ?? 10
      const percents: number[] = []
      for (let i = 1; i * step < 100; i++) percents.push(Math.round(i * step * 10) / 10)
      return [...percents, 100]
    }
    case 'CANARY': {
      const canary = config.canaryConfiguration?.canaryPercent ?? 5
      return canary < 100 ? [canary, 100] : [100]
    }
    default:
      return [100]
  }
}

/** Minutes ECS waits between two production traffic shift steps (never after the last one). */
export function stepBakeMinutes(config: DeploymentConfiguration): number {
  if (config.strategy === 'LINEAR') return config.linearConfiguration?.stepBakeTimeInMinutes ?? 6
  if (config.strategy === 'CANARY') return config.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10
  return 0
}

const enter = (stage: ServiceDeploymentLifecycleStage): LifecycleStep => ({ kind: 'enter', stage })
const hooks = (stage: DeploymentLifecycleHookStage): LifecycleStep => ({ kind: 'hooks', stage })

function productionShiftSteps(config: DeploymentConfiguration): LifecycleStep[] {
  const percents = productionPercents(config)
  const pause = stepBakeMinutes(config)
  // Hooks of PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT run at every step of a
  // linear or canary shift, the first before the weights change, the second after.
  return percents.flatMap((percent, i): LifecycleStep[] => [
    hooks('PRE_PRODUCTION_TRAFFIC_SHIFT'),
    { kind: 'shift-production-traffic', percent },
    hooks('PRODUCTION_TRAFFIC_SHIFT'),
    ...(i < percents.length - 1 ? [{ kind: 'wait', minutes: pause } as const] : [])
  ])
}

/**
 * Every step of a deployment, in the documented order of its lifecycle stages. RECONCILE_SERVICE
 * only happens when the deployment starts with more than one service revision active.
 */
export function lifecyclePlan(config: DeploymentConfiguration, reconcile: boolean): LifecycleStep[] {
  return [
    ...(reconcile
      ? [enter('RECONCILE_SERVICE'), { kind: 'reconcile' } as const, hooks('RECONCILE_SERVICE')]
      : []),
    enter('PRE_SCALE_UP'),
    hooks('PRE_SCALE_UP'),
    enter('SCALE_UP'),
    { kind: 'launch-green' },
    { kind: 'await-green-healthy' },
    enter('POST_SCALE_UP'),
    hooks('POST_SCALE_UP'),
    enter('TEST_TRAFFIC_SHIFT'),
    { kind: 'shift-test-traffic' },
    hooks('TEST_TRAFFIC_SHIFT'),
    enter('POST_TEST_TRAFFIC_SHIFT'),
    hooks('POST_TEST_TRAFFIC_SHIFT'),
    enter('PRODUCTION_TRAFFIC_SHIFT'),
    ...productionShiftSteps(config),
    enter('POST_PRODUCTION_TRAFFIC_SHIFT'),
    hooks('POST_PRODUCTION_TRAFFIC_SHIFT'),
    enter('BAKE_TIME'),
    { kind: 'wait', minutes: config.bakeTimeInMinutes ?? 0 },
    enter('CLEAN_UP'),
    { kind: 'stop-blue' },
    { kind: 'await-blue-stopped' },
    { kind: 'complete' }
  ]
}
