// Amazon ECS: each operation the simulator answers, as IAM sees it (Service Authorization
// Reference, "Actions, resources, and condition keys for Amazon Elastic Container Service").
import {
  clusterArn,
  containerInstanceArn,
  ecsArn,
  parentService,
  serviceArn,
  taskArn,
  taskDefinitionArn
} from '../arns.js'
import {
  record,
  requestTagContext,
  resourceTagContext,
  str,
  strings,
  type AnyTag,
  type Check,
  type RequestScope
} from '../check.js'
import { check, onAnyResource, type OperationChecks, type ServiceTable } from './table.js'

const ECS_TASKS = 'ecs-tasks.amazonaws.com'

function resourceTags(scope: RequestScope, arn: string) {
  return resourceTagContext(scope.world.tagsOf(arn), 'ecs')
}

function tagsOf(input: Readonly<Record<string, unknown>>): AnyTag[] {
  return Array.isArray(input.tags) ? (input.tags as AnyTag[]) : []
}

/**
 * A create with tags is authorized a second time as ecs:TagResource with ecs:CreateAction set to
 * the creating operation ("Grant permission to tag resources on creation", ECS Developer Guide).
 */
function tagOnCreate(operation: string, resource: string, tags: readonly AnyTag[]): Check[] {
  if (tags.length === 0) return []
  return [
    {
      action: 'ecs:TagResource',
      resource,
      context: { 'ecs:CreateAction': operation, ...requestTagContext(tags) },
      impliedBy: `ecs:${operation}`
    }
  ]
}

/** Passing a task or execution role to ECS tasks is authorized as iam:PassRole on that role. */
function passRoles(operation: string, roles: readonly (string | undefined)[]): Check[] {
  return [...new Set(roles.filter((r): r is string => r !== undefined && r !== ''))].map(role => ({
    action: 'iam:PassRole',
    resource: role,
    context: { 'iam:PassedToService': ECS_TASKS },
    impliedBy: `ecs:${operation}`
  }))
}

/** A service given by name or ARN, with the keys every service action carries. */
function onService(action: string, scope: RequestScope, cluster: string | undefined, service: string): Check {
  const arn = serviceArn(scope, cluster, service)
  const clusterOfService = /:service\/([^/]+)\//.exec(arn)?.[1]
  return check(action, arn, {
    'ecs:cluster': clusterArn(scope, clusterOfService ?? cluster),
    ...resourceTags(scope, arn)
  })
}

/** Service deployments and service revisions name their service: both resources are authorized. */
function onServiceChild(action: string, scope: RequestScope, childArn: string): Check[] {
  const parent = parentService(childArn)
  if (!parent) return [check(action, childArn)]
  return [
    check(action, parent.serviceArn, {
      'ecs:cluster': parent.clusterArn,
      ...resourceTags(scope, parent.serviceArn)
    }),
    check(action, childArn, {
      'ecs:cluster': parent.clusterArn,
      'ecs:service': parent.serviceArn,
      ...resourceTags(scope, childArn)
    })
  ]
}

/** Keys of a service's settings that CreateService and UpdateService carry when the request sets them. */
function serviceSettingsContext(input: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {}
  if (typeof input.propagateTags === 'string') context['ecs:propagate-tags'] = input.propagateTags
  if (typeof input.enableExecuteCommand === 'boolean')
    context['ecs:enable-execute-command'] = String(input.enableExecuteCommand)
  if (typeof input.enableECSManagedTags === 'boolean')
    context['ecs:enable-ecs-managed-tags'] = String(input.enableECSManagedTags)
  const awsvpc = record(record(input.networkConfiguration).awsvpcConfiguration)
  const subnets = strings(awsvpc.subnets)
  if (subnets.length > 0) context['ecs:subnet'] = subnets
  if (typeof awsvpc.assignPublicIp === 'string') context['ecs:auto-assign-public-ip'] = awsvpc.assignPublicIp
  return context
}

/** A task-definition reference resolved the way ECS does: a bare family means its latest revision. */
function resolveTaskDefinition(scope: RequestScope, reference: string) {
  const found = scope.world.taskDefinition?.(reference)
  return found ?? { arn: taskDefinitionArn(scope, reference) }
}

const registerTaskDefinition: OperationChecks = (input, scope) => {
  // ECS evaluates a registration against the family with any revision: the new number is not
  // known until it is registered ("… on resource: …:task-definition/<family>:*" in its denials).
  const resource = ecsArn(scope, `task-definition/${str(input.family) ?? ''}:*`)
  const containers = Array.isArray(input.containerDefinitions)
    ? (input.containerDefinitions as Record<string, unknown>[])
    : []
  const context: Record<string, string | string[]> = {
    ...requestTagContext(tagsOf(input)),
    'ecs:privileged': String(containers.some(c => c.privileged === true))
  }
  if (str(input.cpu)) context['ecs:task-cpu'] = String(input.cpu)
  if (str(input.memory)) context['ecs:task-memory'] = String(input.memory)
  const compatibilities = strings(input.requiresCompatibilities)
  if (compatibilities.length > 0) context['ecs:compute-compatibility'] = compatibilities
  return [
    check('ecs:RegisterTaskDefinition', resource, context),
    ...tagOnCreate('RegisterTaskDefinition', resource, tagsOf(input)),
    ...passRoles('RegisterTaskDefinition', [str(input.taskRoleArn), str(input.executionRoleArn)])
  ]
}

const runTask: OperationChecks = (input, scope) => {
  const cluster = str(input.cluster)
  const definition = resolveTaskDefinition(scope, str(input.taskDefinition) ?? '')
  const definitionTags = scope.world.tagsOf(definition.arn) ?? {}
  const overrides = record(input.overrides)
  const context = {
    'ecs:cluster': clusterArn(scope, cluster),
    ...requestTagContext(tagsOf(input)),
    ...resourceTags(scope, definition.arn)
  }
  // Tags the new task gets: those of the request, and the task definition's when RunTask
  // propagates them. The Amazon ECS EventBridge role (CWE_IAM_role) grants ecs:TagResource with
  // ecs:CreateAction RunTask for exactly this; the task's id is not known yet, hence `task/<cluster>/*`.
  const propagated =
    input.propagateTags === 'TASK_DEFINITION'
      ? Object.entries(definitionTags).map(([key, value]) => ({ key, value }))
      : []
  return [
    check('ecs:RunTask', definition.arn, context),
    ...tagOnCreate('RunTask', ecsArn(scope, `task/${lastCluster(scope, cluster)}/*`), [
      ...tagsOf(input),
      ...propagated
    ]),
    // ECS passes the task definition's roles (or the overrides) to the task it starts.
    ...passRoles('RunTask', [
      str(overrides.taskRoleArn) ?? definition.taskRoleArn,
      str(overrides.executionRoleArn) ?? definition.executionRoleArn
    ])
  ]
}

function lastCluster(scope: RequestScope, cluster: string | undefined): string {
  return clusterArn(scope, cluster).split('/').pop() ?? 'default'
}

const createService: OperationChecks = (input, scope) => {
  const cluster = str(input.cluster)
  const service = onService('ecs:CreateService', scope, cluster, str(input.serviceName) ?? '')
  const definition = str(input.taskDefinition)
  const context = {
    ...service.context,
    ...requestTagContext(tagsOf(input)),
    ...serviceSettingsContext(input),
    ...(definition !== undefined && { 'ecs:task-definition': resolveTaskDefinition(scope, definition).arn })
  }
  return [{ ...service, context }, ...tagOnCreate('CreateService', service.resource, tagsOf(input))]
}

const updateService: OperationChecks = (input, scope) => {
  const service = onService('ecs:UpdateService', scope, str(input.cluster), str(input.service) ?? '')
  const definition = str(input.taskDefinition)
  return [
    {
      ...service,
      context: {
        ...service.context,
        ...serviceSettingsContext(input),
        ...(definition !== undefined && {
          'ecs:task-definition': resolveTaskDefinition(scope, definition).arn
        })
      }
    }
  ]
}

const onTasks =
  (action: string, field: 'tasks' | 'task'): OperationChecks =>
  (input, scope) => {
    const cluster = str(input.cluster)
    return strings(input[field]).map(task => {
      const arn = taskArn(scope, cluster, task)
      return check(action, arn, { 'ecs:cluster': clusterArn(scope, cluster), ...resourceTags(scope, arn) })
    })
  }

export const ecsTable: ServiceTable = {
  CreateCluster: (input, scope) => {
    const arn = clusterArn(scope, str(input.clusterName))
    return [
      check('ecs:CreateCluster', arn, requestTagContext(tagsOf(input))),
      ...tagOnCreate('CreateCluster', arn, tagsOf(input))
    ]
  },
  DescribeClusters: (input, scope) => {
    const clusters = strings(input.clusters)
    return (clusters.length > 0 ? clusters : ['default']).map(c => {
      const arn = clusterArn(scope, c)
      return check('ecs:DescribeClusters', arn, resourceTags(scope, arn))
    })
  },
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: onAnyResource('ecs:DescribeTaskDefinition'),
  ListTaskDefinitions: onAnyResource('ecs:ListTaskDefinitions'),
  ListTaskDefinitionFamilies: onAnyResource('ecs:ListTaskDefinitionFamilies'),
  DeregisterTaskDefinition: onAnyResource('ecs:DeregisterTaskDefinition'),
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: (input, scope) => [
    onService('ecs:DeleteService', scope, str(input.cluster), str(input.service) ?? '')
  ],
  DescribeServices: (input, scope) =>
    strings(input.services).map(s => onService('ecs:DescribeServices', scope, str(input.cluster), s)),
  ListServices: (input, scope) => [
    check('ecs:ListServices', '*', { 'ecs:cluster': clusterArn(scope, str(input.cluster)) })
  ],
  RunTask: runTask,
  DescribeTasks: onTasks('ecs:DescribeTasks', 'tasks'),
  // ListTasks names container instances in the reference; a listing by cluster (what every
  // caller here does) is evaluated against `*`, scoped by ecs:cluster.
  ListTasks: (input, scope) => {
    const cluster = str(input.cluster)
    const instance = str(input.containerInstance)
    return [
      check('ecs:ListTasks', instance !== undefined ? containerInstanceArn(scope, cluster, instance) : '*', {
        'ecs:cluster': clusterArn(scope, cluster)
      })
    ]
  },
  StopTask: onTasks('ecs:StopTask', 'task'),
  ListServiceDeployments: (input, scope) => [
    onService('ecs:ListServiceDeployments', scope, str(input.cluster), str(input.service) ?? '')
  ],
  StopServiceDeployment: (input, scope) =>
    onServiceChild('ecs:StopServiceDeployment', scope, str(input.serviceDeploymentArn) ?? ''),
  // The Service Authorization Reference: service* and service-deployment*, as for StopServiceDeployment.
  ContinueServiceDeployment: (input, scope) =>
    onServiceChild('ecs:ContinueServiceDeployment', scope, str(input.serviceDeploymentArn) ?? ''),
  DescribeServiceDeployments: (input, scope) =>
    strings(input.serviceDeploymentArns).flatMap(arn =>
      onServiceChild('ecs:DescribeServiceDeployments', scope, arn)
    ),
  DescribeServiceRevisions: (input, scope) =>
    strings(input.serviceRevisionArns).flatMap(arn =>
      onServiceChild('ecs:DescribeServiceRevisions', scope, arn)
    ),
  ListTagsForResource: (input, scope) => {
    const arn = str(input.resourceArn) ?? ''
    return [check('ecs:ListTagsForResource', arn, resourceTags(scope, arn))]
  },
  TagResource: (input, scope) => {
    const arn = str(input.resourceArn) ?? ''
    return [
      check('ecs:TagResource', arn, { ...requestTagContext(tagsOf(input)), ...resourceTags(scope, arn) })
    ]
  },
  UntagResource: (input, scope) => {
    const arn = str(input.resourceArn) ?? ''
    return [
      check('ecs:UntagResource', arn, { 'aws:TagKeys': strings(input.tagKeys), ...resourceTags(scope, arn) })
    ]
  }
}
