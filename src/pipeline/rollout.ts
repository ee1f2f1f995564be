// The rollout phase of every mode: the strategy carries the rollout out (rollout/conclude.ts), and
// its result goes into the report: the revision tried and the one the service runs afterwards,
// the evidence of both the rollout and any rollback. A rollback gets its own row in the phase
// table, so a rolled-back deploy never reads "Rollout ok".
import * as core from '@actions/core'
import { revisionName } from '../aws/names.js'
import { LostTrackError } from '../errors.js'
import { pauseNotice } from '../service/approval.js'
import type { Inputs } from '../inputs.js'
import { carryOut } from '../rollout/conclude.js'
import type {
  RolloutRequest,
  RolloutResult,
  StartedDeployment,
  Strategy,
  Waiting
} from '../rollout/contract.js'
import type { ServicePlan } from '../service/plan.js'
import type { RevisionFacts } from '../taskdef/facts.js'
import type { Clock } from '../util/clock.js'
import { phase, type Mutable, type Run, type RunState } from './context.js'
import type { ReportData } from '../report/summary.js'

export interface RolloutPlan {
  readonly strategy: Strategy
  readonly plan: ServicePlan
  readonly target: RevisionFacts
  /** The known-good revision a failed rollout goes back to. */
  readonly previous: RevisionFacts
  readonly desiredCount?: number
  readonly forceNewDeployment: boolean
  readonly rollbackOnFailure: boolean
  /** A deployment already started (a preview's CreateService/UpdateService): followed, not started. */
  readonly started?: StartedDeployment
  /** mode promote: the waiting deployment to continue, then follow (the promote call is timed with it). */
  readonly promote?: Waiting
}

/** Rolls the target out as the inputs say (wait, timeout), and records the outcome. */
export async function rollOut(inputs: Inputs, run: Run, rollout: RolloutPlan): Promise<RolloutResult> {
  const request: RolloutRequest = {
    plan: rollout.plan,
    target: rollout.target,
    previous: rollout.previous,
    ...(rollout.desiredCount !== undefined && { desiredCount: rollout.desiredCount }),
    forceNewDeployment: rollout.forceNewDeployment,
    wait: inputs.waitForServiceStability,
    timeoutMs: inputs.waitForMinutes * 60_000,
    rollbackOnFailure: rollout.rollbackOnFailure
  }
  const report = run.state.report
  const { promote } = rollout
  const result = await rolloutPhase(run, rollout.target.arn, async () =>
    carryOut(
      rollout.strategy,
      request,
      rollout.started ?? (promote ? await rollout.strategy.promote(promote, request) : undefined)
    )
  )
  if (result.waiting) {
    // It waits for a person now: what promote and abort take is the deployment's id.
    report.status = 'ready'
    report.waiting = result.waiting
    report.deploymentId = result.waiting.deploymentId
    report.taskDefinitionArn = result.waiting.previousTaskDefinitionArn
    if (inputs.testUrl !== undefined) report.testUrl = inputs.testUrl
    report.reason = `${revisionName(result.waiting.taskDefinitionArn)} serves test traffic, healthy; ${pauseNotice(result.waiting)}`
    core.info(report.reason)
  }
  if (result.status === 'succeeded' && !inputs.waitForServiceStability)
    report.healthGate = 'not checked: wait-for-service-stability is false'
  const noTasks = result.status === 'succeeded' ? noTasksNote(result.decision?.progress.desired) : undefined
  if (noTasks) {
    // Done, but with nothing to show for it: green would claim a health gate that never ran.
    core.warning(noTasks)
    report.status = 'no-tasks'
    report.healthGate = noTasks
    report.evidence = []
  }
  return result
}

/** A service that runs no task (desired count 0) starts nothing, so nothing is health-checked. */
export function noTasksNote(desired: number | undefined): string | undefined {
  return desired === 0
    ? 'the service runs 0 tasks (desired count 0): no task was started and nothing was health-checked'
    : undefined
}

/** Records a rollout's result in the report and the phase table (a rollback in its own row). */
export async function rolloutPhase(
  run: { readonly state: RunState; readonly deps: { readonly clock: Clock } },
  attemptedArn: string,
  roll: () => Promise<RolloutResult>
): Promise<RolloutResult> {
  const { state } = run
  state.report.attemptedTaskDefinitionArn = attemptedArn
  let result: RolloutResult
  try {
    result = await phase(run, 'Rollout', roll, r => (r.status === 'succeeded' ? 'ok' : 'failed'))
  } catch (error) {
    // The deployment was started and goes on without us: its id is still an output, and the
    // revision it rolls out is what the service is moving to.
    if (error instanceof LostTrackError) {
      state.report.deploymentId = error.deploymentId
      state.report.taskDefinitionArn = attemptedArn
    }
    throw error
  }
  const rollout = state.timings.at(-1)
  if (result.rollbackDurationMs !== undefined && rollout?.phase === 'Rollout') {
    state.timings.splice(
      -1,
      1,
      { ...rollout, durationMs: Math.max(0, rollout.durationMs - result.rollbackDurationMs) },
      {
        phase: 'Rollback',
        durationMs: result.rollbackDurationMs,
        outcome: result.status === 'rolled-back' ? 'ok' : 'failed'
      }
    )
  }
  applyRollout(state.report, attemptedArn, result)
  return result
}

function applyRollout(report: Mutable<ReportData>, attemptedArn: string, result: RolloutResult): void {
  report.status = result.status
  report.deploymentId = result.deploymentId
  report.attemptedTaskDefinitionArn = attemptedArn
  report.taskDefinitionArn = result.taskDefinitionArn
  if (result.reason) report.reason = result.reason
  const decision = result.decision
  if (decision) {
    report.evidence = decision.progress.targetGroups
    if (decision.kind === 'done') report.healthGate = decision.reason
    if (decision.progress.timeline) report.timeline = decision.progress.timeline
  }
  if (decision?.kind === 'failed') report.failureEvidence = decision.failure.evidence
  if (result.rollback) {
    const rollback = result.rollback.decision
    report.rollback = {
      deploymentId: result.rollback.deploymentId,
      byEcs: result.rollback.byEcs,
      ...(result.rollback.startedBy !== undefined && { startedBy: result.rollback.startedBy }),
      healthy: rollback.kind === 'done',
      reason: rollback.reason,
      evidence: rollback.progress.targetGroups,
      ...(rollback.kind === 'failed' && { failureEvidence: rollback.failure.evidence })
    }
  }
}
