// A rollback requested with StopServiceDeployment, for a rolling deployment ("Stopping Amazon ECS
// service deployments" in the developer guide). The API call only records the request
// (api/ecs-service-deployments.ts); ECS starts the rollback on its next pass: like the circuit
// breaker's, a new deployment of the last completed task definition replaces the stopped one.
// Blue/green runs start their own rollback (controllers/bluegreen/lifecycle.ts).
import { addEvent } from '../../runtime/events.js'
import { createDeployment, historyOf } from '../../runtime/service-deployments.js'
import type { SimService, SimState } from '../../world/model.js'

export function startRequestedRollback(state: SimState, svc: SimService, now: number): void {
  const stopped = svc.deployments.find(
    d => !d.blueGreen && d.rollbackRequestedAt !== undefined && now > d.rollbackRequestedAt
  )
  if (!stopped) return
  stopped.rollbackRequestedAt = undefined
  const history = historyOf(svc, stopped)
  const reason = 'A user requested a rollback with StopServiceDeployment.'
  const rollbackTo = svc.lastCompletedTaskDefinition
  if (!rollbackTo) {
    // A service's first deployment has no earlier revision to go back to.
    if (history)
      Object.assign(history, {
        status: 'ROLLBACK_FAILED',
        statusReason: 'There is no earlier service revision to roll back to.',
        finishedAt: new Date(now),
        updatedAt: new Date(now)
      })
    return
  }
  stopped.deployment.rolloutState = 'FAILED'
  stopped.deployment.rolloutStateReason = reason
  stopped.deployment.updatedAt = new Date(now)
  const rollback = createDeployment(
    state,
    svc,
    { taskDefinitionArn: rollbackTo, rollbackOf: stopped.deployment.id },
    now
  )
  if (history)
    Object.assign(history, {
      status: 'ROLLBACK_IN_PROGRESS',
      statusReason: reason,
      updatedAt: new Date(now),
      rollback: { reason, startedAt: new Date(now), serviceRevisionArn: rollback.serviceRevisionArn }
    })
  addEvent(
    svc,
    now,
    `(service ${svc.service.serviceName}) rolling back to deployment ${rollback.deployment.id}.`
  )
}
