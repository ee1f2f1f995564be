// What every phase of a run shares: the run's state (the report, phase timings, the phase running
// now), its dependencies (clock, environment, AWS clients, the phases plugged in by main.ts), and
// the phase wrapper: a core.group, timed, recorded in the phase table whatever its outcome.
import * as core from '@actions/core'
import type { AwsClients } from '../aws/clients.js'
import type { BuildImage } from '../image/index.js'
import type { MigrateCommandParser, Inputs } from '../inputs.js'
import type { RunMigrationsHook } from '../migrate/hook.js'
import type { PhaseTiming } from '../phases.js'
import type { ReportData } from '../report/summary.js'
import type { RollbackStart } from '../rollout/contract.js'
import type { Clock } from '../util/clock.js'

/**
 * Phases owned by other modules; src/main.ts wires the real ones (src/image/, src/migrate/).
 * Tests pass fakes, and a run whose phase is missing fails with a clear message before anything changes.
 */
export interface PhaseHooks {
  readonly parseMigrateCommands?: MigrateCommandParser
  /** Checks the build inputs against the disk (context, Dockerfile, secrets' variables) before any AWS call. */
  readonly checkImageInputs?: (inputs: Inputs) => Promise<void>
  /** Builds and pushes (or reuses) the image; its imageUri becomes the deployed image. */
  readonly buildImage?: BuildImage
  /** Runs the migrate commands as one-off tasks of the new revision, in the service's network. */
  readonly runMigrations?: RunMigrationsHook
}

export interface RunDeps {
  readonly clock: Clock
  readonly env: NodeJS.ProcessEnv
  readonly clients: (region: string) => AwsClients
  readonly hooks: PhaseHooks
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export interface RunState {
  readonly timings: PhaseTiming[]
  report: Mutable<ReportData>
  /** The phase running now (what a cancellation interrupts). */
  current?: string
  /** Set once a failed rollout starts going back: a cancellation then says so. */
  rollback?: RollbackStart
}

/** One run of the action as the phases see it: its state and its dependencies. */
export interface Run {
  readonly state: RunState
  readonly deps: RunDeps
}

export async function phase<T>(
  run: Pick<Run, 'state'> & { readonly deps: Pick<RunDeps, 'clock'> },
  name: string,
  fn: () => Promise<T>,
  /** The outcome of a phase that reports failure in its result rather than by throwing. */
  outcomeOf: (result: T) => PhaseTiming['outcome'] = () => 'ok'
): Promise<T> {
  const { state } = run
  const { clock } = run.deps
  return core.group(name, async () => {
    const start = clock.now()
    state.current = name
    try {
      const result = await fn()
      state.timings.push({ phase: name, durationMs: clock.now() - start, outcome: outcomeOf(result) })
      return result
    } catch (error) {
      state.timings.push({ phase: name, durationMs: clock.now() - start, outcome: 'failed' })
      throw error
    }
  })
}
