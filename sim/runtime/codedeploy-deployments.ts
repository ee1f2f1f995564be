// CodeDeploy deployments of an ECS service as records: opening one (status Created), the status of
// its lifecycle events, and ending it (Succeeded, Failed or Stopped), with the automatic rollback
// a failure or a stop can start: a new deployment that restores the original task set. The
// CodeDeploy API (CreateDeployment, StopDeployment, ContinueDeployment) and the lifecycle that
// moves a deployment forward over time (controllers/codedeploy/) both change deployments through
// here. The CodeDeploy user guide: "Redeployments and deployment rollbacks".
import type {
  AutoRollbackEvent,
  DeploymentCreator,
  DeploymentGroupInfo,
  DeploymentInfo,
  LifecycleEvent,
  LifecycleEventStatus,
  RevisionLocation,
  RollbackInfo
} from '@aws-sdk/client-codedeploy'
import type { EcsAppSpec } from '../world/appspec.js'
import { ECS_LIFECYCLE_EVENTS } from '../world/appspec.js'
import { groupKey, type LifecycleFailure, type SimCodeDeployment } from '../world/codedeploy-model.js'
import { findService, recordMilestone, type SimState } from '../world/model.js'
import { findTaskSet, isTaskSetTaskHealthy, taskSetTasks } from './task-sets.js'

const RUNNING_STATUSES: ReadonlySet<string> = new Set(['Created', 'Queued', 'InProgress', 'Ready', 'Baking'])
export const isRunning = (dep: SimCodeDeployment): boolean => RUNNING_STATUSES.has(dep.info.status ?? '')

function newDeploymentId(state: SimState): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  let id = 'd-'
  for (let i = 0; i < 9; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)]
  return state.codedeploy.deployments.has(id) ? newDeploymentId(state) : id
}

export interface DeploymentParams {
  readonly kind: SimCodeDeployment['kind']
  readonly group: DeploymentGroupInfo
  readonly appSpec: EcsAppSpec
  readonly revision?: RevisionLocation
  readonly deploymentConfigName: string
  readonly creator: DeploymentCreator
  readonly description?: string
  readonly autoRollbackConfiguration?: DeploymentInfo['autoRollbackConfiguration']
  readonly rollbackInfo?: RollbackInfo
}

/** A deployment in status Created: it starts on a later tick. */
export function openDeployment(state: SimState, params: DeploymentParams, now: number): SimCodeDeployment {
  const { group } = params
  const target = group.ecsServices?.[0]
  const deploymentId = newDeploymentId(state)
  const previous = group.lastSuccessfulDeployment?.deploymentId
  const dep: SimCodeDeployment = {
    kind: params.kind,
    info: {
      applicationName: group.applicationName,
      deploymentGroupName: group.deploymentGroupName,
      deploymentConfigName: params.deploymentConfigName,
      deploymentId,
      previousRevision: previous ? state.codedeploy.deployments.get(previous)?.info.revision : undefined,
      revision: params.revision,
      status: 'Created',
      createTime: new Date(now),
      description: params.description,
      creator: params.creator,
      ignoreApplicationStopFailures: false,
      autoRollbackConfiguration: params.autoRollbackConfiguration ?? group.autoRollbackConfiguration,
      updateOutdatedInstancesOnly: false,
      rollbackInfo: params.rollbackInfo,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      instanceTerminationWaitTimeStarted: false,
      blueGreenDeploymentConfiguration: group.blueGreenDeploymentConfiguration,
      loadBalancerInfo: group.loadBalancerInfo,
      fileExistsBehavior: 'DISALLOW',
      deploymentStatusMessages: [],
      computePlatform: 'ECS'
    },
    appSpec: params.appSpec,
    clusterName: target?.clusterName ?? '',
    serviceName: target?.serviceName ?? '',
    events: ECS_LIFECYCLE_EVENTS.map(name => ({ lifecycleEventName: name, status: 'Pending' })),
    targetStatus: 'Pending',
    lastUpdatedAt: new Date(now),
    hooks: [],
    greenPercent: 0,
    taskSetsInfo: []
  }
  state.codedeploy.deployments.set(deploymentId, dep)
  group.lastAttemptedDeployment = { deploymentId, status: 'Created', createTime: new Date(now) }
  return dep
}

function groupOf(state: SimState, dep: SimCodeDeployment): DeploymentGroupInfo | undefined {
  return state.codedeploy.deploymentGroups.get(
    groupKey(dep.info.applicationName ?? '', dep.info.deploymentGroupName ?? '')
  )
}

/** A lifecycle event's new status, with its start or end time, as ListDeploymentTargets shows it. */
export function setEventStatus(
  state: SimState,
  dep: SimCodeDeployment,
  { event, status }: { event: LifecycleEvent; status: LifecycleEventStatus },
  now: number
): void {
  event.status = status
  if (status === 'InProgress') event.startTime = new Date(now)
  else if (status !== 'Skipped') event.endTime = new Date(now)
  dep.lastUpdatedAt = new Date(now)
  recordMilestone(state, 'codedeploy-lifecycle', {
    deploymentId: dep.info.deploymentId,
    event: event.lifecycleEventName,
    status
  })
}

/** ContinueDeployment (READY_WAIT): reroute traffic now. */
export function continueFromReady(dep: SimCodeDeployment, now: number): void {
  dep.waiting = undefined
  dep.readyContinued = true
  dep.info.status = 'InProgress'
  dep.targetStatus = 'InProgress'
  dep.lastUpdatedAt = new Date(now)
}

function updateGroup(state: SimState, dep: SimCodeDeployment, now: number): void {
  const group = groupOf(state, dep)
  if (!group) return
  const summary = {
    deploymentId: dep.info.deploymentId,
    status: dep.info.status,
    createTime: dep.info.createTime,
    endTime: new Date(now)
  }
  group.lastAttemptedDeployment = summary
  if (dep.info.status === 'Succeeded') group.lastSuccessfulDeployment = summary
}

/** How a deployment ends, and why when it did not succeed. */
export interface Ending {
  readonly status: 'Succeeded' | 'Failed' | 'Stopped'
  readonly error?: LifecycleFailure
}

/** The deployment ends: events not reached are Skipped, and the deployment group records it. */
export function end(state: SimState, dep: SimCodeDeployment, { status, error }: Ending, now: number): void {
  dep.waiting = undefined
  for (const event of dep.events.filter(e => e.status === 'Pending'))
    setEventStatus(state, dep, { event, status: 'Skipped' }, now)
  dep.info.status = status
  dep.info.completeTime = new Date(now)
  if (error) dep.info.errorInformation = { code: error.code, message: error.message }
  dep.targetStatus =
    status === 'Succeeded' ? 'Succeeded' : dep.events.some(e => e.status === 'Failed') ? 'Failed' : 'Skipped'
  dep.lastUpdatedAt = new Date(now)
  updateGroup(state, dep, now)
  const triggering = state.codedeploy.deployments.get(
    dep.info.rollbackInfo?.rollbackTriggeringDeploymentId ?? ''
  )
  if (dep.kind === 'rollback' && triggering?.info.rollbackInfo)
    triggering.info.rollbackInfo.rollbackMessage = `Rollback deployment ${dep.info.deploymentId} ${status.toLowerCase()}.`
}

export function succeed(state: SimState, dep: SimCodeDeployment, now: number): void {
  end(state, dep, { status: 'Succeeded' }, now)
  dep.completionPending = true
  recordCompletionWhenHealthy(state, dep)
}

/** The deployment-completed milestone: Succeeded, and every task of the serving task set healthy. */
export function recordCompletionWhenHealthy(state: SimState, dep: SimCodeDeployment): void {
  const svc = findService(state, dep.clusterName, dep.serviceName)
  const serving =
    svc && findTaskSet(svc, dep.kind === 'deploy' ? dep.replacementTaskSetId : dep.originalTaskSetId)
  if (!serving) return
  const tasks = taskSetTasks(state, serving)
  if (
    tasks.length !== serving.computedDesiredCount ||
    !tasks.every(t => isTaskSetTaskHealthy(state, serving, t))
  )
    return
  dep.completionPending = false
  recordMilestone(state, 'deployment-completed', {
    deploymentId: dep.info.deploymentId,
    taskDefinition: serving.taskDefinition,
    rollbackOf: dep.info.rollbackInfo?.rollbackTriggeringDeploymentId
  })
}

const rollsBackOn = (dep: SimCodeDeployment, event: AutoRollbackEvent): boolean =>
  dep.kind === 'deploy' &&
  !!dep.info.autoRollbackConfiguration?.enabled &&
  !!dep.info.autoRollbackConfiguration.events?.includes(event)

/** A new deployment that restores the original task set; possible once a replacement exists. */
function rollBack(state: SimState, failed: SimCodeDeployment, now: number): void {
  const group = groupOf(state, failed)
  if (!failed.replacementTaskSetId || !group) {
    failed.info.rollbackInfo = {
      rollbackMessage: 'No rollback: the deployment ended before the replacement task set was created.'
    }
    return
  }
  const svc = findService(state, failed.clusterName, failed.serviceName)
  const original = svc && findTaskSet(svc, failed.originalTaskSetId)
  const rollback = openDeployment(
    state,
    {
      kind: 'rollback',
      group,
      appSpec: { ...failed.appSpec, taskDefinition: original?.taskDefinition ?? '', hooks: {} },
      revision: failed.info.previousRevision,
      deploymentConfigName: failed.info.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce',
      creator: 'codeDeployRollback',
      autoRollbackConfiguration: failed.info.autoRollbackConfiguration,
      rollbackInfo: { rollbackTriggeringDeploymentId: failed.info.deploymentId }
    },
    now
  )
  Object.assign(rollback, {
    originalTaskSetId: failed.originalTaskSetId,
    replacementTaskSetId: failed.replacementTaskSetId,
    blueTargetGroupArn: failed.blueTargetGroupArn,
    greenTargetGroupArn: failed.greenTargetGroupArn,
    greenPercent: failed.greenPercent
  })
  failed.info.rollbackInfo = {
    rollbackDeploymentId: rollback.info.deploymentId,
    rollbackMessage: `Rollback deployment ${rollback.info.deploymentId} in progress.`
  }
}

/** The event underway fails, and the deployment with it; rolls back when configured to on failure. */
export function fail(state: SimState, dep: SimCodeDeployment, failure: LifecycleFailure, now: number): void {
  const running = dep.events.find(e => e.status === 'InProgress')
  if (running) {
    running.diagnostics = failure.diagnostics
    setEventStatus(state, dep, { event: running, status: 'Failed' }, now)
  }
  end(state, dep, { status: 'Failed', error: failure }, now)
  recordMilestone(state, 'rollout-failed', { deploymentId: dep.info.deploymentId, reason: failure.message })
  if (rollsBackOn(dep, 'DEPLOYMENT_FAILURE')) rollBack(state, dep, now)
}

/** StopDeployment: the event underway fails, the rest are skipped; rolls back when asked to. */
export function stopDeployment(
  state: SimState,
  dep: SimCodeDeployment,
  autoRollbackEnabled: boolean | undefined,
  now: number
): void {
  const running = dep.events.find(e => e.status === 'InProgress')
  if (running) setEventStatus(state, dep, { event: running, status: 'Failed' }, now)
  end(
    state,
    dep,
    {
      status: 'Stopped',
      error: { code: 'MANUAL_STOP', message: 'The deployment was stopped by a StopDeployment request.' }
    },
    now
  )
  const rollback =
    dep.kind === 'deploy' && (autoRollbackEnabled ?? rollsBackOn(dep, 'DEPLOYMENT_STOP_ON_REQUEST'))
  if (rollback) rollBack(state, dep, now)
}
