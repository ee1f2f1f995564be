// The migrate phase as the pipeline runs it: after the revision is registered, before the service
// changes. A failed command fails the run, saying that the service was not changed. And the
// plan's check, before anything changes, that the migrate task's log can be read.
import * as core from '@actions/core'
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { ActionError, describeError } from '../errors.js'
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

/**
 * Right after the plan, when migrate-command is set: one read of the migrate container's log
 * group, as the log tail will read it. A role that may not read it gets a warning now, before
 * anything changes; the deploy goes on either way (the log is a convenience). Never fails.
 */
export async function checkMigrateLogs(
  inputs: Inputs,
  run: Run,
  source: { readonly clients: AwsClients; readonly taskDefinition: Record<string, unknown> }
): Promise<void> {
  if (!inputs.migrate || !run.deps.hooks.runMigrations) return
  try {
    // Loaded only for a run with migrations, like the migrate phase itself.
    const { accessCheckLocation, checkLogAccess, migrateContainerOf } =
      await import('../migrate/log-access.js')
    const taskDefinition = source.taskDefinition as TaskDefinition
    const container = migrateContainerOf(taskDefinition, {
      ...(inputs.migrate.container !== undefined && { migrateContainer: inputs.migrate.container }),
      containerNames: inputs.containerNames
    })
    const location = container ? accessCheckLocation(taskDefinition, container) : undefined
    // No awslogs stream to read: the migrate phase says so when it runs.
    if (!location) return
    const access = await checkLogAccess(await source.clients.logs(), location)
    if (access.kind === 'readable')
      core.info(`the migrate task's log will be read from log group ${access.logGroupName}`)
    else core.warning(access.warning)
  } catch (error) {
    core.warning(
      `migrate-command: could not check that the migrate task's log can be read (${describeError(error)})`
    )
  }
}
