// The orchestrator: one run of the action. It reads the inputs, hands the run to its mode
// (src/modes/, which sequence the phases of src/pipeline/; see docs/ARCHITECTURE.md), and writes
// the outputs and the job summary in `finally`, so a failed run still explains itself. Nothing in
// AWS changes before every input and the task-definition file have been validated.
import * as core from '@actions/core'
import { createAwsClients, type AwsClients } from './aws/clients.js'
import { ActionError, describeError } from './errors.js'
import { getInputs, type Inputs } from './inputs.js'
import type { RunTracking } from './github/run-tracking.js'
import { deployMode } from './modes/deploy.js'
import { previewMode } from './modes/preview.js'
import { previewDestroyMode } from './modes/preview-destroy.js'
import { rollbackMode } from './modes/rollback.js'
import { phase, type PhaseHooks, type Run, type RunDeps, type RunState } from './pipeline/context.js'
import { cancellationMessage } from './report/cancellation.js'
import { renderSummary, type ReportData, type RunStatus } from './report/summary.js'
import { systemClock, type Clock } from './util/clock.js'
import { parseMigrateCommands } from './migrate/command.js'
import { migrationInFlightMessage } from './migrate/cancel.js'

export type { PhaseHooks } from './pipeline/context.js'

/**
 * The phases that live in their own modules, as the deploy pipeline calls them. The image and
 * migrate phases (and the ECR, STS and CloudWatch Logs clients they bring) load only in a run
 * that uses them: a plain rollout starts faster without compiling them.
 */
export const phaseHooks: PhaseHooks = {
  parseMigrateCommands,
  checkImageInputs: async inputs => {
    if (inputs.build) (await import('./image/validate.js')).validateImageInputs(inputs.build, process.env)
  },
  buildImage: async (inputs, context) => (await import('./image/index.js')).imagePhase(inputs, context),
  runMigrations: async (inputs, context) => {
    const { createMigrateHook } = await import('./migrate/hook.js')
    return createMigrateHook({ clock: systemClock, env: process.env })(inputs, context)
  }
}

/** A cleanup the post step runs; each reads what it needs from the state the main step saved (src/state.ts). */
export interface PostCleanup {
  readonly name: string
  run(): Promise<void>
}

/** The post step removes the buildx builder the image phase created, and logs out of its registries. */
export const postCleanups: PostCleanup[] = [
  {
    name: 'remove the buildx builder and log out of the image registry',
    run: async () => (await import('./image/index.js')).imageLogoutCleanup.run()
  }
]

export interface RunDependencies {
  readonly clock?: Clock
  readonly env?: NodeJS.ProcessEnv
  readonly clients?: (region: string) => AwsClients
  readonly hooks?: PhaseHooks
}

function setOutputs(report: ReportData): void {
  core.setOutput('status', report.status)
  core.setOutput('rolled-back', report.status === 'rolled-back' ? 'true' : 'false')
  if (report.taskDefinitionArn) core.setOutput('task-definition-arn', report.taskDefinitionArn)
  if (report.previousTaskDefinitionArn)
    core.setOutput('previous-task-definition-arn', report.previousTaskDefinitionArn)
  if (report.deploymentId) core.setOutput('deployment-id', report.deploymentId)
  if (report.previewUrl) core.setOutput('preview-url', report.previewUrl)
  if (report.imageResult) {
    core.setOutput('image-uri', report.imageResult.imageUri)
    core.setOutput('image-digest', report.imageResult.imageDigest)
    core.setOutput('image-tag', report.imageResult.imageTag)
    core.setOutput('image-built', report.imageResult.imageBuilt ? 'true' : 'false')
  }
  // The last task that really ran: a refused or unstarted command has no ARN and no exit code.
  const lastMigrate = [...(report.migrateResult?.tasks ?? [])]
    .reverse()
    .find(task => task.taskArn !== undefined)
  if (lastMigrate?.taskArn) core.setOutput('migrate-task-arn', lastMigrate.taskArn)
  if (lastMigrate?.exitCode !== undefined) core.setOutput('migrate-exit-code', String(lastMigrate.exitCode))
}

const FAILED_STATUSES: readonly RunStatus[] = ['failed', 'rolled-back']

type ModeFlow = (inputs: Inputs, run: Run) => Promise<void>
const MODES: Record<Inputs['mode'], ModeFlow> = {
  deploy: deployMode,
  rollback: rollbackMode,
  preview: previewMode,
  'preview-destroy': previewDestroyMode
}

export async function run(dependencies: RunDependencies = {}): Promise<void> {
  const deps: RunDeps = {
    clock: dependencies.clock ?? systemClock,
    env: dependencies.env ?? process.env,
    clients: dependencies.clients ?? createAwsClients,
    hooks: dependencies.hooks ?? phaseHooks
  }
  const state: RunState = { timings: [], report: { mode: 'deploy', status: 'failed', timings: [] } }
  state.report.timings = state.timings
  const runContext: Run = { state, deps }
  let tracking: RunTracking | undefined
  let environmentUrl: string | undefined
  // A cancelled workflow gets SIGINT then SIGTERM: say what state the service is left in, then exit
  // promptly (the runner kills the process a few seconds later anyway).
  const onSignal = (signal: NodeJS.Signals): void => {
    // The migrate phase's own listener never gets to speak (this one exits first), so its
    // message about the task left running is taken from here.
    const message =
      (state.current === 'Migrate' ? migrationInFlightMessage() : undefined) ??
      cancellationMessage(state.report, state.current)
    core.error(`${message} (${signal})`)
    process.exit(1)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const inputs = await phase(runContext, 'Inputs', async () =>
      getInputs({
        env: deps.env,
        ...(deps.hooks.parseMigrateCommands && { parseMigrateCommands: deps.hooks.parseMigrateCommands })
      })
    )
    state.report.mode = inputs.mode
    state.report.cluster = inputs.cluster
    state.report.service = inputs.service
    environmentUrl = inputs.github.environmentUrl
    if (inputs.github.environment || inputs.mode === 'preview' || inputs.mode === 'preview-destroy') {
      const { startTracking } = await import('./github/run-tracking.js')
      tracking = await startTracking(inputs, deps.env)
    }
    await MODES[inputs.mode](inputs, runContext)
    if (FAILED_STATUSES.includes(state.report.status))
      core.setFailed(state.report.reason ?? 'the deploy failed')
  } catch (error) {
    state.report.status = 'failed'
    state.report.reason = describeError(error)
    core.setFailed(state.report.reason)
    if (!(error instanceof ActionError) && error instanceof Error && error.stack) core.debug(error.stack)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (tracking) {
      const { finishTracking } = await import('./github/run-tracking.js')
      const report = state.report
      await finishTracking(tracking, {
        succeeded: !FAILED_STATUSES.includes(report.status),
        ...(report.reason !== undefined && { description: report.reason }),
        ...((report.previewUrl ?? environmentUrl) !== undefined && {
          environmentUrl: report.previewUrl ?? environmentUrl
        }),
        ...(report.image !== undefined && { image: report.image }),
        ...(report.service !== undefined && { service: report.service }),
        ...(report.taskDefinitionArn !== undefined && { taskDefinitionArn: report.taskDefinitionArn })
      })
    }
    setOutputs(state.report)
    try {
      await core.summary.addRaw(renderSummary(state.report)).write()
    } catch (error) {
      core.warning(`could not write the job summary: ${describeError(error)}`)
    }
  }
}

export async function runPost(cleanups: readonly PostCleanup[] = postCleanups): Promise<void> {
  for (const cleanup of cleanups) {
    try {
      await cleanup.run()
    } catch (error) {
      // A cleanup that fails must not hide the others, nor fail a job whose deploy succeeded.
      core.warning(`post step, ${cleanup.name}: ${describeError(error)}`)
    }
  }
}
