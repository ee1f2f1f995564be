// Service deployments as ECS records them: DescribeServices lists the PRIMARY deployment and the
// ACTIVE ones it replaces; each has its service revision (DescribeServiceRevisions) and its
// service deployment (ListServiceDeployments, DescribeServiceDeployments), which carries the
// circuit breaker's state. The ECS API reference: Deployment, ServiceDeployment, ServiceRevision,
// DeploymentCircuitBreaker.
import type { DeploymentCircuitBreaker, ServiceDeployment, ServiceRevision } from '@aws-sdk/client-ecs'
import {
  digitsId,
  ecsArn,
  nameFromArn,
  type SimDeployment,
  type SimService,
  type SimState,
  type SimTask
} from '../world/model.js'

/**
 * The circuit breaker's failure threshold. The API reference (ServiceDeploymentCircuitBreaker,
 * ThresholdConfiguration) gives it as `value` percent of the desired count (50 by default),
 * clamped to at least 3 and at most 200 for BOUNDED_PERCENT (the default), unclamped for
 * UNBOUNDED_PERCENT, and `value` itself for COUNT. The API reference does not say how a fraction
 * is rounded: rounding up is our choice (it is what the developer guide's "Failure threshold"
 * section is quoted as saying). An unbounded threshold is at least 1, also our choice.
 */
export function circuitBreakerThreshold(desiredCount: number, breaker?: DeploymentCircuitBreaker): number {
  const config = breaker?.thresholdConfiguration
  const value = config?.value ?? 50
  if (config?.type === 'COUNT') return value
  const percent = Math.ceil((desiredCount * value) / 100)
  if (config?.type === 'UNBOUNDED_PERCENT') return Math.max(1, percent)
  return Math.min(200, Math.max(3, percent))
}

/** The service deployment (ServiceDeployment API) of a deployment. */
export const historyOf = (svc: SimService, dep: SimDeployment): ServiceDeployment | undefined =>
  svc.history.find(h => h.serviceDeploymentArn === dep.serviceDeploymentArn)

/** The deployment `ecs-svc/…` of whichever service has it. */
export function findDeployment(state: SimState, id: string): SimDeployment | undefined {
  for (const service of state.services.values()) {
    const dep = service.deployments.find(d => d.deployment.id === id)
    if (dep) return dep
  }
  return undefined
}

/**
 * A task of a deployment became healthy: a later failure of it no longer counts against the
 * circuit breaker, and with resetOnHealthyTask (true by default, DeploymentCircuitBreaker in the
 * API reference) the deployment's failure count goes back to 0. Counting goes on afterwards:
 * failedTasks is "the number of consecutively failed tasks".
 */
export function markHealthy(svc: SimService, dep: SimDeployment, simTask: SimTask): void {
  if (simTask.plan.everHealthy) return
  simTask.plan.everHealthy = true
  const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
  if (breaker?.resetOnHealthyTask === false || dep.failedTasks === 0) return
  dep.failedTasks = 0
  dep.deployment.failedTasks = 0
}

/** What a new deployment deploys; `rollbackOf` when it is ECS's own rollback of that deployment. */
export interface DeploymentSpec {
  readonly taskDefinitionArn: string
  readonly rollbackOf?: string
}

/**
 * A new deployment of the service: it becomes PRIMARY, and the deployments before it ACTIVE. It
 * gets its own service revision and service deployment; a service deployment still in progress
 * is STOPPED by it, unless the new one is a rollback of it.
 */
export function createDeployment(
  state: SimState,
  svc: SimService,
  spec: DeploymentSpec,
  now: number
): SimDeployment {
  const previous = svc.deployments[0]
  for (const d of svc.deployments) d.deployment.status = 'ACTIVE'
  const previousHistory = previous && historyOf(svc, previous)
  const unfinished = previousHistory?.status === 'IN_PROGRESS' || previousHistory?.status === 'PENDING'
  if (previousHistory && unfinished && !spec.rollbackOf) {
    previousHistory.status = 'STOPPED'
    previousHistory.statusReason = 'A newer service deployment was started.'
    previousHistory.finishedAt = new Date(now)
  }
  const deployment = newDeployment(state, svc, spec, now)
  svc.deployments.unshift(deployment)
  svc.service.taskDefinition = spec.taskDefinitionArn
  svc.revisions.push(serviceRevision(svc, deployment, now))
  svc.history.push(serviceDeployment(svc, { deployment, previous }, now))
  svc.steady = false
  return deployment
}

function newDeployment(state: SimState, svc: SimService, spec: DeploymentSpec, now: number): SimDeployment {
  const service = svc.service
  const id = `ecs-svc/${digitsId(state)}`
  const numeric = id.replace('ecs-svc/', '')
  const cluster = nameFromArn(service.clusterArn ?? '')
  return {
    deployment: {
      id,
      status: 'PRIMARY',
      taskDefinition: spec.taskDefinitionArn,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: new Date(now),
      updatedAt: new Date(now),
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      networkConfiguration: service.networkConfiguration,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ' + id + ' in progress.'
    },
    serviceDeploymentArn: ecsArn(state, `service-deployment/${cluster}/${service.serviceName}/${numeric}`),
    serviceRevisionArn: ecsArn(state, `service-revision/${cluster}/${service.serviceName}/${numeric}`),
    rollbackOf: spec.rollbackOf,
    failedTasks: 0
  }
}

function serviceRevision(svc: SimService, deployment: SimDeployment, now: number): ServiceRevision {
  const service = svc.service
  return {
    serviceRevisionArn: deployment.serviceRevisionArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: deployment.deployment.taskDefinition,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    loadBalancers: service.loadBalancers,
    networkConfiguration: service.networkConfiguration,
    createdAt: new Date(now)
  }
}

/** The service deployment from `previous` (the revision serving until now) to `deployment`. */
function serviceDeployment(
  svc: SimService,
  { deployment, previous }: { deployment: SimDeployment; previous?: SimDeployment },
  now: number
): ServiceDeployment {
  const service = svc.service
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker
  return {
    serviceDeploymentArn: deployment.serviceDeploymentArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    createdAt: new Date(now),
    startedAt: new Date(now),
    updatedAt: new Date(now),
    sourceServiceRevisions: previous
      ? [
          {
            arn: previous.serviceRevisionArn,
            requestedTaskCount: previous.deployment.desiredCount,
            runningTaskCount: previous.deployment.runningCount,
            pendingTaskCount: previous.deployment.pendingCount
          }
        ]
      : [],
    targetServiceRevision: {
      arn: deployment.serviceRevisionArn,
      requestedTaskCount: service.desiredCount,
      runningTaskCount: 0,
      pendingTaskCount: 0
    },
    status: 'IN_PROGRESS',
    deploymentConfiguration: service.deploymentConfiguration,
    deploymentCircuitBreaker: breaker?.enable
      ? {
          status: 'MONITORING',
          failureCount: 0,
          threshold: circuitBreakerThreshold(service.desiredCount ?? 0, breaker)
        }
      : { status: 'DISABLED' }
  }
}
