// AWS CodeDeploy operations (awsJson1_1, target prefix CodeDeploy_20141006) for the Amazon ECS
// compute platform: applications, deployment groups, blue/green deployments and their ECS
// targets. Shapes are the SDK's own; error codes follow the CodeDeploy API reference. What a
// deployment does over time is in controllers/codedeploy/.
import { createHash, randomUUID } from 'node:crypto'
import type * as C from '@aws-sdk/client-codedeploy'
import {
  continueFromReady,
  isRunning,
  openDeployment,
  stopDeployment
} from '../runtime/codedeploy-deployments.js'
import { parseEcsAppSpec } from '../world/appspec.js'
import { AwsError } from '../world/aws-error.js'
import {
  ECS_DEPLOYMENT_CONFIGS,
  groupKey,
  type SimApplication,
  type SimCodeDeployment
} from '../world/codedeploy-model.js'
import { isCodeDeployService } from '../world/deployment-controller.js'
import { ecsArn, findService, type SimState } from '../world/model.js'
import type { Handlers } from './handlers.js'

/** The CodeDeploy operations the simulator answers, with the SDK's shapes. */
export type CodeDeployOperations = {
  CreateApplication: [C.CreateApplicationInput, C.CreateApplicationOutput]
  GetApplication: [C.GetApplicationInput, C.GetApplicationOutput]
  BatchGetApplications: [C.BatchGetApplicationsInput, C.BatchGetApplicationsOutput]
  ListApplications: [C.ListApplicationsInput, C.ListApplicationsOutput]
  DeleteApplication: [C.DeleteApplicationInput, object]
  CreateDeploymentGroup: [C.CreateDeploymentGroupInput, C.CreateDeploymentGroupOutput]
  GetDeploymentGroup: [C.GetDeploymentGroupInput, C.GetDeploymentGroupOutput]
  ListDeploymentGroups: [C.ListDeploymentGroupsInput, C.ListDeploymentGroupsOutput]
  UpdateDeploymentGroup: [C.UpdateDeploymentGroupInput, C.UpdateDeploymentGroupOutput]
  DeleteDeploymentGroup: [C.DeleteDeploymentGroupInput, C.DeleteDeploymentGroupOutput]
  GetDeploymentConfig: [C.GetDeploymentConfigInput, C.GetDeploymentConfigOutput]
  ListDeploymentConfigs: [C.ListDeploymentConfigsInput, C.ListDeploymentConfigsOutput]
  CreateDeployment: [C.CreateDeploymentInput, C.CreateDeploymentOutput]
  GetDeployment: [C.GetDeploymentInput, C.GetDeploymentOutput]
  BatchGetDeployments: [C.BatchGetDeploymentsInput, C.BatchGetDeploymentsOutput]
  ListDeployments: [C.ListDeploymentsInput, C.ListDeploymentsOutput]
  StopDeployment: [C.StopDeploymentInput, C.StopDeploymentOutput]
  ContinueDeployment: [C.ContinueDeploymentInput, object]
  PutLifecycleEventHookExecutionStatus: [
    C.PutLifecycleEventHookExecutionStatusInput,
    C.PutLifecycleEventHookExecutionStatusOutput
  ]
  ListDeploymentTargets: [C.ListDeploymentTargetsInput, C.ListDeploymentTargetsOutput]
  BatchGetDeploymentTargets: [C.BatchGetDeploymentTargetsInput, C.BatchGetDeploymentTargetsOutput]
  GetDeploymentTarget: [C.GetDeploymentTargetInput, C.GetDeploymentTargetOutput]
}

const DEFAULT_ECS_CONFIG = 'CodeDeployDefault.ECSAllAtOnce'

// ---- Lookups that answer CodeDeploy's errors.

function application(state: SimState, name: string | undefined): SimApplication {
  if (!name)
    throw new AwsError(
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.'
    )
  const found = state.codedeploy.applications.get(name)
  if (!found) throw new AwsError('ApplicationDoesNotExistException', `No application found for name: ${name}`)
  return found
}

function deploymentGroup(
  state: SimState,
  app: string | undefined,
  name: string | undefined
): C.DeploymentGroupInfo {
  application(state, app)
  if (!name)
    throw new AwsError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.')
  const found = state.codedeploy.deploymentGroups.get(groupKey(app ?? '', name))
  if (!found)
    throw new AwsError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`)
  return found
}

function deployment(state: SimState, id: string | undefined): SimCodeDeployment {
  if (!id)
    throw new AwsError('DeploymentIdRequiredException', 'At least one deployment ID must be specified.')
  if (!/^d-[A-Z0-9]{9}$/.test(id))
    throw new AwsError(
      'InvalidDeploymentIdException',
      `Specified DeploymentId is not in the valid format: ${id}`
    )
  const found = state.codedeploy.deployments.get(id)
  if (!found) throw new AwsError('DeploymentDoesNotExistException', `Deployment ${id} does not exist.`)
  return found
}

function deploymentConfig(name: string): C.DeploymentConfigInfo {
  const found = ECS_DEPLOYMENT_CONFIGS[name]
  if (!found)
    throw new AwsError(
      'DeploymentConfigDoesNotExistException',
      `No deployment configuration found for name: ${name}`
    )
  return found
}

// ---- Views.

const targetId = (dep: SimCodeDeployment) => `${dep.clusterName}:${dep.serviceName}`

/** GetDeployment never returns the AppSpec content, only its sha256. */
function revisionView(revision: C.RevisionLocation | undefined): C.RevisionLocation | undefined {
  if (!revision?.appSpecContent) return revision
  return { ...revision, appSpecContent: { sha256: revision.appSpecContent.sha256 } }
}

function deploymentView(dep: SimCodeDeployment): C.DeploymentInfo {
  const overview: C.DeploymentOverview = {
    Pending: 0,
    InProgress: 0,
    Succeeded: 0,
    Failed: 0,
    Skipped: 0,
    Ready: 0
  }
  const status = dep.targetStatus as keyof C.DeploymentOverview
  if (status in overview) overview[status] = 1
  return {
    ...dep.info,
    revision: revisionView(dep.info.revision),
    previousRevision: revisionView(dep.info.previousRevision),
    deploymentOverview: overview
  }
}

function targetView(state: SimState, dep: SimCodeDeployment): C.DeploymentTarget {
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      deploymentId: dep.info.deploymentId,
      targetId: targetId(dep),
      targetArn: ecsArn(state, `service/${dep.clusterName}/${dep.serviceName}`),
      lastUpdatedAt: dep.lastUpdatedAt,
      lifecycleEvents: dep.events,
      status: dep.targetStatus,
      taskSetsInfo: dep.taskSetsInfo
    }
  }
}

function startedDeployment(state: SimState, id: string | undefined): SimCodeDeployment {
  const dep = deployment(state, id)
  if (dep.info.status === 'Created')
    throw new AwsError('DeploymentNotStartedException', `The deployment ${id} has not started.`)
  return dep
}

function target(state: SimState, dep: SimCodeDeployment, id: string | undefined): C.DeploymentTarget {
  if (!id)
    throw new AwsError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.')
  if (id !== targetId(dep))
    throw new AwsError('DeploymentTargetDoesNotExistException', `The deployment target ${id} does not exist.`)
  return targetView(state, dep)
}

// ---- Applications and deployment groups.

function createApplication(
  state: SimState,
  input: C.CreateApplicationInput,
  now: number
): C.CreateApplicationOutput {
  const name = input.applicationName
  if (!name)
    throw new AwsError(
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.'
    )
  if (state.codedeploy.applications.has(name))
    throw new AwsError('ApplicationAlreadyExistsException', `${name} already exists in your account`)
  const applicationId = randomUUID()
  state.codedeploy.applications.set(name, {
    info: {
      applicationId,
      applicationName: name,
      createTime: new Date(now),
      linkedToGitHub: false,
      computePlatform: input.computePlatform ?? 'Server'
    },
    tags: input.tags ?? []
  })
  return { applicationId }
}

function validateEcsService(state: SimState, services: C.ECSService[] | undefined): void {
  if (services?.length !== 1)
    throw new AwsError(
      'InvalidECSServiceException',
      'An Amazon ECS deployment group must name exactly one ECS service.'
    )
  const [ecsService] = services
  const svc = findService(state, ecsService?.clusterName ?? '', ecsService?.serviceName ?? '')
  if (!svc || svc.service.status !== 'ACTIVE')
    throw new AwsError(
      'InvalidECSServiceException',
      `The ECS service ${ecsService?.serviceName} in cluster ${ecsService?.clusterName} does not exist.`
    )
  if (!isCodeDeployService(svc))
    throw new AwsError(
      'InvalidECSServiceException',
      `The ECS service ${ecsService?.serviceName} does not use the CODE_DEPLOY deployment controller.`
    )
}

function validateLoadBalancerInfo(state: SimState, info: C.LoadBalancerInfo | undefined): void {
  const pairs = info?.targetGroupPairInfoList ?? []
  if (pairs.length !== 1)
    throw new AwsError(
      'InvalidTargetGroupPairException',
      'An Amazon ECS deployment group needs one target group pair.'
    )
  const [pair] = pairs
  const names = (pair?.targetGroups ?? []).map(t => t.name)
  if (names.length !== 2 || names[0] === names[1])
    throw new AwsError(
      'InvalidTargetGroupPairException',
      'A target group pair must name two different target groups.'
    )
  for (const name of names)
    if (!state.targetGroups.some(t => t.group.TargetGroupName === name))
      throw new AwsError('InvalidTargetGroupPairException', `Target group ${name} does not exist.`)
  const listeners = [
    ...(pair?.prodTrafficRoute?.listenerArns ?? []),
    ...(pair?.testTrafficRoute?.listenerArns ?? [])
  ]
  if ((pair?.prodTrafficRoute?.listenerArns ?? []).length !== 1)
    throw new AwsError(
      'InvalidLoadBalancerInfoException',
      'The production traffic route must name one listener.'
    )
  for (const arn of listeners)
    if (!state.listeners.some(l => l.ListenerArn === arn))
      throw new AwsError('InvalidLoadBalancerInfoException', `Listener ${arn} does not exist.`)
}

function validateDeploymentGroup(state: SimState, group: C.DeploymentGroupInfo): void {
  if (!group.serviceRoleArn)
    throw new AwsError('RoleRequiredException', 'Role ARN is required for the deployment group.')
  const style = group.deploymentStyle
  if (style?.deploymentType !== 'BLUE_GREEN' || style.deploymentOption !== 'WITH_TRAFFIC_CONTROL')
    throw new AwsError(
      'InvalidDeploymentStyleException',
      'An Amazon ECS deployment group must use deployment type BLUE_GREEN with traffic control.'
    )
  validateEcsService(state, group.ecsServices)
  validateLoadBalancerInfo(state, group.loadBalancerInfo)
  deploymentConfig(group.deploymentConfigName ?? DEFAULT_ECS_CONFIG)
  const rollback = group.autoRollbackConfiguration
  if (rollback?.enabled && !rollback.events?.length)
    throw new AwsError(
      'InvalidAutoRollbackConfigException',
      'Auto rollback is enabled but no rollback events were specified.'
    )
  const ready = group.blueGreenDeploymentConfiguration?.deploymentReadyOption
  if (ready?.actionOnTimeout === 'STOP_DEPLOYMENT' && !ready.waitTimeInMinutes)
    throw new AwsError(
      'InvalidBlueGreenDeploymentConfigurationException',
      'STOP_DEPLOYMENT needs a waitTimeInMinutes greater than zero.'
    )
}

function createDeploymentGroup(
  state: SimState,
  input: C.CreateDeploymentGroupInput,
  _now: number
): C.CreateDeploymentGroupOutput {
  const app = application(state, input.applicationName)
  const name = input.deploymentGroupName
  if (!name)
    throw new AwsError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.')
  if (app.info.computePlatform !== 'ECS')
    throw new AwsError(
      'InvalidComputePlatformException',
      'The simulator models the ECS compute platform only.'
    )
  const key = groupKey(app.info.applicationName ?? '', name)
  if (state.codedeploy.deploymentGroups.has(key))
    throw new AwsError(
      'DeploymentGroupAlreadyExistsException',
      `A deployment group named ${name} already exists.`
    )
  const group: C.DeploymentGroupInfo = {
    applicationName: app.info.applicationName,
    deploymentGroupId: randomUUID(),
    deploymentGroupName: name,
    deploymentConfigName: input.deploymentConfigName ?? DEFAULT_ECS_CONFIG,
    ec2TagFilters: [],
    onPremisesInstanceTagFilters: [],
    autoScalingGroups: [],
    serviceRoleArn: input.serviceRoleArn,
    triggerConfigurations: input.triggerConfigurations ?? [],
    alarmConfiguration: input.alarmConfiguration ?? {
      enabled: false,
      ignorePollAlarmFailure: false,
      alarms: []
    },
    autoRollbackConfiguration: input.autoRollbackConfiguration ?? { enabled: false, events: [] },
    deploymentStyle: input.deploymentStyle,
    outdatedInstancesStrategy: 'UPDATE',
    blueGreenDeploymentConfiguration: input.blueGreenDeploymentConfiguration,
    loadBalancerInfo: input.loadBalancerInfo,
    ecsServices: input.ecsServices,
    computePlatform: 'ECS',
    terminationHookEnabled: false
  }
  validateDeploymentGroup(state, group)
  state.codedeploy.deploymentGroups.set(key, group)
  return { deploymentGroupId: group.deploymentGroupId }
}

function updateDeploymentGroup(
  state: SimState,
  input: C.UpdateDeploymentGroupInput
): C.UpdateDeploymentGroupOutput {
  const current = deploymentGroup(state, input.applicationName, input.currentDeploymentGroupName)
  const name = input.newDeploymentGroupName ?? current.deploymentGroupName ?? ''
  const updated: C.DeploymentGroupInfo = {
    ...current,
    deploymentGroupName: name,
    deploymentConfigName: input.deploymentConfigName ?? current.deploymentConfigName,
    serviceRoleArn: input.serviceRoleArn ?? current.serviceRoleArn,
    autoRollbackConfiguration: input.autoRollbackConfiguration ?? current.autoRollbackConfiguration,
    deploymentStyle: input.deploymentStyle ?? current.deploymentStyle,
    blueGreenDeploymentConfiguration:
      input.blueGreenDeploymentConfiguration ?? current.blueGreenDeploymentConfiguration,
    loadBalancerInfo: input.loadBalancerInfo ?? current.loadBalancerInfo,
    ecsServices: input.ecsServices ?? current.ecsServices
  }
  validateDeploymentGroup(state, updated)
  const app = input.applicationName ?? ''
  state.codedeploy.deploymentGroups.delete(groupKey(app, input.currentDeploymentGroupName ?? ''))
  state.codedeploy.deploymentGroups.set(groupKey(app, name), updated)
  return { hooksNotCleanedUp: [] }
}

function deleteDeploymentGroup(
  state: SimState,
  input: C.DeleteDeploymentGroupInput
): C.DeleteDeploymentGroupOutput {
  application(state, input.applicationName)
  state.codedeploy.deploymentGroups.delete(
    groupKey(input.applicationName ?? '', input.deploymentGroupName ?? '')
  )
  return { hooksNotCleanedUp: [] }
}

// ---- Deployments.

/** The AppSpec text of an AppSpecContent (or String) revision; the simulator keeps no S3 or GitHub bundles. */
function appSpecText(revision: C.RevisionLocation | undefined): string {
  if (!revision) throw new AwsError('RevisionRequiredException', 'The revision ID was not specified.')
  const content =
    revision.revisionType === 'AppSpecContent'
      ? revision.appSpecContent?.content
      : revision.revisionType === 'String'
        ? revision.string?.content
        : undefined
  if (!content)
    throw new AwsError(
      'InvalidRevisionException',
      `The simulator needs the AppSpec inline: revisionType AppSpecContent with content (got ${revision.revisionType}).`
    )
  return content
}

function createDeployment(
  state: SimState,
  input: C.CreateDeploymentInput,
  now: number
): C.CreateDeploymentOutput {
  const group = deploymentGroup(state, input.applicationName, input.deploymentGroupName)
  const content = appSpecText(input.revision)
  const appSpec = parseEcsAppSpec(content)
  const configName = input.deploymentConfigName ?? group.deploymentConfigName ?? DEFAULT_ECS_CONFIG
  deploymentConfig(configName)
  validateEcsService(state, group.ecsServices)
  const active = [...state.codedeploy.deployments.values()].find(
    d =>
      isRunning(d) &&
      d.info.applicationName === group.applicationName &&
      d.info.deploymentGroupName === group.deploymentGroupName
  )
  if (active)
    throw new AwsError(
      'DeploymentLimitExceededException',
      `The Deployment Group '${group.deploymentGroupName}' already has an active Deployment '${active.info.deploymentId}'`
    )
  const sha256 = createHash('sha256').update(content).digest('hex')
  const dep = openDeployment(
    state,
    {
      kind: 'deploy',
      group,
      appSpec,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256 } },
      deploymentConfigName: configName,
      creator: 'user',
      description: input.description,
      autoRollbackConfiguration: input.autoRollbackConfiguration
    },
    now
  )
  return { deploymentId: dep.info.deploymentId }
}

function stop(state: SimState, input: C.StopDeploymentInput, now: number): C.StopDeploymentOutput {
  const dep = deployment(state, input.deploymentId)
  if (!isRunning(dep))
    throw new AwsError(
      'DeploymentAlreadyCompletedException',
      `Deployment ${input.deploymentId} has already completed.`
    )
  stopDeployment(state, dep, input.autoRollbackEnabled, now)
  return { status: 'Succeeded', statusMessage: `Deployment ${input.deploymentId} stopped.` }
}

function continueDeployment(
  state: SimState,
  input: C.ContinueDeploymentInput,
  now: number
): Record<string, never> {
  const dep = deployment(state, input.deploymentId)
  const waitType = input.deploymentWaitType ?? 'READY_WAIT'
  if (waitType !== 'READY_WAIT' && waitType !== 'TERMINATION_WAIT')
    throw new AwsError('InvalidDeploymentWaitTypeException', `The wait type ${waitType} is invalid.`)
  if (!isRunning(dep))
    throw new AwsError(
      'DeploymentAlreadyCompletedException',
      `Deployment ${input.deploymentId} has already completed.`
    )
  if (waitType === 'READY_WAIT' && dep.waiting?.kind === 'ready') continueFromReady(dep, now)
  else if (waitType === 'TERMINATION_WAIT' && dep.waiting?.kind === 'termination') dep.waiting.until = now
  else
    throw new AwsError(
      'DeploymentIsNotInReadyStateException',
      `Deployment ${input.deploymentId} is not waiting for ${waitType === 'READY_WAIT' ? 'traffic rerouting' : 'the original task set to terminate'}.`
    )
  return {}
}

function putHookStatus(
  state: SimState,
  input: C.PutLifecycleEventHookExecutionStatusInput
): C.PutLifecycleEventHookExecutionStatusOutput {
  const dep = deployment(state, input.deploymentId)
  const hook = dep.hooks.find(h => h.id === input.lifecycleEventHookExecutionId)
  if (!hook)
    throw new AwsError(
      'InvalidLifecycleEventHookExecutionIdException',
      `The lifecycle event hook execution ID ${input.lifecycleEventHookExecutionId} is not valid for deployment ${input.deploymentId}.`
    )
  if (input.status !== 'Succeeded' && input.status !== 'Failed')
    throw new AwsError(
      'InvalidLifecycleEventHookExecutionStatusException',
      `The status ${input.status} is not valid: use Succeeded or Failed.`
    )
  const event = dep.events.find(e => e.lifecycleEventName === hook.eventName)
  if (hook.reported || event?.status !== 'InProgress')
    throw new AwsError(
      'LifecycleEventAlreadyCompletedException',
      `The ${hook.eventName} lifecycle event has already completed.`
    )
  hook.reported = input.status
  return { lifecycleEventHookExecutionId: hook.id }
}

function listDeployments(state: SimState, input: C.ListDeploymentsInput): C.ListDeploymentsOutput {
  if (input.applicationName) deploymentGroup(state, input.applicationName, input.deploymentGroupName)
  const statuses = input.includeOnlyStatuses ?? []
  const ids = [...state.codedeploy.deployments.values()]
    .filter(d => !input.applicationName || d.info.applicationName === input.applicationName)
    .filter(d => !input.deploymentGroupName || d.info.deploymentGroupName === input.deploymentGroupName)
    .filter(d => statuses.length === 0 || statuses.includes(d.info.status as C.DeploymentStatus))
    .reverse()
    .map(d => d.info.deploymentId ?? '')
  return { deployments: ids }
}

export const codeDeployHandlers: Handlers<CodeDeployOperations> = {
  CreateApplication: createApplication,
  GetApplication: (state, input) => ({
    application: application(state, input.applicationName).info
  }),
  BatchGetApplications: (state, input) => ({
    applicationsInfo: (input.applicationNames ?? []).map(name => application(state, name).info)
  }),
  ListApplications: state => ({
    applications: [...state.codedeploy.applications.keys()]
  }),
  DeleteApplication: (state, input) => {
    const name = input.applicationName ?? ''
    state.codedeploy.applications.delete(name)
    for (const key of state.codedeploy.deploymentGroups.keys())
      if (key.startsWith(`${name}/`)) state.codedeploy.deploymentGroups.delete(key)
    return {}
  },
  CreateDeploymentGroup: createDeploymentGroup,
  GetDeploymentGroup: (state, input) => ({
    deploymentGroupInfo: deploymentGroup(state, input.applicationName, input.deploymentGroupName)
  }),
  ListDeploymentGroups: (state, input) => {
    application(state, input.applicationName)
    return {
      applicationName: input.applicationName,
      deploymentGroups: [...state.codedeploy.deploymentGroups.values()]
        .filter(g => g.applicationName === input.applicationName)
        .map(g => g.deploymentGroupName ?? '')
    }
  },
  UpdateDeploymentGroup: updateDeploymentGroup,
  DeleteDeploymentGroup: deleteDeploymentGroup,
  GetDeploymentConfig: (_state, input) => ({
    deploymentConfigInfo: deploymentConfig(input.deploymentConfigName ?? '')
  }),
  ListDeploymentConfigs: () => ({
    deploymentConfigsList: Object.keys(ECS_DEPLOYMENT_CONFIGS)
  }),
  CreateDeployment: createDeployment,
  GetDeployment: (state, input) => ({
    deploymentInfo: deploymentView(deployment(state, input.deploymentId))
  }),
  BatchGetDeployments: (state, input) => ({
    deploymentsInfo: (input.deploymentIds ?? []).map(id => deploymentView(deployment(state, id)))
  }),
  ListDeployments: listDeployments,
  StopDeployment: stop,
  ContinueDeployment: continueDeployment,
  PutLifecycleEventHookExecutionStatus: putHookStatus,
  ListDeploymentTargets: (state, input) => {
    const dep = startedDeployment(state, input.deploymentId)
    const statuses = input.targetFilters?.TargetStatus ?? []
    return { targetIds: statuses.length && !statuses.includes(dep.targetStatus) ? [] : [targetId(dep)] }
  },
  BatchGetDeploymentTargets: (state, input) => {
    const dep = startedDeployment(state, input.deploymentId)
    const ids = input.targetIds ?? []
    if (ids.length === 0)
      throw new AwsError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.')
    if (ids.length > 25)
      throw new AwsError(
        'DeploymentTargetListSizeExceededException',
        'The maximum number of targets that can be requested is 25.'
      )
    return { deploymentTargets: ids.map(id => target(state, dep, id)) }
  },
  GetDeploymentTarget: (state, input) => {
    const dep = startedDeployment(state, input.deploymentId)
    return { deploymentTarget: target(state, dep, input.targetId) }
  }
}

export const CODEDEPLOY_MUTATING: ReadonlySet<keyof CodeDeployOperations> = new Set<
  keyof CodeDeployOperations
>([
  'CreateApplication',
  'DeleteApplication',
  'CreateDeploymentGroup',
  'UpdateDeploymentGroup',
  'DeleteDeploymentGroup',
  'CreateDeployment',
  'StopDeployment',
  'ContinueDeployment',
  'PutLifecycleEventHookExecutionStatus'
])
