// Shared set-up of the end-to-end tests: one simulator per test file, reset to the django-web
// fixture before each test, and the bundled action run against it as the runner runs it.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'
import {
  bundledEntry,
  runAction,
  type ActionRun,
  type RunActionOptions
} from '../../scripts/lib/run-action.js'

export const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web'

/** Registers beforeAll/afterAll/beforeEach for a simulator; call at the top of a test file. */
export function useSimulator(timeScale = 0.05, fixture = 'django-web'): () => RunningSimulator {
  let sim: RunningSimulator | undefined
  beforeAll(async () => {
    if (!existsSync(bundledEntry()))
      throw new Error('dist/index.js is missing: run `npm run bundle` before the end-to-end tests')
    sim = await startSimulator({ timeScale })
  })
  afterAll(async () => {
    await sim?.close()
  })
  beforeEach(async () => {
    await sim?.control.reset()
    await sim?.control.loadFixture(fixture)
  })
  return () => {
    if (!sim) throw new Error('the simulator is not running')
    return sim
  }
}

export interface RunOnSimOptions extends Partial<Omit<RunActionOptions, 'inputs'>> {
  /** Shortest poll interval (the longest is five times it); the tests poll quickly. */
  readonly pollMs?: number
}

/** Runs dist/index.js against the simulator for cluster demo, service web. */
export function runOnSim(
  sim: RunningSimulator,
  inputs: Record<string, string>,
  options: RunOnSimOptions = {}
): Promise<ActionRun> {
  const { pollMs = 100, env, ...rest } = options
  return runAction({
    timeoutMs: 120_000,
    ...rest,
    inputs: { cluster: 'demo', service: 'web', 'wait-for-minutes': '10', ...inputs },
    env: {
      AWS_ENDPOINT_URL: sim.url,
      ECS_SHIP_POLL_MIN_MS: String(pollMs),
      ECS_SHIP_POLL_MAX_MS: String(pollMs * 5),
      ...env
    }
  })
}

/**
 * Writes an AppSpec for the simulator's web service (container web:8000) with one lifecycle hook
 * into dir, and returns its path.
 */
export function writeAppspecWithHook(dir: string, event: string, fn: string): string {
  const file = join(dir, `appspec-${event}.yaml`)
  writeFileSync(
    file,
    [
      'version: 0.0',
      'Resources:',
      '  - TargetService:',
      '      Type: AWS::ECS::Service',
      '      Properties:',
      '        TaskDefinition: <TASK_DEFINITION>',
      '        LoadBalancerInfo:',
      '          ContainerName: web',
      '          ContainerPort: 8000',
      'Hooks:',
      `  - ${event}: ${fn}`,
      ''
    ].join('\n')
  )
  return file
}
