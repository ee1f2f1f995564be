// The migrate phase as the pipeline runs it: after the revision is registered, before the service
// changes. A failed command fails the run, saying that the service was not changed.
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { MigrateContext } from '../migrate/hook.js'
import type { MigrateResult } from '../phases.js'
import { phase, type Run } from './context.js'

export async function migratePhase(
  inputs: Inputs,
  run: Run,
  migration: {
    readonly context: MigrateContext
    /** What was left unchanged, for the failure message: `the service`, `the preview`. */
    readonly unchanged: string
  }
): Promise<void> {
  const migrate = run.deps.hooks.runMigrations
  if (!inputs.migrate || !migrate) return
  const report = run.state.report
  let result: MigrateResult
  try {
    result = await phase(
      run,
      'Migrate',
      () => migrate(inputs, migration.context),
      r => (r.succeeded ? 'ok' : 'failed')
    )
  } catch (error) {
    // Credentials that stop the phase half-way still leave the results of what ran.
    const partial = (error as { migrateResult?: MigrateResult }).migrateResult
    if (partial) report.migrateResult = partial
    throw error
  }
  report.migrateResult = result
  if (!result.succeeded) {
    const failed = result.tasks.find(t => !t.succeeded)
    throw new ActionError(
      `migration failed${failed ? `: ${failed.command.join(' ')}: ${failed.reason ?? `exit ${failed.exitCode ?? '?'}`}` : ''}; ${migration.unchanged} was not changed`
    )
  }
}
