// Amazon ECS operations, answered from the simulator's state. Input and output shapes are the
// SDK's own types. Error codes and messages follow the ECS API reference.
import type * as E from '@aws-sdk/client-ecs'
import { advance } from '../tick.js'
import { createDeployment } from '../runtime/service-deployments.js'
import { createInitialTaskSet } from '../runtime/task-sets.js'
import { requestStop, startTask } from '../runtime/tasks.js'
import { AwsError } from '../world/aws-error.js'
import { placementFailure } from '../world/behaviours.js'
import { isCodeDeployService } from '../world/deployment-controller.js'
import { forwardActionOf } from '../world/listener-weights.js'
import { ecsArn, findService, nameFromArn, type SimService, type SimState } from '../world/model.js'
import {
  continueServiceDeployment,
  describeServiceDeployments,
  describeServiceRevisions,
  listServiceDeployments,
  stopServiceDeployment
} from './ecs-service-deployments.js'
import { cluster, service, taskDefinitionOrThrow } from './ecs-lookups.js'
import type { Handlers } from './handlers.js'

/** The ECS operations the simulator answers, with the SDK's shapes (awsJson1_1: timestamps in an input arrive as epoch seconds). */
export type EcsOperations = {
  CreateCluster: [E.CreateClusterRequest, E.CreateClusterResponse]
  DescribeClusters: [E.DescribeClustersRequest, E.DescribeClustersResponse]
  RegisterTaskDefinition: [E.RegisterTaskDefinitionRequest, E.RegisterTaskDefinitionResponse]
  DescribeTaskDefinition: [E.DescribeTaskDefinitionRequest, E.DescribeTaskDefinitionResponse]
  ListTaskDefinitions: [E.ListTaskDefinitionsRequest, E.ListTaskDefinitionsResponse]
  ListTaskDefinitionFamilies: [E.ListTaskDefinitionFamiliesRequest, E.ListTaskDefinitionFamiliesResponse]
  DeregisterTaskDefinition: [E.DeregisterTaskDefinitionRequest, E.DeregisterTaskDefinitionResponse]
  CreateService: [E.CreateServiceRequest, E.CreateServiceResponse]
  UpdateService: [E.UpdateServiceRequest, E.UpdateServiceResponse]
  DeleteService: [E.DeleteServiceRequest, E.DeleteServiceResponse]
  DescribeServices: [E.DescribeServicesRequest, E.DescribeServicesResponse]
  ListServices: [E.ListServicesRequest, E.ListServicesResponse]
  RunTask: [E.RunTaskRequest, E.RunTaskResponse]
  DescribeTasks: [E.DescribeTasksRequest, E.DescribeTasksResponse]
  ListTasks: [E.ListTasksRequest, E.ListTasksResponse]
  StopTask: [E.StopTaskRequest, E.StopTaskResponse]
  ListServiceDeployments: [E.ListServiceDeploymentsRequest, E.ListServiceDeploymentsResponse]
  StopServiceDeployment: [E.StopServiceDeploymentRequest, E.StopServiceDeploymentResponse]
  ContinueServiceDeployment: [E.ContinueServiceDeploymentRequest, E.ContinueServiceDeploymentResponse]
  DescribeServiceDeployments: [E.DescribeServiceDeploymentsRequest, E.DescribeServiceDeploymentsResponse]
  DescribeServiceRevisions: [E.DescribeServiceRevisionsRequest, E.DescribeServiceRevisionsResponse]
  ListTagsForResource: [E.ListTagsForResourceRequest, E.ListTagsForResourceResponse]
  TagResource: [E.TagResourceRequest, E.TagResourceResponse]
  UntagResource: [E.UntagResourceRequest, E.UntagResourceResponse]
}

function serviceView(state: SimState, svc: SimService, includeTags: boolean): E.Service {
  return {
    ...svc.service,
    deployments: svc.deployments.map(d => ({ ...d.deployment })),
    // The service deployment in progress, else the last one.
    currentServiceDeployment: svc.history.at(-1)?.serviceDeploymentArn,
    events: svc.events.slice(),
    tags: includeTags ? svc.tags : undefined
  }
}

function validateTaskDefinition(input: E.RegisterTaskDefinitionRequest): void {
  if (!input.family) throw new AwsError('ClientException', 'Family must be specified.')
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.family))
    throw new AwsError(
      'ClientException',
      'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.'
    )
  const containers = input.containerDefinitions ?? []
  if (containers.length === 0) throw new AwsError('ClientException', 'Container list cannot be empty.')
  for (const c of containers) {
    if (!c.name) throw new AwsError('ClientException', 'Container.name should not be null or empty.')
    if (!c.image) throw new AwsError('ClientException', 'Container.image should not be null or empty.')
  }
  if (!containers.some(c => c.essential !== false))
    throw new AwsError('ClientException', 'Task definition must contain at least one essential container.')
  if (input.requiresCompatibilities?.includes('FARGATE')) {
    if (input.networkMode !== 'awsvpc')
      throw new AwsError('ClientException', 'Fargate only supports network mode ‘awsvpc’.')
    if (!input.cpu || !input.memory)
      throw new AwsError('ClientException', "Fargate requires that 'cpu' be defined at the task level.")
  }
}

/**
 * ECS's JSON protocol reads a String field only from a JSON string: a number, a boolean, a list or
 * an object there fails the request before anything happens, with SerializationException naming
 * no field (ECS's own answer to the converse: "STRING_VALUE cannot be converted to Integer").
 * Checked for RegisterTaskDefinition's string fields a file is likely to get wrong.
 */
function serializationError(value: unknown): AwsError | undefined {
  if (value === undefined || value === null || typeof value === 'string') return undefined
  if (typeof value === 'number')
    return new AwsError('SerializationException', 'NUMBER_VALUE cannot be converted to String')
  if (typeof value === 'boolean')
    return new AwsError('SerializationException', 'BOOLEAN_VALUE cannot be converted to String')
  if (Array.isArray(value))
    return new AwsError('SerializationException', 'Start of list found where not expected')
  return new AwsError('SerializationException', 'Start of structure or map found where not expected')
}

const TASK_STRINGS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode'
] as const

function rejectNonStrings(input: E.RegisterTaskDefinitionRequest): void {
  const values: unknown[] = TASK_STRINGS.map(field => input[field])
  for (const c of input.containerDefinitions ?? []) {
    values.push(c.name, c.image, ...(c.command ?? []), ...(c.entryPoint ?? []))
    for (const pair of c.environment ?? []) values.push(pair.name, pair.value)
    for (const secret of c.secrets ?? []) values.push(secret.name, secret.valueFrom)
    values.push(...Object.values(c.dockerLabels ?? {}), ...Object.values(c.logConfiguration?.options ?? {}))
  }
  for (const tag of input.tags ?? []) values.push(tag.key, tag.value)
  for (const value of values) {
    const error = serializationError(value)
    if (error) throw error
  }
}

/**
 * CreateService and UpdateService: each load balancer's container, with its container port mapped,
 * must be in the task definition the service is to run (the ECS developer guide: "the container
 * name and container port that were specified when the service was created must remain in the
 * task definition").
 */
function validateLoadBalancedContainers(
  definition: E.TaskDefinition,
  loadBalancers: readonly E.LoadBalancer[] | undefined
): void {
  for (const lb of loadBalancers ?? []) {
    if (!lb.containerName) continue
    const container = definition.containerDefinitions?.find(c => c.name === lb.containerName)
    if (!container)
      throw new AwsError(
        'InvalidParameterException',
        `The container ${lb.containerName} does not exist in the task definition.`
      )
    if (
      lb.containerPort !== undefined &&
      !(container.portMappings ?? []).some(p => p.containerPort === lb.containerPort)
    )
      throw new AwsError(
        'InvalidParameterException',
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`
      )
  }
}

/** CreateService/UpdateService: the alternate target group and the listener rules must exist. */
function validateAdvancedConfiguration(
  state: SimState,
  loadBalancers: readonly E.LoadBalancer[] | undefined
): void {
  for (const lb of loadBalancers ?? []) {
    const advanced = lb.advancedConfiguration
    if (!advanced) continue
    const tg = advanced.alternateTargetGroupArn
    if (!tg || !state.targetGroups.some(t => t.group.TargetGroupArn === tg))
      throw new AwsError(
        'InvalidParameterException',
        `Unable to validate the alternate target group ${tg ?? '(none)'}. Please verify that the target group exists.`
      )
    if (!advanced.productionListenerRule)
      throw new AwsError(
        'InvalidParameterException',
        'advancedConfiguration.productionListenerRule must be specified.'
      )
    for (const ruleArn of [advanced.productionListenerRule, advanced.testListenerRule]) {
      if (ruleArn !== undefined && !forwardActionOf(state, ruleArn))
        throw new AwsError(
          'InvalidParameterException',
          `Unable to validate the listener rule ${ruleArn}. Please verify that it exists and forwards to target groups.`
        )
    }
  }
}

/** Stages a PAUSE hook cannot use (DeploymentLifecycleHook.lifecycleStages in the API reference). */
const LAMBDA_ONLY_STAGES: readonly string[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']

/**
 * CreateService/UpdateService: each lifecycle hook as the API reference describes
 * DeploymentLifecycleHook and DeploymentLifecycleHookTimeoutConfiguration: an AWS_LAMBDA hook
 * names its function, a PAUSE hook is not at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT, every
 * hook has stages, and a timeout is 1 to 20160 minutes. The wording of the refusals is ours.
 */
function validateLifecycleHooks(config: E.DeploymentConfiguration | undefined): void {
  for (const hook of config?.lifecycleHooks ?? []) {
    const type = hook.targetType ?? 'AWS_LAMBDA'
    if (type !== 'AWS_LAMBDA' && type !== 'PAUSE')
      throw new AwsError(
        'InvalidParameterException',
        `The lifecycle hook target type ${type} isn't supported. The valid values are AWS_LAMBDA and PAUSE.`
      )
    if (!hook.lifecycleStages?.length)
      throw new AwsError(
        'InvalidParameterException',
        'lifecycleStages must be specified for a lifecycle hook.'
      )
    if (type === 'AWS_LAMBDA' && !hook.hookTargetArn)
      throw new AwsError(
        'InvalidParameterException',
        'hookTargetArn must be specified for an AWS_LAMBDA lifecycle hook.'
      )
    const stage = hook.lifecycleStages.find(s => LAMBDA_ONLY_STAGES.includes(s))
    if (type === 'PAUSE' && stage)
      throw new AwsError(
        'InvalidParameterException',
        `PAUSE hooks cannot be configured at the ${stage} stage. TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT are only valid for AWS_LAMBDA hooks.`
      )
    const minutes = hook.timeoutConfiguration?.timeoutInMinutes
    if (minutes !== undefined && (minutes < 1 || minutes > 20160))
      throw new AwsError(
        'InvalidParameterException',
        'timeoutConfiguration.timeoutInMinutes must be between 1 and 20160.'
      )
  }
}

export function registerTaskDefinition(
  state: SimState,
  input: E.RegisterTaskDefinitionRequest,
  now: number
): E.RegisterTaskDefinitionResponse {
  rejectNonStrings(input)
  validateTaskDefinition(input)
  const family = input.family as string
  const revisions = state.taskDefinitions.get(family) ?? []
  const revision = revisions.length + 1
  const { tags, ...rest } = input
  const definition: E.TaskDefinition = {
    ...rest,
    taskDefinitionArn: ecsArn(state, `task-definition/${family}:${revision}`),
    revision,
    status: 'ACTIVE',
    compatibilities: input.requiresCompatibilities?.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'],
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.execution-role-awslogs' }
    ],
    registeredAt: new Date(now),
    registeredBy: `arn:aws:sts::${state.accountId}:assumed-role/deployer/ecs-ship`
  }
  revisions.push({ definition, tags: tags ?? [] })
  state.taskDefinitions.set(family, revisions)
  return { taskDefinition: definition, tags: tags ?? [] }
}

function createService(state: SimState, input: E.CreateServiceRequest, now: number): E.CreateServiceResponse {
  const c = cluster(state, input.cluster)
  if (!input.serviceName) throw new AwsError('InvalidParameterException', 'Service name must be specified.')
  const existing = findService(state, c.clusterName ?? '', input.serviceName)
  if (existing && existing.service.status !== 'INACTIVE')
    throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.')
  const td = taskDefinitionOrThrow(state, input.taskDefinition, 'InvalidParameterException')
  validateLoadBalancedContainers(td.definition, input.loadBalancers)
  for (const lb of input.loadBalancers ?? []) {
    if (!state.targetGroups.some(t => t.group.TargetGroupArn === lb.targetGroupArn))
      throw new AwsError(
        'InvalidParameterException',
        `Unable to assume role and validate the specified targetGroupArn. Please verify that the target group ${lb.targetGroupArn} exists.`
      )
  }
  validateAdvancedConfiguration(state, input.loadBalancers)
  validateLifecycleHooks(input.deploymentConfiguration)
  const strategy = input.capacityProviderStrategy?.length
    ? input.capacityProviderStrategy
    : input.launchType
      ? undefined
      : c.defaultCapacityProviderStrategy?.length
        ? c.defaultCapacityProviderStrategy
        : undefined
  const svc: SimService = {
    service: {
      serviceArn: ecsArn(state, `service/${c.clusterName}/${input.serviceName}`),
      serviceName: input.serviceName,
      clusterArn: c.clusterArn,
      loadBalancers: input.loadBalancers ?? [],
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: input.desiredCount ?? 1,
      runningCount: 0,
      pendingCount: 0,
      // Neither a launch type nor a strategy: the cluster's default strategy, else EC2 (whose
      // tasks the simulator places even without container instances: services are not modelled
      // on EC2 capacity).
      launchType: strategy?.length ? undefined : (input.launchType ?? 'EC2'),
      capacityProviderStrategy: strategy,
      platformVersion:
        input.launchType === 'FARGATE' ? (input.platformVersion ?? 'LATEST') : input.platformVersion,
      taskDefinition: td.definition.taskDefinitionArn,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: false, rollback: false },
        ...input.deploymentConfiguration
      },
      deploymentController: input.deploymentController ?? { type: 'ECS' },
      createdAt: new Date(now),
      createdBy: `arn:aws:iam::${state.accountId}:role/deployer`,
      networkConfiguration: input.networkConfiguration,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
      schedulingStrategy: 'REPLICA',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: input.propagateTags ?? 'NONE',
      enableExecuteCommand: input.enableExecuteCommand ?? false
    },
    deployments: [],
    tags: input.tags ?? [],
    events: [],
    history: [],
    revisions: [],
    steady: false
  }
  state.services.set(`${c.clusterName}/${input.serviceName}`, svc)
  c.activeServicesCount = (c.activeServicesCount ?? 0) + 1
  // A CODE_DEPLOY service starts with one PRIMARY task set instead of a deployment.
  if (isCodeDeployService(svc)) createInitialTaskSet(state, svc, now)
  else createDeployment(state, svc, { taskDefinitionArn: td.definition.taskDefinitionArn ?? '' }, now)
  advance(state, now)
  return { service: serviceView(state, svc, false) }
}

/**
 * A CODE_DEPLOY service takes desired count, deployment configuration and grace period changes; a new
 * task definition, network configuration, platform version or load balancer needs a CodeDeploy deployment.
 */
function rejectCodeDeployChanges(s: E.Service, input: E.UpdateServiceRequest): void {
  if (s.deploymentController?.type !== 'CODE_DEPLOY') return
  if (input.taskDefinition)
    throw new AwsError(
      'InvalidParameterException',
      'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.'
    )
  if (input.networkConfiguration || input.platformVersion || input.loadBalancers || input.forceNewDeployment)
    throw new AwsError(
      'InvalidParameterException',
      'Unable to update network configuration, platform version or load balancers, or force a new deployment, on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.'
    )
}

function updateService(state: SimState, input: E.UpdateServiceRequest, now: number): E.UpdateServiceResponse {
  const svc = service(state, input.cluster, input.service)
  if (svc.service.status !== 'ACTIVE')
    throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.')
  const s = svc.service
  rejectCodeDeployChanges(s, input)
  // Everything is checked before anything changes: ECS refuses the whole request.
  if (input.desiredCount !== undefined && input.desiredCount < 0)
    throw new AwsError('InvalidParameterException', 'Desired count must be >= 0.')
  if (input.loadBalancers) validateAdvancedConfiguration(state, input.loadBalancers)
  validateLifecycleHooks(input.deploymentConfiguration)
  const td = input.taskDefinition
    ? taskDefinitionOrThrow(state, input.taskDefinition, 'InvalidParameterException')
    : undefined
  if (td && td.definition.status !== 'ACTIVE')
    throw new AwsError('ClientException', 'TaskDefinition is inactive')
  if (td || input.loadBalancers) {
    const definition = td?.definition ?? taskDefinitionOrThrow(state, s.taskDefinition).definition
    validateLoadBalancedContainers(definition, input.loadBalancers ?? s.loadBalancers)
  }
  if (input.desiredCount !== undefined) s.desiredCount = input.desiredCount
  if (input.deploymentConfiguration)
    s.deploymentConfiguration = { ...s.deploymentConfiguration, ...input.deploymentConfiguration }
  if (input.healthCheckGracePeriodSeconds !== undefined)
    s.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds
  if (input.networkConfiguration) s.networkConfiguration = input.networkConfiguration
  if (input.loadBalancers) s.loadBalancers = input.loadBalancers
  const taskDefinition = td?.definition.taskDefinitionArn ?? s.taskDefinition ?? ''
  // A new deployment starts when the task definition (or a setting of it) changes, or when forced;
  // a desired-count change alone only rescales the current deployment.
  if (
    taskDefinition !== s.taskDefinition ||
    input.forceNewDeployment ||
    input.networkConfiguration ||
    input.platformVersion
  ) {
    if (input.platformVersion) s.platformVersion = input.platformVersion
    createDeployment(state, svc, { taskDefinitionArn: taskDefinition }, now)
  }
  advance(state, now)
  return { service: serviceView(state, svc, false) }
}

function deleteService(state: SimState, input: E.DeleteServiceRequest, now: number): E.DeleteServiceResponse {
  const svc = service(state, input.cluster, input.service)
  if ((svc.service.desiredCount ?? 0) > 0 && !input.force)
    throw new AwsError(
      'InvalidParameterException',
      'The service cannot be stopped while it is scaled above 0.'
    )
  svc.service.status = 'DRAINING'
  svc.service.desiredCount = 0
  for (const t of state.tasks.filter(
    t => t.plan.serviceName === svc.service.serviceName && t.task.clusterArn === svc.service.clusterArn
  ))
    requestStop(
      state,
      t,
      { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Service deletion', failure: false },
      now
    )
  const view = serviceView(state, svc, false)
  svc.service.status = 'INACTIVE'
  svc.deployments = []
  const c = state.clusters.get(nameFromArn(svc.service.clusterArn ?? ''))
  if (c) c.activeServicesCount = Math.max(0, (c.activeServicesCount ?? 1) - 1)
  return { service: view }
}

function describeServices(state: SimState, input: E.DescribeServicesRequest): E.DescribeServicesResponse {
  const c = cluster(state, input.cluster)
  if (!input.services?.length) throw new AwsError('InvalidParameterException', 'Services cannot be empty.')
  if (input.services.length > 10)
    throw new AwsError('InvalidParameterException', 'Services cannot contain more than 10 elements.')
  const services: E.Service[] = []
  const failures: E.Failure[] = []
  for (const ref of input.services) {
    const svc = findService(state, c.clusterName ?? '', ref)
    if (svc) services.push(serviceView(state, svc, input.include?.includes('TAGS') ?? false))
    else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : ecsArn(state, `service/${c.clusterName}/${ref}`),
        reason: 'MISSING'
      })
  }
  return { services, failures }
}

/**
 * Where RunTask places its tasks. A launch type or a capacity provider strategy in the request
 * wins; without either, the cluster's default capacity provider strategy; without one, the EC2
 * launch type, as the API reference says ("If a launchType is specified, the
 * capacityProviderStrategy parameter must be omitted"; "When you use cluster auto scaling, you
 * must specify capacityProviderStrategy and not launchType"; with neither, the cluster's
 * defaultCapacityProviderStrategy is used). The simulator runs no container instances, so EC2
 * placement fails the way ECS answers an empty cluster in practice: InvalidParameterException
 * "No Container Instances were found in your cluster." A Fargate task definition gets no
 * different answer: ECS does not fall back to Fargate on its own.
 */
function placement(
  c: E.Cluster,
  td: E.TaskDefinition,
  input: E.RunTaskRequest
): { launchType: E.LaunchType; capacityProviderName?: string } {
  if (input.launchType && input.capacityProviderStrategy?.length)
    throw new AwsError(
      'InvalidParameterException',
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.'
    )
  const strategy = input.capacityProviderStrategy?.length
    ? input.capacityProviderStrategy
    : input.launchType
      ? []
      : (c.defaultCapacityProviderStrategy ?? [])
  // The provider with the largest base (else weight) takes the first task.
  const provider = [...strategy].sort(
    (a, b) => (b.base ?? 0) - (a.base ?? 0) || (b.weight ?? 0) - (a.weight ?? 0)
  )[0]
  const launchType: E.LaunchType =
    input.launchType ?? (provider?.capacityProvider?.startsWith('FARGATE') ? 'FARGATE' : 'EC2')
  // FARGATE and FARGATE_SPOT are accepted even when the cluster does not list them (a leniency of
  // the simulator); any other provider would need container instances.
  if (provider && !provider.capacityProvider?.startsWith('FARGATE'))
    throw new AwsError(
      'InvalidParameterException',
      `The specified capacity provider ${provider.capacityProvider} is not associated with the cluster.`
    )
  if (launchType === 'FARGATE' && !td.compatibilities?.includes('FARGATE'))
    throw new AwsError('InvalidParameterException', 'Task definition does not support launch_type FARGATE.')
  if (launchType === 'EC2')
    throw new AwsError('InvalidParameterException', 'No Container Instances were found in your cluster.')
  return { launchType, capacityProviderName: provider?.capacityProvider }
}

function runTask(state: SimState, input: E.RunTaskRequest, now: number): E.RunTaskResponse {
  const c = cluster(state, input.cluster)
  const td = taskDefinitionOrThrow(state, input.taskDefinition, 'ClientException')
  if (td.definition.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive')
  const count = input.count ?? 1
  if (count < 1 || count > 10)
    throw new AwsError('InvalidParameterException', 'Count must be between 1 and 10.')
  if (
    td.definition.networkMode === 'awsvpc' &&
    !input.networkConfiguration?.awsvpcConfiguration?.subnets?.length
  )
    throw new AwsError(
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified."
    )
  for (const o of input.overrides?.containerOverrides ?? []) {
    if (!td.definition.containerDefinitions?.some(cd => cd.name === o.name))
      throw new AwsError(
        'InvalidParameterException',
        `Override for container named ${o.name} is not a container in the TaskDefinition.`
      )
  }
  if (input.startedBy && input.startedBy.length > 128)
    throw new AwsError('InvalidParameterException', 'startedBy must be at most 128 characters.')
  const where = placement(c, td.definition, input)
  // A placement failure (behaviours.placementFailures, or a command's placementFailure) answers
  // failures[] and starts no task, as RunTask does when it cannot place any.
  const argv = input.overrides?.containerOverrides?.find(o => o.command?.length)?.command
  const failure = placementFailure(state, td.definition.taskDefinitionArn ?? '', argv)
  if (failure)
    return {
      tasks: [],
      failures: Array.from({ length: count }, () => ({
        arn: failure.arn,
        reason: failure.reason,
        detail: failure.detail
      }))
    }
  const tags = [...(input.tags ?? []), ...(input.propagateTags === 'TASK_DEFINITION' ? td.tags : [])]
  const tasks = Array.from(
    { length: count },
    () =>
      startTask(
        state,
        {
          taskDefinitionArn: td.definition.taskDefinitionArn ?? '',
          clusterArn: c.clusterArn ?? '',
          group: input.group,
          startedBy: input.startedBy,
          launchType: where.launchType,
          capacityProviderName: where.capacityProviderName,
          networkConfiguration: input.networkConfiguration,
          overrides: input.overrides,
          platformVersion: input.platformVersion,
          tags
        },
        now
      ).task
  )
  return { tasks, failures: [] }
}

function describeTasks(state: SimState, input: E.DescribeTasksRequest): E.DescribeTasksResponse {
  const c = cluster(state, input.cluster)
  if (!input.tasks?.length) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.')
  if (input.tasks.length > 100)
    throw new AwsError('InvalidParameterException', 'Tasks cannot contain more than 100 elements.')
  const tasks: E.Task[] = []
  const failures: E.Failure[] = []
  for (const ref of input.tasks) {
    const found = state.tasks.find(
      t =>
        t.task.clusterArn === c.clusterArn && (t.task.taskArn === ref || t.task.taskArn?.endsWith(`/${ref}`))
    )
    if (found)
      tasks.push({ ...found.task, tags: input.include?.includes('TAGS') ? found.task.tags : undefined })
    else failures.push({ arn: ref, reason: 'MISSING' })
  }
  return { tasks, failures }
}

function listTasks(state: SimState, input: E.ListTasksRequest): E.ListTasksResponse {
  const c = cluster(state, input.cluster)
  const desired = input.desiredStatus ?? 'RUNNING'
  const arns = state.tasks
    .filter(t => t.task.clusterArn === c.clusterArn)
    .filter(t => t.task.desiredStatus === desired)
    .filter(t => !input.serviceName || t.task.group === `service:${nameFromArn(input.serviceName)}`)
    .filter(t => !input.family || t.task.taskDefinitionArn?.split('/').at(-1)?.split(':')[0] === input.family)
    .filter(t => !input.startedBy || t.task.startedBy === input.startedBy)
    .map(t => t.task.taskArn ?? '')
  const start = Number(input.nextToken ?? 0)
  const max = input.maxResults ?? 100
  const page = arns.slice(start, start + max)
  return { taskArns: page, nextToken: start + max < arns.length ? String(start + max) : undefined }
}

function stopTask(state: SimState, input: E.StopTaskRequest, now: number): E.StopTaskResponse {
  const c = cluster(state, input.cluster)
  const found = state.tasks.find(
    t =>
      t.task.clusterArn === c.clusterArn &&
      (t.task.taskArn === input.task || t.task.taskArn?.endsWith(`/${input.task}`))
  )
  if (!found) throw new AwsError('InvalidParameterException', 'The referenced task was not found.')
  requestStop(
    state,
    found,
    { stopCode: 'UserInitiated', stoppedReason: input.reason ?? 'Task stopped by user', failure: false },
    now
  )
  return { task: found.task }
}

function describeTaskDefinition(
  state: SimState,
  input: E.DescribeTaskDefinitionRequest
): E.DescribeTaskDefinitionResponse {
  const td = taskDefinitionOrThrow(state, input.taskDefinition)
  return { taskDefinition: td.definition, tags: input.include?.includes('TAGS') ? td.tags : undefined }
}

function listTaskDefinitions(
  state: SimState,
  input: E.ListTaskDefinitionsRequest
): E.ListTaskDefinitionsResponse {
  const status = input.status ?? 'ACTIVE'
  let arns = [...state.taskDefinitions.entries()]
    .filter(([family]) => !input.familyPrefix || family.startsWith(input.familyPrefix))
    .flatMap(([, revs]) =>
      revs.filter(r => r.definition.status === status).map(r => r.definition.taskDefinitionArn ?? '')
    )
  if (input.sort === 'DESC') arns = arns.reverse()
  const start = Number(input.nextToken ?? 0)
  const max = input.maxResults ?? 100
  return {
    taskDefinitionArns: arns.slice(start, start + max),
    nextToken: start + max < arns.length ? String(start + max) : undefined
  }
}

function deregisterTaskDefinition(
  state: SimState,
  input: E.DeregisterTaskDefinitionRequest,
  now: number
): E.DeregisterTaskDefinitionResponse {
  if (!input.taskDefinition?.includes(':'))
    throw new AwsError('ClientException', 'A revision must be specified.')
  const td = taskDefinitionOrThrow(state, input.taskDefinition)
  td.definition.status = 'INACTIVE'
  td.definition.deregisteredAt = new Date(now)
  return { taskDefinition: td.definition }
}

function taggable(state: SimState, arn: string | undefined): { tags: E.Tag[] } {
  for (const s of state.services.values())
    if (s.service.serviceArn === arn && s.service.status !== 'INACTIVE') return s
  for (const revs of state.taskDefinitions.values())
    for (const r of revs) if (r.definition.taskDefinitionArn === arn) return r
  throw new AwsError('InvalidParameterException', 'The specified resource could not be found.')
}

export const ecsHandlers: Handlers<EcsOperations> = {
  CreateCluster: (state, input) => {
    const name = input.clusterName ?? 'default'
    const existing = state.clusters.get(name)
    if (existing) return { cluster: existing }
    const c: E.Cluster = {
      clusterArn: ecsArn(state, `cluster/${name}`),
      clusterName: name,
      capacityProviders: input.capacityProviders ?? [],
      defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
      status: 'ACTIVE',
      activeServicesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      registeredContainerInstancesCount: 0
    }
    state.clusters.set(name, c)
    return { cluster: c }
  },
  DescribeClusters: (state, input) => {
    const clusters: E.Cluster[] = []
    const failures: E.Failure[] = []
    for (const ref of input.clusters ?? ['default']) {
      const c = state.clusters.get(nameFromArn(ref))
      if (c) clusters.push(c)
      else
        failures.push({
          arn: ref.startsWith('arn:') ? ref : ecsArn(state, `cluster/${ref}`),
          reason: 'MISSING'
        })
    }
    return { clusters, failures }
  },
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: (state, input) => ({
    families: [...state.taskDefinitions.keys()].filter(
      f => !input.familyPrefix || f.startsWith(input.familyPrefix)
    )
  }),
  DeregisterTaskDefinition: deregisterTaskDefinition,
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: (state, input) => {
    const c = cluster(state, input.cluster)
    return {
      serviceArns: [...state.services.values()]
        .filter(s => s.service.clusterArn === c.clusterArn && s.service.status === 'ACTIVE')
        .map(s => s.service.serviceArn ?? '')
    }
  },
  RunTask: runTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  StopTask: stopTask,
  ListServiceDeployments: listServiceDeployments,
  StopServiceDeployment: stopServiceDeployment,
  ContinueServiceDeployment: continueServiceDeployment,
  DescribeServiceDeployments: describeServiceDeployments,
  DescribeServiceRevisions: describeServiceRevisions,
  ListTagsForResource: (state, input) => ({
    tags: taggable(state, input.resourceArn).tags
  }),
  TagResource: (state, input) => {
    const target = taggable(state, input.resourceArn)
    for (const tag of input.tags ?? []) {
      const i = target.tags.findIndex(t => t.key === tag.key)
      if (i >= 0) target.tags[i] = tag
      else target.tags.push(tag)
    }
    return {}
  },
  UntagResource: (state, input) => {
    const target = taggable(state, input.resourceArn)
    target.tags = target.tags.filter(t => !input.tagKeys?.includes(t.key ?? ''))
    return {}
  }
}

export const ECS_MUTATING: ReadonlySet<keyof EcsOperations> = new Set<keyof EcsOperations>([
  'CreateCluster',
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'RunTask',
  'StopTask',
  'StopServiceDeployment',
  'ContinueServiceDeployment',
  'TagResource',
  'UntagResource'
])
