// StopServiceDeployment, as the API reference and the developer guide ("Stopping Amazon ECS
// service deployments") describe it. The call only records the request: the deployment moves to
// ROLLBACK_REQUESTED, and ECS starts the rollback on its next pass (sim/bluegreen.ts for
// blue/green, linear and canary deployments, startRequestedRollback below for rolling ones).
import type {
  ServiceDeploymentStatus,
  StopServiceDeploymentRequest,
  StopServiceDeploymentResponse
} from '@aws-sdk/client-ecs'
import { addEvent, createDeployment } from '../../engine.js'
import type { SimService, SimState } from '../../world/model.js'
import { AwsError } from '../../world/aws-error.js'

/** The developer guide's list of states a deployment can be stopped in, and what stopping does. */
const STOPPABLE: Partial<Record<ServiceDeploymentStatus, 'roll back' | 'continues'>> = {
  PENDING: 'roll back',
  IN_PROGRESS: 'roll back',
  // Already stopping or rolling back: the request is accepted and the deployment carries on.
  STOP_REQUESTED: 'continues',
  ROLLBACK_REQUESTED: 'continues',
  ROLLBACK_IN_PROGRESS: 'continues'
}

function findServiceDeployment(state: SimState, arn: string) {
  for (const svc of state.services.values()) {
    const history = svc.history.find(h => h.serviceDeploymentArn === arn)
    if (history) return { svc, history }
  }
  return undefined
}

export function stopServiceDeployment(
  state: SimState,
  input: StopServiceDeploymentRequest,
  now: number
): StopServiceDeploymentResponse {
  const arn = input.serviceDeploymentArn
  if (!arn) throw new AwsError('InvalidParameterException', 'serviceDeploymentArn must be specified.')
  // ROLLBACK is the only stop type ECS supports; a request without one asks for it.
  if ((input.stopType ?? 'ROLLBACK') !== 'ROLLBACK')
    throw new AwsError(
      'InvalidParameterException',
      `The stop type ${input.stopType} isn't supported. The valid value is ROLLBACK.`
    )
  const found = findServiceDeployment(state, arn)
  if (!found)
    throw new AwsError('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`)
  const { svc, history } = found
  const status = history.status ?? 'PENDING'
  const effect = STOPPABLE[status]
  const deployment = svc.deployments.find(d => d.serviceDeploymentArn === arn)
  if (!effect || !deployment)
    throw new AwsError(
      'ConflictException',
      `The service deployment ${arn} is ${status} and can't be stopped: only deployments that have not finished can be.`
    )
  if (effect === 'roll back') {
    history.status = 'ROLLBACK_REQUESTED'
    history.statusReason = 'A user requested a rollback with StopServiceDeployment.'
    history.updatedAt = new Date(now)
    deployment.rollbackRequestedAt = now
  }
  return { serviceDeploymentArn: arn }
}

/**
 * A requested rollback of a rolling deployment: like the circuit breaker's, a new deployment of
 * the last completed task definition replaces the stopped one. Blue/green runs start their own.
 */
export function startRequestedRollback(state: SimState, svc: SimService, now: number): void {
  const stopped = svc.deployments.find(
    d => !d.blueGreen && d.rollbackRequestedAt !== undefined && now > d.rollbackRequestedAt
  )
  if (!stopped) return
  stopped.rollbackRequestedAt = undefined
  const history = svc.history.find(h => h.serviceDeploymentArn === stopped.serviceDeploymentArn)
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
  const rollback = createDeployment(state, svc, rollbackTo, now, stopped.deployment.id)
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
