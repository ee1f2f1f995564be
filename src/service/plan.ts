// Reads the service as it is: its configuration, the revision it runs, its target groups and
// the rollout it asks for. Everything a deploy decides is decided from this plan.
import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import { chooseStrategy, type StrategyChoice } from './strategy.js'

export interface LoadBalancerTarget {
  readonly targetGroupArn: string
  readonly containerName: string
  readonly containerPort: number
}

export interface ServicePlan {
  readonly cluster: string
  readonly serviceName: string
  readonly serviceArn: string
  /** The revision the service runs now (what a rollback goes back to). */
  readonly taskDefinitionArn: string
  readonly desiredCount: number
  readonly runningCount: number
  readonly loadBalancers: readonly LoadBalancerTarget[]
  /** Classic load balancers by name: they have no target groups, so the health gate cannot see them. */
  readonly classicLoadBalancers: readonly string[]
  /** Distinct target groups, in the service's order. */
  readonly targetGroupArns: readonly string[]
  readonly strategy: StrategyChoice
  readonly healthCheckGracePeriodSeconds: number
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean }
  /** Deployments in flight when we looked (more than one: someone else is rolling out). */
  readonly deploymentCount: number
  readonly service: Service
}

function notFound(cluster: string, service: string): ActionError {
  return new ActionError(
    `service ${service} was not found in cluster ${cluster} (check the service and cluster inputs and the region)`
  )
}

export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let answer
  try {
    answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  } catch (error) {
    if ((error as { name?: string }).name === 'ClusterNotFoundException') {
      throw new ActionError(`cluster ${cluster} was not found (check the cluster input and the region)`)
    }
    throw error
  }
  const found = answer.services?.[0]
  if (!found) {
    const reason = answer.failures?.[0]?.reason
    if (reason && reason !== 'MISSING')
      throw new ActionError(`service ${service} in cluster ${cluster}: ${reason}`)
    throw notFound(cluster, service)
  }
  return found
}

export function planFromService(cluster: string, service: Service): ServicePlan {
  const name = service.serviceName ?? '?'
  if (service.status !== undefined && service.status !== 'ACTIVE') {
    throw new ActionError(`service ${name} in cluster ${cluster} is ${service.status}, not ACTIVE`)
  }
  if (!service.taskDefinition) throw new ActionError(`service ${name} has no task definition`)
  const loadBalancers: LoadBalancerTarget[] = []
  const classicLoadBalancers: string[] = []
  for (const lb of service.loadBalancers ?? []) {
    // Classic load balancers (loadBalancerName) have no target groups to check.
    if (!lb.targetGroupArn && lb.loadBalancerName) classicLoadBalancers.push(lb.loadBalancerName)
    if (lb.targetGroupArn && lb.containerName && lb.containerPort !== undefined) {
      loadBalancers.push({
        targetGroupArn: lb.targetGroupArn,
        containerName: lb.containerName,
        containerPort: lb.containerPort
      })
    }
  }
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker
  return {
    cluster,
    serviceName: name,
    serviceArn: service.serviceArn ?? name,
    taskDefinitionArn: service.taskDefinition,
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    loadBalancers,
    classicLoadBalancers,
    targetGroupArns: [...new Set(loadBalancers.map(lb => lb.targetGroupArn))],
    strategy: chooseStrategy(service),
    healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds ?? 0,
    circuitBreaker: { enable: breaker?.enable ?? false, rollback: breaker?.rollback ?? false },
    deploymentCount: service.deployments?.length ?? 0,
    service
  }
}

export async function readServicePlan(
  ecs: ECSClient,
  cluster: string,
  service: string
): Promise<ServicePlan> {
  return planFromService(cluster, await describeService(ecs, cluster, service))
}

function healthGateLine(plan: ServicePlan): string {
  if (plan.strategy.strategy === 'ecs-native')
    return "health gate: every new task's target healthy in the green target group (the one without production traffic)"
  if (plan.strategy.strategy === 'codedeploy')
    return 'health gate: every target of the replacement task set healthy in its target group'
  return plan.targetGroupArns.length > 0
    ? `health gate: every new task's target healthy in ${plan.targetGroupArns.join(', ')}`
    : 'health gate: no load balancer; tasks RUNNING and container health checks only'
}

/** The plan as lines for the log and the summary. */
export function describePlan(plan: ServicePlan): string[] {
  const lines = [
    `service ${plan.serviceName} in cluster ${plan.cluster}: ${plan.runningCount}/${plan.desiredCount} tasks running`,
    `running revision: ${plan.taskDefinitionArn}`,
    `strategy: ${plan.strategy.strategy} (${plan.strategy.because})`,
    healthGateLine(plan),
    `circuit breaker: ${plan.circuitBreaker.enable ? `on${plan.circuitBreaker.rollback ? ', with rollback' : ''}` : 'off'}`
  ]
  if (plan.deploymentCount > 1)
    lines.push(`note: ${plan.deploymentCount} deployments are in flight right now`)
  return lines
}
