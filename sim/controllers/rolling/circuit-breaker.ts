// The deployment circuit breaker of a rolling deployment, as the developer guide's "How the Amazon
// ECS deployment circuit breaker detects failures" describes it: once enough tasks of the
// deployment have failed in a row before becoming healthy (the threshold), the deployment is
// FAILED; with rollback on, ECS deploys the last completed revision again, and a rollback that
// fails in turn ends the service deployment ROLLBACK_FAILED with no further rollback.
import { addEvent } from '../../runtime/events.js'
import { circuitBreakerThreshold, createDeployment, historyOf } from '../../runtime/service-deployments.js'
import { recordMilestone, type SimDeployment, type SimService, type SimState } from '../../world/model.js'

const REASON = 'ECS deployment circuit breaker: tasks failed to start.'

/** Whether the breaker trips now: it is on, the deployment is in progress, and the threshold is reached. */
export function breakerTrips(svc: SimService, primary: SimDeployment): boolean {
  const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
  return (
    !!breaker?.enable &&
    primary.deployment.rolloutState === 'IN_PROGRESS' &&
    primary.failedTasks >= circuitBreakerThreshold(svc.service.desiredCount ?? 0, breaker)
  )
}

/** The breaker trips: the deployment FAILED, then a rollback, a failed rollback, or a stop. */
export function tripCircuitBreaker(
  state: SimState,
  svc: SimService,
  primary: SimDeployment,
  now: number
): void {
  const name = svc.service.serviceName ?? ''
  primary.deployment.rolloutState = 'FAILED'
  primary.deployment.rolloutStateReason = REASON
  primary.deployment.updatedAt = new Date(now)
  addEvent(
    svc,
    now,
    `(service ${name}) (deployment ${primary.deployment.id}) deployment failed: tasks failed to start.`
  )
  recordMilestone(state, 'rollout-failed', {
    deploymentId: primary.deployment.id,
    taskDefinition: primary.deployment.taskDefinition
  })
  const history = historyOf(svc, primary)
  if (history?.deploymentCircuitBreaker) {
    history.deploymentCircuitBreaker.status = 'TRIGGERED'
    history.deploymentCircuitBreaker.failureCount = primary.failedTasks
  }
  const rollbackTo = svc.lastCompletedTaskDefinition
  const rollbackOn = svc.service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback
  if (primary.rollbackOf) rollbackFailed(svc, primary, now)
  else if (rollbackOn && rollbackTo && rollbackTo !== primary.deployment.taskDefinition) {
    const rollback = createDeployment(
      state,
      svc,
      { taskDefinitionArn: rollbackTo, rollbackOf: primary.deployment.id },
      now
    )
    if (history) {
      history.status = 'ROLLBACK_IN_PROGRESS'
      history.statusReason = REASON
      history.rollback = {
        reason: REASON,
        startedAt: new Date(now),
        serviceRevisionArn: rollback.serviceRevisionArn
      }
    }
    addEvent(svc, now, `(service ${name}) rolling back to deployment ${rollback.deployment.id}.`)
  } else if (history) {
    history.status = 'STOPPED'
    history.statusReason = REASON
    history.finishedAt = history.stoppedAt = new Date(now)
  }
}

/**
 * The rollback itself failed. The developer guide: the deployment rolled back to is not eligible
 * for another rollback until it is COMPLETED, so ECS starts no further one and launches no new
 * tasks; the service deployment that failed first ends ROLLBACK_FAILED, and so does this one.
 */
function rollbackFailed(svc: SimService, rollback: SimDeployment, now: number): void {
  const reason = 'ECS deployment circuit breaker: the rollback failed: tasks failed to start.'
  const original = svc.history.find(h =>
    h.serviceDeploymentArn?.endsWith(`/${rollback.rollbackOf?.replace('ecs-svc/', '')}`)
  )
  for (const h of [original, historyOf(svc, rollback)])
    if (h) Object.assign(h, { status: 'ROLLBACK_FAILED', statusReason: reason, finishedAt: new Date(now) })
}
