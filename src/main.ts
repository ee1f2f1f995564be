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
import { promoteMode } from './modes/promote.js'
import { abortMode } from './modes/abort.js'
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
  /** How a cancelled run ends (process.exit in the action). */
  readonly exit?: (code: number) => void
}

function setOutputs(report: ReportData): void {
  core.setOutput('status', report.status)
  core.setOutput('rolled-back', report.status === 'rolled-back' ? 'true' : 'false')
  if (report.taskDefinitionArn) core.setOutput('task-definition-arn', report.taskDefinitionArn)
  if (report.previousTaskDefinitionArn)
    core.setOutput('previous-task-definition-arn', report.previousTaskDefinitionArn)
  if (report.deploymentId) core.setOutput('deployment-id', report.deploymentId)
  if (report.previewUrl) core.setOutput('preview-url', report.previewUrl)
  if (report.waiting?.hookId) core.setOutput('hook-id', report.waiting.hookId)
  if (report.waiting?.expiresAt !== undefined)
    core.setOutput('expires-at', new Date(report.waiting.expiresAt).toISOString())
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

const FAILED_STATUSES: readonly RunStatus[] = ['failed', 'rolled-back', 'cancelled']

/**
 * How long a cancelled run takes to write its outputs, job summary and GitHub Deployment status
 * before it exits: the runner sends SIGTERM about 7.5 s after SIGINT and kills the process soon after.
 */
const CANCEL_REPORT_MS = 5000

type ModeFlow = (inputs: Inputs, run: Run) => Promise<void>
const MODES: Record<Inputs['mode'], ModeFlow> = {
  deploy: deployMode,
  rollback: rollbackMode,
  preview: previewMode,
  'preview-destroy': previewDestroyMode,
  promote: promoteMode,
  abort: abortMode
}

/** What the GitHub side records of a run, once (tracking starts after the inputs are read). */
interface Reporting {
  tracking?: RunTracking
  environmentUrl?: string
}

/** Outputs, the GitHub Deployment's final status and the job summary: whatever way the run ends. */
async function writeReport(state: RunState, reporting: Reporting): Promise<void> {
  const report = state.report
  // Nothing reached the service (a failure before the rollout): it runs what it ran.
  if (report.taskDefinitionArn === undefined && report.status !== 'dry-run')
    report.taskDefinitionArn = report.previousTaskDefinitionArn
  if (reporting.tracking) {
    const { finishTracking } = await import('./github/run-tracking.js')
    const waiting = report.status === 'ready'
    // While it waits, the deployment points at the test traffic; afterwards at the environment.
    const url =
      report.previewUrl ?? (waiting ? (report.testUrl ?? reporting.environmentUrl) : reporting.environmentUrl)
    await finishTracking(reporting.tracking, {
      succeeded: !FAILED_STATUSES.includes(report.status),
      waiting,
      ...(report.reason !== undefined && { description: report.reason }),
      ...(url !== undefined && { environmentUrl: url }),
      ...(report.image !== undefined && { image: report.image }),
      ...(report.service !== undefined && { service: report.service }),
      ...(report.taskDefinitionArn !== undefined && { taskDefinitionArn: report.taskDefinitionArn })
    })
  }
  setOutputs(report)
  try {
    await core.summary.addRaw(renderSummary(report)).write()
  } catch (error) {
    core.warning(`could not write the job summary: ${describeError(error)}`)
  }
}

export async function run(dependencies: RunDependencies = {}): Promise<void> {
  const deps: RunDeps = {
    clock: dependencies.clock ?? systemClock,
    env: dependencies.env ?? process.env,
    clients: dependencies.clients ?? createAwsClients,
    hooks: dependencies.hooks ?? phaseHooks
  }
  const exit = dependencies.exit ?? ((code: number) => process.exit(code))
  const state: RunState = { timings: [], report: { mode: 'deploy', status: 'failed', timings: [] } }
  state.report.timings = state.timings
  const runContext: Run = { state, deps }
  const reporting: Reporting = {}
  let reported: Promise<void> | undefined
  const report = () => (reported ??= writeReport(state, reporting))
  let cancelled = false

  // A cancelled workflow gets SIGINT, then SIGTERM some seconds later. Say where the service is
  // and what a re-run does, write the outputs, the summary and a final GitHub Deployment status
  // within a bound, then exit; the flow itself is abandoned where it stands.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancelled) return
    cancelled = true
    const message =
      (state.current === 'Migrate' ? migrationInFlightMessage() : undefined) ??
      cancellationMessage(state.report, state.current, state.rollback)
    state.report.status = 'cancelled'
    state.report.reason = message
    // Mid-rollout, the service is on its way to the new revision, or back to the old one.
    if (state.current === 'Rollout')
      state.report.taskDefinitionArn = state.rollback?.to ?? state.report.attemptedTaskDefinitionArn
    core.setFailed(`${message} (${signal})`)
    const bound = new Promise<void>(resolve => setTimeout(resolve, CANCEL_REPORT_MS).unref())
    void Promise.race([report(), bound])
      .catch(() => undefined)
      .finally(() => exit(1))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
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
    reporting.environmentUrl = inputs.github.environmentUrl
    if (inputs.github.environment || inputs.mode === 'preview' || inputs.mode === 'preview-destroy') {
      const { startTracking } = await import('./github/run-tracking.js')
      reporting.tracking = await startTracking(inputs, deps.env)
    }
    await MODES[inputs.mode](inputs, runContext)
    if (!cancelled && FAILED_STATUSES.includes(state.report.status))
      core.setFailed(state.report.reason ?? 'the deploy failed')
  } catch (error) {
    // After a cancel the report already says what happened; what the abandoned flow throws does not.
    if (!cancelled) {
      state.report.status = 'failed'
      state.report.reason = describeError(error)
      core.setFailed(state.report.reason)
      if (!(error instanceof ActionError) && error instanceof Error && error.stack) core.debug(error.stack)
    }
  } finally {
    if (!cancelled) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    await report()
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
