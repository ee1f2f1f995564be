// Which rollout carries out a deploy, from the strategy the service asks for (src/plan/strategy.ts).
// Each takes the same request and answers the same result, so the modes never branch on it.
import type { AwsClients } from '../aws/clients.js'
import type { Strategy } from '../plan/strategy.js'
import type { CodeDeploySetup } from './codedeploy-setup.js'
import { rollOutNative } from './ecs-native.js'
import { rollOut, type RolloutDeps, type RolloutRequest, type RolloutResult } from './rolling.js'

export type Rollout = (deps: RolloutDeps, request: RolloutRequest) => Promise<RolloutResult>

export function rolloutFor(strategy: Strategy, codedeploy?: CodeDeploySetup): Rollout {
  switch (strategy) {
    case 'rolling':
      return rollOut
    case 'ecs-native':
      return rollOutNative
    case 'codedeploy':
      if (!codedeploy) throw new Error('a CodeDeploy rollout needs its deployment group (planPhase reads it)')
      // Loaded only for CodeDeploy services, with the CodeDeploy client it brings.
      return async (deps, request) =>
        (await import('./codedeploy.js')).rollOutCodeDeploy(codedeploy)(deps, request)
  }
}

/** The clients a strategy's rollout talks to, beyond ECS and ELB. */
export async function rolloutClients(
  strategy: Strategy,
  clients: AwsClients
): Promise<Pick<RolloutDeps, 'codedeploy'>> {
  return strategy === 'codedeploy' ? { codedeploy: await clients.codedeploy() } : {}
}
