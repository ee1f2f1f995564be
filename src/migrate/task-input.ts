// Pure: the RunTask request for one migrate command, and where its logs will be. The task runs
// in the service's own network and placement (so it reaches the database the service reaches),
// with the new revision, and is marked (startedBy, group) so a second deploy can see it.
import type { RunTaskCommandInput, Service, TaskDefinition } from '@aws-sdk/client-ecs'
import type { Command } from '../inputs.js'

/** ECS allows up to 128 characters; the same value for every service, so ListTasks can filter on it. */
export const MIGRATE_STARTED_BY = 'ecs-ship-migrate'

/** The task group that names this service's migrations (ECS allows 255 characters). */
export function migrateGroup(serviceName: string): string {
  return `migrate:${serviceName}`.slice(0, 255)
}

export interface TaskInputContext {
  readonly cluster: string
  readonly service: Service
  readonly taskDefinitionArn: string
  readonly containerName: string
  readonly command: Command
}

export function buildRunTaskInput(context: TaskInputContext): RunTaskCommandInput {
  const { service } = context
  const strategy = service.capacityProviderStrategy ?? []
  // A capacity-provider strategy and a launch type exclude each other; the service has one or
  // neither (then the cluster's default strategy applies to us as it does to the service).
  const placement: Partial<RunTaskCommandInput> =
    strategy.length > 0
      ? { capacityProviderStrategy: strategy }
      : service.launchType
        ? { launchType: service.launchType }
        : {}
  // platformVersion is only valid for Fargate, and ECS rejects it for EC2.
  const fargate = service.launchType === 'FARGATE' || strategy.length > 0
  return {
    cluster: context.cluster,
    taskDefinition: context.taskDefinitionArn,
    count: 1,
    startedBy: MIGRATE_STARTED_BY,
    group: migrateGroup(service.serviceName ?? 'service'),
    propagateTags: 'TASK_DEFINITION',
    ...placement,
    ...(fargate && service.platformVersion && { platformVersion: service.platformVersion }),
    ...(service.networkConfiguration?.awsvpcConfiguration && {
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: service.networkConfiguration.awsvpcConfiguration.subnets ?? [],
          ...(service.networkConfiguration.awsvpcConfiguration.securityGroups && {
            securityGroups: service.networkConfiguration.awsvpcConfiguration.securityGroups
          }),
          ...(service.networkConfiguration.awsvpcConfiguration.assignPublicIp && {
            assignPublicIp: service.networkConfiguration.awsvpcConfiguration.assignPublicIp
          })
        }
      }
    }),
    // The service's own constraints are valid for its placement, so they are valid for ours.
    ...(service.placementConstraints?.length && { placementConstraints: service.placementConstraints }),
    ...(service.placementStrategy?.length && { placementStrategy: service.placementStrategy }),
    ...(service.enableECSManagedTags !== undefined && { enableECSManagedTags: service.enableECSManagedTags }),
    overrides: { containerOverrides: [{ name: context.containerName, command: [...context.command] }] }
  }
}

export interface LogLocation {
  readonly logGroupName: string
  readonly logStreamName: string
}

/**
 * The awslogs stream of a container in a task: `<prefix>/<container>/<task-id>`. Undefined when
 * the container does not use awslogs with a stream prefix (without a prefix, the stream is named
 * after the Docker container id, which ECS does not report in a way we can rely on).
 */
export function logLocation(
  taskDefinition: TaskDefinition,
  containerName: string,
  taskArn: string
): LogLocation | undefined {
  const container = taskDefinition.containerDefinitions?.find(c => c.name === containerName)
  const config = container?.logConfiguration
  if (config?.logDriver !== 'awslogs') return undefined
  const group = config.options?.['awslogs-group']
  const prefix = config.options?.['awslogs-stream-prefix']
  if (!group || !prefix) return undefined
  return { logGroupName: group, logStreamName: `${prefix}/${containerName}/${taskId(taskArn)}` }
}

/** The id at the end of a task ARN (`arn:…:task/<cluster>/<id>` or the older `arn:…:task/<id>`). */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1)
}
