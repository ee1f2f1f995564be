// What the action says when the workflow is cancelled (the runner sends SIGINT, then SIGTERM):
// the state it leaves the service in, and how to go on. Pure, so every phase's wording is tested.
import type { ReportData } from './summary.js'

/** Phases after which the service itself may have changed. */
const SERVICE_TOUCHING = new Set(['Rollout', 'Preview resources', 'Destroy preview'])

export function cancellationMessage(report: ReportData, phase: string | undefined): string {
  const service = `service ${report.service ?? '?'} in cluster ${report.cluster ?? '?'}`
  if (phase === 'Preview resources')
    return `cancelled while creating or updating the preview's resources (target group, listener rule, ${service}): some may exist and others not. Run the preview again to finish them, or preview-destroy to remove what was created.`
  if (phase === 'Destroy preview')
    return `cancelled while destroying the preview: some of its resources may be left. Run preview-destroy again; it deletes what is left and nothing else.`
  if (phase === undefined || !SERVICE_TOUCHING.has(phase)) {
    const registered =
      report.taskDefinitionArn && report.taskDefinitionArn !== report.previousTaskDefinitionArn
    return [
      `cancelled during ${phase ?? 'start-up'}: the ${service} was not changed`,
      report.previousTaskDefinitionArn ? ` and still runs ${report.previousTaskDefinitionArn}` : '',
      registered ? ` (${report.taskDefinitionArn} was registered but not deployed)` : '',
      '. A new run starts from there.'
    ].join('')
  }
  const carriesOn =
    report.strategy === 'codedeploy'
      ? `CodeDeploy carries on with its deployment${report.deploymentId ? ` ${report.deploymentId}` : ''} of ${report.taskDefinitionArn ?? 'the new revision'} to the ${service} (and rolls back by itself if its deployment group says so)`
      : `ECS carries on with the deployment of ${report.taskDefinitionArn ?? 'the new revision'} to the ${service} (with its circuit breaker, if the service has one)`
  return [
    `cancelled while rolling out: ${carriesOn}, but nothing is watching its health now.`,
    ' Re-run the workflow to follow it to a verdict',
    report.previousTaskDefinitionArn
      ? `, or run mode: rollback to put ${report.previousTaskDefinitionArn} back.`
      : '.'
  ].join('')
}
