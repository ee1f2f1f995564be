// The calls that start an ECS deployment of a service, and what its deployments say: shared by
// the rolling and ECS-native strategies and by previews (whose CreateService starts one).
import { UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import type { ServicePlan } from './plan.js'

/** The deployment an UpdateService created: the PRIMARY one with our revision. */
export function newDeploymentId(service: Service | undefined, taskDefinitionArn: string): string {
  const deployments = service?.deployments ?? []
  const primary =
    deployments.find(d => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
    deployments.find(d => d.status === 'PRIMARY')
  if (!primary?.id) throw new ActionError('UpdateService returned no PRIMARY deployment')
  return primary.id
}

/** UpdateService to a revision: the new deployment's id, and the service as ECS answered. */
export async function startDeployment(
  deps: { readonly ecs: ECSClient },
  plan: ServicePlan,
  taskDefinition: string,
  extra: { desiredCount?: number; forceNewDeployment?: boolean }
): Promise<{ deploymentId: string; service: Service | undefined }> {
  const answer = await deps.ecs.send(
    new UpdateServiceCommand({
      cluster: plan.cluster,
      service: plan.serviceName,
      taskDefinition,
      // Only when asked: otherwise the service keeps its count and autoscaling is not reset.
      ...(extra.desiredCount !== undefined && { desiredCount: extra.desiredCount }),
      ...(extra.forceNewDeployment && { forceNewDeployment: true })
    })
  )
  return { deploymentId: newDeploymentId(answer.service, taskDefinition), service: answer.service }
}

/**
 * A deployment of the service that has not settled yet: someone else's deploy, or ECS's own
 * rollback. Starting ours on top would replace it half-way, so a deploy waits for it first.
 */
export function inFlightDeployment(service: Service): { id: string; taskDefinition: string } | undefined {
  const deployments = service.deployments ?? []
  const primary = deployments.find(d => d.status === 'PRIMARY')
  if (!primary?.id || !primary.taskDefinition) return undefined
  const unsettled = deployments.length > 1 || primary.rolloutState === 'IN_PROGRESS'
  return unsettled ? { id: primary.id, taskDefinition: primary.taskDefinition } : undefined
}

/**
 * The revision that still serves when the service's newest deployment failed without a rollback:
 * the older deployment with the most tasks running (ECS leaves it in place). Undefined when no
 * older deployment runs a task.
 */
export function servingRevision(service: Service): string | undefined {
  const older = (service.deployments ?? []).filter(
    d => d.status !== 'PRIMARY' && (d.runningCount ?? 0) > 0 && d.taskDefinition
  )
  older.sort((a, b) => (b.runningCount ?? 0) - (a.runningCount ?? 0))
  return older[0]?.taskDefinition
}
