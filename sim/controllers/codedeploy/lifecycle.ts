// How a CodeDeploy blue/green deployment of an ECS service moves forward in time, as the CodeDeploy
// user guide describes it ("What happens during an Amazon ECS deployment", "AppSpec 'hooks'
// section for an Amazon ECS deployment", "Redeployments and deployment rollbacks"). The original
// (blue) task set serves production from one target group; Install creates the replacement (green)
// task set behind the other; the test listener, then the production listener, are pointed at it;
// the original is deleted after the termination wait. A failure, or a stop, can roll back: a new
// deployment that points both listeners back at the original and deletes the replacement.
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
import type { TaskSet } from '@aws-sdk/client-ecs'
import {
  ECS_LIFECYCLE_EVENTS,
  HOOK_EVENTS,
  type EcsAppSpec,
  type EcsLifecycleEvent
} from '../../world/appspec.js'
import { runHook } from './hooks.js'
import { groupKey, type LifecycleFailure, type SimCodeDeployment } from '../../world/codedeploy-model.js'
import { prodListeners, route, testListeners, trafficSteps } from './traffic.js'
import { findService } from '../../engine.js'
import { recordMilestone, scaled, type SimService, type SimState } from '../../world/model.js'
import { AwsError } from '../../world/aws-error.js'
import {
  createTaskSet,
  deleteTaskSet,
  findTaskSet,
  isTaskSetTaskHealthy,
  makePrimary,
  taskSetTasks
} from '../../runtime/task-sets.js'

/** How a lifecycle event went this tick. */
type Outcome = 'running' | 'succeeded' | LifecycleFailure

const RUNNING_STATUSES: ReadonlySet<string> = new Set(['Created', 'Queued', 'InProgress', 'Ready', 'Baking'])
export const isRunning = (dep: SimCodeDeployment): boolean => RUNNING_STATUSES.has(dep.info.status ?? '')

/** CodeDeploy gives a replacement task set an hour to become healthy; tests shorten it through the timings. */
const replacementTimeoutSeconds = (state: SimState) => state.timings.replacementTaskSetTimeoutSeconds ?? 3600
const minutes = (state: SimState, n: number | undefined) => scaled(state, (n ?? 0) * 60)

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

const targetGroupArn = (state: SimState, name: string | undefined) =>
  state.targetGroups.find(t => t.group.TargetGroupName === name)?.group.TargetGroupArn
export const targetGroupName = (state: SimState, arn: string | undefined) =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)?.group.TargetGroupName

function groupOf(state: SimState, dep: SimCodeDeployment): DeploymentGroupInfo | undefined {
  return state.codedeploy.deploymentGroups.get(
    groupKey(dep.info.applicationName ?? '', dep.info.deploymentGroupName ?? '')
  )
}

function setEventStatus(
  state: SimState,
  dep: SimCodeDeployment,
  event: LifecycleEvent,
  status: LifecycleEventStatus,
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

// ---- CodeDeploy's own lifecycle events.

function replacementTimeout(
  state: SimState,
  taskSet: TaskSet | undefined,
  role: 'replacement' | 'original' = 'replacement'
): LifecycleFailure {
  const seconds = replacementTimeoutSeconds(state)
  const lastStopped = state.tasks
    .filter(t => t.plan.deploymentId === taskSet?.id && t.task.desiredStatus === 'STOPPED')
    .at(-1)?.task
  const exitCode = lastStopped?.containers?.find(
    c => c.exitCode !== undefined && c.exitCode !== 143
  )?.exitCode
  const why = lastStopped
    ? ` The last ${role} task stopped: ${lastStopped.stoppedReason}${exitCode !== undefined ? ` (exit code ${exitCode})` : ''}.`
    : ''
  return {
    code: 'TIMEOUT',
    message: `The deployment timed out while waiting for the ${role} task set ${taskSet?.id ?? ''} to become healthy (${Math.round(seconds / 60)} minutes).${why}`
  }
}

function install(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): Outcome {
  if (!dep.replacementTaskSetId) {
    const { appSpec } = dep
    try {
      const taskSet = createTaskSet(
        state,
        svc,
        {
          taskDefinitionArn: appSpec.taskDefinition,
          loadBalancers: [
            {
              targetGroupArn: dep.greenTargetGroupArn,
              containerName: appSpec.containerName,
              containerPort: appSpec.containerPort
            }
          ],
          status: 'ACTIVE',
          externalId: dep.info.deploymentId,
          startedBy: 'CODE_DEPLOY',
          networkConfiguration: appSpec.networkConfiguration,
          platformVersion: appSpec.platformVersion
        },
        now
      )
      dep.replacementTaskSetId = taskSet.id
    } catch (err) {
      if (!(err instanceof AwsError)) throw err
      return { code: 'ECS_UPDATE_ERROR', message: `The ECS service could not be updated: ${err.message}` }
    }
    dep.installDeadline = now + scaled(state, replacementTimeoutSeconds(state))
  }
  const taskSet = findTaskSet(svc, dep.replacementTaskSetId)
  if (taskSet?.stabilityStatus === 'STEADY_STATE') return 'succeeded'
  if (now >= (dep.installDeadline ?? now)) return replacementTimeout(state, taskSet)
  return 'running'
}

function allowTraffic(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): Outcome {
  dep.trafficSteps ??= trafficSteps(state, dep, now)
  const due = dep.trafficSteps.filter(s => s.at <= now).at(-1)
  if (due && due.greenPercent !== dep.greenPercent) {
    dep.greenPercent = due.greenPercent
    const failure = route(state, dep, prodListeners(dep), dep.greenPercent)
    if (failure) return failure
  }
  if (dep.greenPercent < 100) return 'running'
  const replacement = findTaskSet(svc, dep.replacementTaskSetId)
  if (replacement) makePrimary(svc, replacement, now)
  return 'succeeded'
}

/** A rollback's Install: the original task set, never scaled down, serves at full count again. */
function restoreOriginal(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): Outcome {
  const original = findTaskSet(svc, dep.originalTaskSetId)
  if (!original)
    return {
      code: 'ECS_UPDATE_ERROR',
      message: `The original task set ${dep.originalTaskSetId} no longer exists.`
    }
  dep.installDeadline ??= now + scaled(state, replacementTimeoutSeconds(state))
  if (original.stabilityStatus === 'STEADY_STATE') return 'succeeded'
  return now >= dep.installDeadline ? replacementTimeout(state, original, 'original') : 'running'
}

function restoreProduction(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): Outcome {
  dep.greenPercent = 0
  const failure = route(state, dep, prodListeners(dep), 0)
  if (failure) return failure
  const original = findTaskSet(svc, dep.originalTaskSetId)
  if (original) makePrimary(svc, original, now)
  return 'succeeded'
}

function runEvent(
  state: SimState,
  dep: SimCodeDeployment,
  svc: SimService,
  name: EcsLifecycleEvent,
  now: number
): Outcome {
  if (dep.kind === 'rollback') {
    if (name === 'Install') return restoreOriginal(state, dep, svc, now)
    if (name === 'AllowTestTraffic') return route(state, dep, testListeners(dep), 0) ?? 'succeeded'
    if (name === 'AllowTraffic') return restoreProduction(state, dep, svc, now)
    return 'succeeded'
  }
  if (HOOK_EVENTS.has(name)) return runHook(state, dep, name, now)
  if (name === 'Install') return install(state, dep, svc, now)
  if (name === 'AllowTestTraffic') return route(state, dep, testListeners(dep), 100) ?? 'succeeded'
  if (name === 'AllowTraffic') return allowTraffic(state, dep, svc, now)
  return 'succeeded'
}

// ---- Starting, waiting, ending.

/** Finds the original task set and which target group of the pair serves it; the other is green. */
function start(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): void {
  dep.info.status = 'InProgress'
  dep.info.startTime = new Date(now)
  dep.targetStatus = 'InProgress'
  dep.lastUpdatedAt = new Date(now)
  if (dep.kind === 'rollback') return
  const original = svc.service.taskSets?.find(ts => ts.status === 'PRIMARY')
  const names = (dep.info.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.targetGroups ?? []).map(t => t.name)
  const blueName = targetGroupName(state, original?.loadBalancers?.[0]?.targetGroupArn)
  const greenName = names.find(n => n !== blueName)
  if (!original)
    return fail(
      state,
      dep,
      { code: 'INVALID_ECS_SERVICE', message: 'The ECS service has no PRIMARY task set.' },
      now
    )
  if (!blueName || !names.includes(blueName) || !greenName)
    return fail(
      state,
      dep,
      {
        code: 'ELASTIC_LOAD_BALANCING_INVALID',
        message: `The original task set's target group ${blueName ?? '(none)'} is not one of the deployment group's target groups ${names.join(', ')}.`
      },
      now
    )
  dep.originalTaskSetId = original.id
  dep.blueTargetGroupArn = targetGroupArn(state, blueName)
  dep.greenTargetGroupArn = targetGroupArn(state, greenName)
}

/** With deploymentReadyOption STOP_DEPLOYMENT, traffic waits for ContinueDeployment before BeforeAllowTraffic. */
function waitsForReady(dep: SimCodeDeployment, event: LifecycleEvent): boolean {
  const ready = dep.info.blueGreenDeploymentConfiguration?.deploymentReadyOption
  return (
    dep.kind === 'deploy' &&
    event.lifecycleEventName === 'BeforeAllowTraffic' &&
    ready?.actionOnTimeout === 'STOP_DEPLOYMENT' &&
    !dep.readyContinued
  )
}

function enterReady(state: SimState, dep: SimCodeDeployment, now: number): void {
  const wait = dep.info.blueGreenDeploymentConfiguration?.deploymentReadyOption?.waitTimeInMinutes
  dep.waiting = { kind: 'ready', until: now + minutes(state, wait) }
  dep.info.status = 'Ready'
  dep.targetStatus = 'Ready'
  dep.lastUpdatedAt = new Date(now)
}

/** ContinueDeployment (READY_WAIT): reroute traffic now. */
export function continueFromReady(dep: SimCodeDeployment, now: number): void {
  dep.waiting = undefined
  dep.readyContinued = true
  dep.info.status = 'InProgress'
  dep.targetStatus = 'InProgress'
  dep.lastUpdatedAt = new Date(now)
}

/** All events done: the original task set goes after the termination wait (a rollback deletes the replacement). */
function finishEvents(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): void {
  if (dep.kind === 'rollback') {
    const replacement = findTaskSet(svc, dep.replacementTaskSetId)
    if (replacement && replacement.status !== 'DRAINING') deleteTaskSet(state, svc, replacement, now)
    return succeed(state, dep, now)
  }
  const terminate = dep.info.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess
  if (terminate?.action === 'KEEP_ALIVE') return succeed(state, dep, now)
  dep.info.instanceTerminationWaitTimeStarted = true
  dep.waiting = { kind: 'termination', until: now + minutes(state, terminate?.terminationWaitTimeInMinutes) }
}

function endWaitIfDue(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): boolean {
  const waiting = dep.waiting
  if (!waiting || now < waiting.until) return false
  dep.waiting = undefined
  if (waiting.kind === 'ready') {
    const minutesWaited = dep.info.blueGreenDeploymentConfiguration?.deploymentReadyOption?.waitTimeInMinutes
    end(
      state,
      dep,
      'Stopped',
      {
        code: 'TIMEOUT',
        message: `Traffic was not rerouted within the ${minutesWaited ?? 0}-minute wait time (deploymentReadyOption STOP_DEPLOYMENT), so the deployment was stopped.`
      },
      now
    )
    recordMilestone(state, 'rollout-failed', {
      deploymentId: dep.info.deploymentId,
      reason: 'ready wait timed out'
    })
    return true
  }
  const original = findTaskSet(svc, dep.originalTaskSetId)
  if (original && original.status !== 'DRAINING') deleteTaskSet(state, svc, original, now)
  succeed(state, dep, now)
  return true
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

function end(
  state: SimState,
  dep: SimCodeDeployment,
  status: 'Succeeded' | 'Failed' | 'Stopped',
  error: LifecycleFailure | undefined,
  now: number
): void {
  dep.waiting = undefined
  for (const event of dep.events.filter(e => e.status === 'Pending'))
    setEventStatus(state, dep, event, 'Skipped', now)
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

function succeed(state: SimState, dep: SimCodeDeployment, now: number): void {
  end(state, dep, 'Succeeded', undefined, now)
  dep.completionPending = true
  recordCompletionWhenHealthy(state, dep)
}

/** The deployment-completed milestone: Succeeded, and every task of the serving task set healthy. */
function recordCompletionWhenHealthy(state: SimState, dep: SimCodeDeployment): void {
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

function fail(state: SimState, dep: SimCodeDeployment, failure: LifecycleFailure, now: number): void {
  const running = dep.events.find(e => e.status === 'InProgress')
  if (running) {
    running.diagnostics = failure.diagnostics
    setEventStatus(state, dep, running, 'Failed', now)
  }
  end(state, dep, 'Failed', failure, now)
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
  if (running) setEventStatus(state, dep, running, 'Failed', now)
  end(
    state,
    dep,
    'Stopped',
    { code: 'MANUAL_STOP', message: 'The deployment was stopped by a StopDeployment request.' },
    now
  )
  const rollback =
    dep.kind === 'deploy' && (autoRollbackEnabled ?? rollsBackOn(dep, 'DEPLOYMENT_STOP_ON_REQUEST'))
  if (rollback) rollBack(state, dep, now)
}

/** One transition, if one is due; true when something changed. */
function step(state: SimState, dep: SimCodeDeployment, svc: SimService, now: number): boolean {
  if (dep.info.status === 'Created') {
    // CodeDeploy picks a created deployment up within a second or so.
    if (now - (dep.info.createTime?.getTime() ?? now) < scaled(state, 1)) return false
    start(state, dep, svc, now)
    return true
  }
  if (dep.waiting) return endWaitIfDue(state, dep, svc, now)
  const event = dep.events.find(e => e.status === 'Pending' || e.status === 'InProgress')
  if (!event) {
    finishEvents(state, dep, svc, now)
    return true
  }
  const name = event.lifecycleEventName as EcsLifecycleEvent
  let changed = false
  if (event.status === 'Pending') {
    if (waitsForReady(dep, event)) {
      enterReady(state, dep, now)
      return true
    }
    // A rollback does not run the AppSpec's hooks again.
    if (dep.kind === 'rollback' && HOOK_EVENTS.has(name)) {
      setEventStatus(state, dep, event, 'Skipped', now)
      return true
    }
    setEventStatus(state, dep, event, 'InProgress', now)
    changed = true
  }
  const outcome = runEvent(state, dep, svc, name, now)
  if (outcome === 'running') return changed
  if (outcome === 'succeeded') setEventStatus(state, dep, event, 'Succeeded', now)
  else fail(state, dep, outcome, now)
  return true
}

/** The task sets of the deployment's target, for ListDeploymentTargets and friends. */
function snapshotTaskSets(state: SimState, dep: SimCodeDeployment, svc: SimService): void {
  const sets = [
    { id: dep.originalTaskSetId, label: 'Blue' as const, weight: 100 - dep.greenPercent },
    { id: dep.replacementTaskSetId, label: 'Green' as const, weight: dep.greenPercent }
  ]
  for (const { id, label, weight } of sets) {
    if (!id) continue
    const taskSet = findTaskSet(svc, id)
    const known = dep.taskSetsInfo.find(i => i.identifer === id)
    const info = known ?? { identifer: id, taskSetLabel: label }
    if (!known) dep.taskSetsInfo.push(info)
    info.trafficWeight = weight
    if (!taskSet) {
      // ECS has deleted it: nothing runs any more.
      Object.assign(info, { desiredCount: 0, pendingCount: 0, runningCount: 0 })
      continue
    }
    Object.assign(info, {
      desiredCount: taskSet.computedDesiredCount,
      pendingCount: taskSet.pendingCount,
      runningCount: taskSet.runningCount,
      status: taskSet.status,
      targetGroup: { name: targetGroupName(state, taskSet.loadBalancers?.[0]?.targetGroupArn) }
    })
  }
}

function advanceDeployment(state: SimState, dep: SimCodeDeployment, now: number): void {
  const svc = findService(state, dep.clusterName, dep.serviceName)
  if (!svc || svc.service.status !== 'ACTIVE') {
    const message = `The ECS service ${dep.clusterName}/${dep.serviceName} is not active.`
    return fail(state, dep, { code: 'INVALID_ECS_SERVICE', message }, now)
  }
  // Events without a hook take no time, so several transitions can fall due in one tick.
  for (let i = 0; i < 32 && isRunning(dep); i++) if (!step(state, dep, svc, now)) break
  snapshotTaskSets(state, dep, svc)
}

/** Applies every CodeDeploy transition due at `now`. */
export function advanceCodeDeploy(state: SimState, now: number): void {
  for (const dep of state.codedeploy.deployments.values()) {
    if (isRunning(dep)) advanceDeployment(state, dep, now)
    else if (dep.completionPending) recordCompletionWhenHealthy(state, dep)
  }
}
