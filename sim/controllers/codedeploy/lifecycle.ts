// How a CodeDeploy blue/green deployment of an ECS service moves forward in time, as the CodeDeploy
// user guide describes it ("What happens during an Amazon ECS deployment", "AppSpec 'hooks'
// section for an Amazon ECS deployment", "Redeployments and deployment rollbacks"). The original
// (blue) task set serves production from one target group; Install creates the replacement (green)
// task set behind the other; the test listener, then the production listener, are pointed at it;
// the original is deleted after the termination wait. A failure, or a stop, can roll back: a new
// deployment that points both listeners back at the original and deletes the replacement
// (runtime/codedeploy-deployments.ts).
import type { LifecycleEvent } from '@aws-sdk/client-codedeploy'
import type { TaskSet } from '@aws-sdk/client-ecs'
import {
  end,
  fail,
  isRunning,
  recordCompletionWhenHealthy,
  setEventStatus,
  succeed
} from '../../runtime/codedeploy-deployments.js'
import { createTaskSet, deleteTaskSet, findTaskSet, makePrimary } from '../../runtime/task-sets.js'
import { markServingProduction } from '../../runtime/targets.js'
import { HOOK_EVENTS, type EcsLifecycleEvent } from '../../world/appspec.js'
import { AwsError } from '../../world/aws-error.js'
import type { LifecycleFailure, SimCodeDeployment } from '../../world/codedeploy-model.js'
import { findService, recordMilestone, scaled, type SimService, type SimState } from '../../world/model.js'
import { runHook } from './hooks.js'
import { prodListeners, route, testListeners, trafficSteps } from './traffic.js'

/** How a lifecycle event went this tick. */
type Outcome = 'running' | 'succeeded' | LifecycleFailure

/** One deployment of one service at one moment: what each step works on. */
interface Pass {
  readonly state: SimState
  readonly dep: SimCodeDeployment
  readonly svc: SimService
  readonly now: number
}

/** CodeDeploy gives a replacement task set an hour to become healthy; tests shorten it through the timings. */
const replacementTimeoutSeconds = (state: SimState) => state.timings.replacementTaskSetTimeoutSeconds ?? 3600
const minutes = (state: SimState, n: number | undefined) => scaled(state, (n ?? 0) * 60)

const targetGroupArn = (state: SimState, name: string | undefined) =>
  state.targetGroups.find(t => t.group.TargetGroupName === name)?.group.TargetGroupArn
const targetGroupName = (state: SimState, arn: string | undefined) =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)?.group.TargetGroupName

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

/** Install: the replacement task set, behind the green target group, until it is steady. */
function install({ state, dep, svc, now }: Pass): Outcome {
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

/** AllowTraffic: production moves to the replacement in the configuration's steps; it becomes PRIMARY. */
function allowTraffic({ state, dep, svc, now }: Pass): Outcome {
  dep.trafficSteps ??= trafficSteps(state, dep, now)
  const due = dep.trafficSteps.filter(s => s.at <= now).at(-1)
  if (due && due.greenPercent !== dep.greenPercent) {
    dep.greenPercent = due.greenPercent
    const failure = route(state, dep, prodListeners(dep), dep.greenPercent)
    if (failure) return failure
    if (dep.greenPercent > 0)
      markServingProduction(state, findTaskSet(svc, dep.replacementTaskSetId)?.taskDefinition)
  }
  if (dep.greenPercent < 100) return 'running'
  const replacement = findTaskSet(svc, dep.replacementTaskSetId)
  if (replacement) makePrimary(svc, replacement, now)
  return 'succeeded'
}

/** A rollback's Install: the original task set, never scaled down, serves at full count again. */
function restoreOriginal({ state, dep, svc, now }: Pass): Outcome {
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

/** A rollback's AllowTraffic: production goes back to the original task set at once. */
function restoreProduction({ state, dep, svc, now }: Pass): Outcome {
  dep.greenPercent = 0
  const failure = route(state, dep, prodListeners(dep), 0)
  if (failure) return failure
  const original = findTaskSet(svc, dep.originalTaskSetId)
  if (original) makePrimary(svc, original, now)
  return 'succeeded'
}

function runEvent(pass: Pass, name: EcsLifecycleEvent): Outcome {
  const { state, dep, now } = pass
  if (dep.kind === 'rollback') {
    if (name === 'Install') return restoreOriginal(pass)
    if (name === 'AllowTestTraffic') return route(state, dep, testListeners(dep), 0) ?? 'succeeded'
    if (name === 'AllowTraffic') return restoreProduction(pass)
    return 'succeeded'
  }
  if (HOOK_EVENTS.has(name)) return runHook(state, dep, name, now)
  if (name === 'Install') return install(pass)
  if (name === 'AllowTestTraffic') return route(state, dep, testListeners(dep), 100) ?? 'succeeded'
  if (name === 'AllowTraffic') return allowTraffic(pass)
  return 'succeeded'
}

// ---- Starting, waiting, ending.

/** Finds the original task set and which target group of the pair serves it; the other is green. */
function start({ state, dep, svc, now }: Pass): void {
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

function enterReady({ state, dep, now }: Pass): void {
  const wait = dep.info.blueGreenDeploymentConfiguration?.deploymentReadyOption?.waitTimeInMinutes
  dep.waiting = { kind: 'ready', until: now + minutes(state, wait) }
  dep.info.status = 'Ready'
  dep.targetStatus = 'Ready'
  dep.lastUpdatedAt = new Date(now)
}

/** All events done: the original task set goes after the termination wait (a rollback deletes the replacement). */
function finishEvents({ state, dep, svc, now }: Pass): void {
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

/** The ready wait ran out (the deployment stops), or the termination wait did (the original goes). */
function endWaitIfDue({ state, dep, svc, now }: Pass): boolean {
  const waiting = dep.waiting
  if (!waiting || now < waiting.until) return false
  dep.waiting = undefined
  if (waiting.kind === 'ready') {
    const minutesWaited = dep.info.blueGreenDeploymentConfiguration?.deploymentReadyOption?.waitTimeInMinutes
    const error: LifecycleFailure = {
      code: 'TIMEOUT',
      message: `Traffic was not rerouted within the ${minutesWaited ?? 0}-minute wait time (deploymentReadyOption STOP_DEPLOYMENT), so the deployment was stopped.`
    }
    end(state, dep, { status: 'Stopped', error }, now)
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

/** One transition, if one is due; true when something changed. */
function step(pass: Pass): boolean {
  const { state, dep, now } = pass
  if (dep.info.status === 'Created') {
    // CodeDeploy picks a created deployment up within a second or so.
    if (now - (dep.info.createTime?.getTime() ?? now) < scaled(state, 1)) return false
    start(pass)
    return true
  }
  if (dep.waiting) return endWaitIfDue(pass)
  const event = dep.events.find(e => e.status === 'Pending' || e.status === 'InProgress')
  if (!event) {
    finishEvents(pass)
    return true
  }
  const name = event.lifecycleEventName as EcsLifecycleEvent
  let changed = false
  if (event.status === 'Pending') {
    if (waitsForReady(dep, event)) {
      enterReady(pass)
      return true
    }
    // A rollback does not run the AppSpec's hooks again.
    if (dep.kind === 'rollback' && HOOK_EVENTS.has(name)) {
      setEventStatus(state, dep, { event, status: 'Skipped' }, now)
      return true
    }
    setEventStatus(state, dep, { event, status: 'InProgress' }, now)
    changed = true
  }
  const outcome = runEvent(pass, name)
  if (outcome === 'running') return changed
  if (outcome === 'succeeded') setEventStatus(state, dep, { event, status: 'Succeeded' }, now)
  else fail(state, dep, outcome, now)
  return true
}

/** The task sets of the deployment's target, for ListDeploymentTargets and friends. */
function snapshotTaskSets({ state, dep, svc }: Pass): void {
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
  const pass: Pass = { state, dep, svc, now }
  // Events without a hook take no time, so several transitions can fall due in one tick.
  for (let i = 0; i < 32 && isRunning(dep); i++) if (!step(pass)) break
  snapshotTaskSets(pass)
}

/** Applies every CodeDeploy transition due at `now`. */
export function advanceCodeDeploy(state: SimState, now: number): void {
  for (const dep of state.codedeploy.deployments.values()) {
    if (isRunning(dep)) advanceDeployment(state, dep, now)
    else if (dep.completionPending) recordCompletionWhenHealthy(state, dep)
  }
}
