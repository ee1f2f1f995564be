// Which rollout carries out a deploy, from the strategy the service asks for (src/plan/strategy.ts).
// Each takes the same request and answers the same result, so the modes never branch on it.
import type { Strategy } from '../plan/strategy.js'
import { rollOutNative } from './ecs-native.js'
import { rollOut, type RolloutDeps, type RolloutRequest, type RolloutResult } from './rolling.js'

export type Rollout = (deps: RolloutDeps, request: RolloutRequest) => Promise<RolloutResult>

const ROLLOUTS: Partial<Record<Strategy, Rollout>> = {
  rolling: rollOut,
  'ecs-native': rollOutNative
}

export function rolloutFor(strategy: Strategy): Rollout {
  const rollout = ROLLOUTS[strategy]
  if (!rollout) throw new Error(`no rollout for the ${strategy} strategy`)
  return rollout
}
