// What the action says when the workflow is cancelled (the runner sends SIGINT, then SIGTERM):
// the state it leaves the service in, from the phase the run was really in, and what a re-run
// does from there. Every message leads a re-run to a real verdict. Pure, so every phase's wording
// is tested.
import { revisionName } from '../aws/names.js'
import type { ReportData } from './summary.js'

/** Phases after which the service itself may have changed. */
const SERVICE_TOUCHING = new Set(['Rollout', 'Preview resources', 'Destroy preview'])

/** A failed rollout going back when the cancel came (RunState.rollback). */
export interface RollbackUnderway {
  readonly to: string
  readonly because: string
}

export function cancellationMessage(
  report: ReportData,
  phase: string | undefined,
  rollback?: RollbackUnderway
): string {
  const service = `service ${report.service ?? '?'} in cluster ${report.cluster ?? '?'}`
  const deploying = report.attemptedTaskDefinitionArn ?? report.taskDefinitionArn
  if (phase === 'Preview resources')
    return `cancelled while creating or updating the preview's resources (target group, listener rule, ${service}): some may exist and others not. Run the preview again to finish them, or preview-destroy to remove what was created.`
  if (phase === 'Destroy preview')
    return `cancelled while destroying the preview: some of its resources may be left. Run preview-destroy again; it deletes what is left and nothing else.`
  if (phase === undefined || !SERVICE_TOUCHING.has(phase)) {
    const registered = deploying && deploying !== report.previousTaskDefinitionArn
    return [
      `cancelled during ${phase ?? 'start-up'}: the ${service} was not changed`,
      report.previousTaskDefinitionArn ? ` and still runs ${report.previousTaskDefinitionArn}` : '',
      registered ? ` (${deploying} was registered but not deployed)` : '',
      '. A new run starts from there.'
    ].join('')
  }
  if (rollback) return rollbackMessage(report, service, rollback)
  const carriesOn =
    report.strategy === 'codedeploy'
      ? `CodeDeploy carries on with its deployment${report.deploymentId ? ` ${report.deploymentId}` : ''} of ${deploying ?? 'the new revision'} to the ${service} (and rolls back by itself if its deployment group says so)`
      : `ECS carries on with the deployment of ${deploying ?? 'the new revision'} to the ${service} (with its circuit breaker, if the service has one)`
  return [
    `cancelled while rolling out: ${carriesOn}, but nothing is watching its health now.`,
    ' Re-run the workflow to follow it to a verdict',
    report.previousTaskDefinitionArn
      ? `, or run mode: rollback to put ${report.previousTaskDefinitionArn} back.`
      : '.'
  ].join('')
}

/**
 * Cancelled while a failed rollout was going back: the service is on its way to the known-good
 * revision (ECS, CodeDeploy or an ECS-native rollback carries on without us). A mode: rollback
 * would find nothing older to go to; a re-run waits for the rollback to settle and then deploys
 * the new revision again, to its own verdict.
 */
function rollbackMessage(report: ReportData, service: string, rollback: RollbackUnderway): string {
  const back = revisionName(rollback.to)
  const who =
    report.strategy === 'codedeploy'
      ? 'CodeDeploy carries the rollback on'
      : report.strategy === 'ecs-native'
        ? 'ECS carries its rollback of the service deployment on'
        : 'ECS carries the rollback deployment on'
  const failed = report.attemptedTaskDefinitionArn ?? report.taskDefinitionArn
  return [
    `cancelled while rolling back: the deploy${failed ? ` of ${revisionName(failed)}` : ''} failed (${rollback.because}), and the ${service} is going back to ${rollback.to}.`,
    ` ${who}, but nothing is watching its health now.`,
    ` Re-run the workflow: it waits for the rollback to settle, then deploys${failed ? ` ${revisionName(failed)}` : ' the new revision'} again to a verdict.`,
    ` To stay on ${back} instead, run nothing: the rollback finishes by itself.`
  ].join('')
}
