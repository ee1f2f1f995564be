// Which strategy carries a rollout out, from the service's own configuration (service/strategy.ts
// names it): the one place that branches on it. Each strategy's wiring is read and checked here,
// during the plan, so a service that lacks it fails before anything changes; the modes and the
// pipeline only ever see the Strategy contract.
import type { AwsClients } from '../aws/clients.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { ServicePlan } from '../service/plan.js'
import { rollingStrategy } from '../strategies/rolling/index.js'
import { ecsNativeStrategy } from '../strategies/ecs-native/index.js'
import { describeNativeSetup, nativeSetup } from '../strategies/ecs-native/verdict.js'
import { refuseReadyPauses } from './approval.js'
import type { RolloutDeps, Strategy } from './contract.js'

export interface PreparedStrategy {
  readonly strategy: Strategy
  /** What the plan says about this strategy's wiring (target groups, deployment group, bake time). */
  readonly planLines: readonly string[]
}

export interface StrategyOptions {
  readonly inputs: Pick<Inputs, 'waitUntil' | 'codedeploy'>
  readonly plan: ServicePlan
  readonly clients: AwsClients
  /** Everything a rollout needs but the clients (clock, backoff, log). */
  readonly deps: Omit<RolloutDeps, 'ecs' | 'elb' | 'codedeploy'>
}

export async function prepareStrategy(options: StrategyOptions): Promise<PreparedStrategy> {
  const { inputs, plan, clients } = options
  const strategy = plan.strategy.strategy
  if (inputs.waitUntil === 'ready' && strategy === 'rolling')
    throw new ActionError(
      `input wait-until: \`ready\` stops a blue/green deployment where it waits for approval (an ECS pause hook, or CodeDeploy's manual reroute); service ${plan.serviceName} deploys with the rolling strategy, which has no such point`
    )
  const deps: RolloutDeps = { ...options.deps, ecs: await clients.ecs(), elb: await clients.elb() }
  switch (strategy) {
    case 'rolling':
      return { strategy: rollingStrategy(deps), planLines: [] }
    case 'ecs-native': {
      // The blue/green wiring is checked now, so a service that lacks it fails before any change.
      const setup = nativeSetup(plan.service)
      // Only a pause before production moves is one promote and abort can act on.
      const refusal = inputs.waitUntil === 'ready' && refuseReadyPauses(plan.serviceName, setup.pauseStages)
      if (refusal) throw new ActionError(refusal)
      return {
        strategy: ecsNativeStrategy(deps, setup, inputs.waitUntil),
        planLines: describeNativeSetup(setup)
      }
    }
    case 'codedeploy': {
      // The application, the group and the AppSpec file are read now: a typo fails before any
      // change. Loaded only for CodeDeploy services, with the CodeDeploy client it brings.
      const { codeDeployStrategy, describeCodeDeploySetup, loadCodeDeploySetup } =
        await import('../strategies/codedeploy/index.js')
      const setup = await loadCodeDeploySetup(inputs, clients, plan)
      return {
        strategy: codeDeployStrategy({ ...deps, codedeploy: await clients.codedeploy() }, setup),
        planLines: describeCodeDeploySetup(setup)
      }
    }
  }
}
