// Which rollout the service asks for. The service's own configuration decides, never an input:
// a service set up for CodeDeploy must not be rolled by UpdateService behind CodeDeploy's back.
import type { Service } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'

export type Strategy = 'rolling' | 'codedeploy' | 'ecs-native'

export interface StrategyChoice {
  readonly strategy: Strategy
  /** Why, in words, for the plan. */
  readonly because: string
}

export function chooseStrategy(service: Service): StrategyChoice {
  const controller = service.deploymentController?.type ?? 'ECS'
  if (controller === 'CODE_DEPLOY') {
    return { strategy: 'codedeploy', because: 'the service uses the CODE_DEPLOY deployment controller' }
  }
  if (controller === 'EXTERNAL') {
    throw new ActionError(
      `service ${service.serviceName ?? '?'} uses the EXTERNAL deployment controller; ecs-ship deploys only services controlled by ECS or CodeDeploy`
    )
  }
  const strategy = service.deploymentConfiguration?.strategy
  if (strategy === 'BLUE_GREEN' || strategy === 'LINEAR' || strategy === 'CANARY') {
    return { strategy: 'ecs-native', because: `the service's deployment strategy is ECS-native ${strategy}` }
  }
  return {
    strategy: 'rolling',
    because: `the ECS deployment controller with the ${strategy ?? 'default'} rolling strategy`
  }
}
