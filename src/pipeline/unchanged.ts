// When the new revision would be what the service already runs, `unchanged` is a claim about the
// live service: its deployment of that revision must have completed, with its tasks healthy now.
// A deployment of it that failed (a crash loop without rollback, a run cancelled mid-rollout) is
// deployed again, and the log says why; one that completed but is not healthy now fails the run
// with the reason. A re-run of a failed or cancelled deploy so always comes to a real verdict.
import * as core from '@actions/core'
import { revisionName } from '../aws/names.js'
import type { Inputs } from '../inputs.js'
import { printForeign } from '../report/foreign.js'
import type { RolloutRequest, Strategy } from '../rollout/contract.js'
import type { ServicePlan } from '../service/plan.js'
import type { RevisionFacts } from '../taskdef/facts.js'
import { phase, type Run } from './context.js'
import { noTasksNote } from './rollout.js'

export type UnchangedOutcome =
  /** Checked: the report says unchanged, with the health evidence. */
  | { readonly kind: 'unchanged' }
  /** It runs the revision but not healthily: the report says failed, and why. */
  | { readonly kind: 'not-healthy' }
  /** Its deployment of the revision failed: deploy it again, going back to `previous` on failure. */
  | { readonly kind: 'redeploy'; readonly previous: string }
  /** Its deployment of the revision is still rolling out: follow it, going back to `previous` on failure. */
  | { readonly kind: 'follow'; readonly deploymentId: string; readonly previous: string }

export async function confirmUnchangedPhase(
  inputs: Inputs,
  run: Run,
  check: {
    readonly strategy: Strategy
    readonly plan: ServicePlan
    readonly running: RevisionFacts
    /** `the service already runs this task definition (…)`, in the mode's words. */
    readonly runsAlready: string
  }
): Promise<UnchangedOutcome> {
  const { strategy, plan, running } = check
  const report = run.state.report
  const request: RolloutRequest = {
    plan,
    target: running,
    previous: running,
    forceNewDeployment: false,
    wait: inputs.waitForServiceStability,
    timeoutMs: inputs.waitForMinutes * 60_000,
    rollbackOnFailure: false
  }
  const result = await phase(run, 'Check the running deployment', () => strategy.checkRunning(request))
  report.deploymentId = result.deploymentId
  if (result.kind === 'in-progress') {
    const back = result.serving ?? running.arn
    printForeign(
      `${check.runsAlready}, and its deployment ${result.deploymentId} is still rolling out: following it to a verdict${result.serving ? ` (${revisionName(back)} still serves and is what a failure goes back to)` : ''}`
    )
    return { kind: 'follow', deploymentId: result.deploymentId, previous: back }
  }
  if (result.kind === 'failed-deployment') {
    const back = result.serving ?? running.arn
    core.warning(
      `${check.runsAlready}, but ${result.reason}: deploying ${revisionName(running.arn)} again (force-new-deployment)${result.serving ? `; ${revisionName(back)} still serves and is what a failure goes back to` : ''}`
    )
    return { kind: 'redeploy', previous: back }
  }
  report.taskDefinitionArn = running.arn
  if (result.decision) {
    report.evidence = result.decision.progress.targetGroups
    if (result.decision.kind === 'failed') report.failureEvidence = result.decision.failure.evidence
  }
  if (result.kind === 'unhealthy') {
    report.status = 'failed'
    report.reason = `${check.runsAlready}, but ${result.reason}. Nothing was changed: set force-new-deployment: true to replace its tasks, or deploy another revision.`
    return { kind: 'not-healthy' }
  }
  report.status = 'unchanged'
  const decision = result.decision
  report.healthGate = decision
    ? decision.reason
    : 'not checked: wait-for-service-stability is false (ECS says its deployment did not fail)'
  report.reason = decision
    ? `${check.runsAlready}; its deployment ${result.deploymentId} completed and is healthy, so nothing was registered or deployed`
    : `${check.runsAlready}; its deployment ${result.deploymentId} did not fail (health not checked: wait-for-service-stability is false), so nothing was registered or deployed`
  const noTasks = decision ? noTasksNote(decision.progress.desired) : undefined
  if (noTasks) {
    core.warning(noTasks)
    report.healthGate = noTasks
    report.evidence = []
  }
  printForeign(report.reason)
  return { kind: 'unchanged' }
}
