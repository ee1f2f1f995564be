// One ECS-native blue/green, linear or canary deployment, carried out step by step: the documented
// lifecycle stages in order (world/bluegreen-plan.ts lists the steps), the lifecycle hooks of each
// stage, and the rollback to blue when the circuit breaker trips, a hook fails, or
// StopServiceDeployment asks for one. The developer guide: "Amazon ECS blue/green service
// deployments workflow", "Amazon ECS linear deployments", "Amazon ECS canary deployments",
// "Lifecycle hooks for Amazon ECS service deployments".
import { randomBytes } from 'node:crypto'
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookDetail,
  DeploymentLifecycleHookStage,
  ServiceDeployment,
  ServiceDeploymentLifecycleStage
} from '@aws-sdk/client-ecs'
import { addEvent } from '../../runtime/events.js'
import { circuitBreakerThreshold, historyOf } from '../../runtime/service-deployments.js'
import { deploymentTasks, unstoppedTasks } from '../../runtime/service-tasks.js'
import { markServingProduction } from '../../runtime/targets.js'
import { lifecyclePlan, type LifecycleStep } from '../../world/bluegreen-plan.js'
import type { TrafficConfig } from '../../world/deployment-controller.js'
import {
  hexId,
  recordMilestone,
  scaled,
  type BlueGreenRun,
  type HookInvocation,
  type PauseHookInvocation,
  type SimDeployment,
  type SimService,
  type SimState
} from '../../world/model.js'
import { keepAtDesiredCount, servesFrom, stopTasks, targetGroup } from './tasks.js'
import { productionTargetGroup, recordTraffic, shiftTraffic } from './traffic.js'

const BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.'
const STOP_REASON = 'A user requested a rollback with StopServiceDeployment.'
/** What a Lambda hook does when Behaviours.hooks does not name it. */
const DEFAULT_HOOK = { outcome: 'succeeded', afterSeconds: 1 } as const

interface Context {
  readonly state: SimState
  readonly svc: SimService
  readonly dep: SimDeployment
  readonly run: BlueGreenRun
  readonly traffic: TrafficConfig
  readonly history?: ServiceDeployment
}

function configOf(svc: SimService, dep: SimDeployment): DeploymentConfiguration {
  return historyOf(svc, dep)?.deploymentConfiguration ?? svc.service.deploymentConfiguration ?? {}
}

/** Starts the lifecycle of a new deployment while another revision serves production traffic. */
export function startRun(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const green = svc.deployments[0] as SimDeployment
  const others = svc.deployments.slice(1).filter(d => deploymentTasks(state, d).length > 0)
  const blueTargetGroupArn = productionTargetGroup(state, traffic)
  const blueTargets = targetGroup(state, blueTargetGroupArn)?.targets ?? []
  // Blue is the revision whose tasks serve behind the production target group.
  const servingCount = (d: SimDeployment) =>
    deploymentTasks(state, d).filter(t =>
      blueTargets.some(x => x.taskArn === t.task.taskArn && x.state !== 'draining')
    ).length
  const blue = [...others].sort((a, b) => servingCount(b) - servingCount(a))[0] as SimDeployment
  // A deployment that interrupts an unfinished one replaces it; one already rolling back finishes.
  for (const d of others) if (d.blueGreen && !d.blueGreen.rollback) d.blueGreen.finished = true
  green.blueGreen = {
    steps: lifecyclePlan(configOf(svc, green), others.length > 1),
    next: 0,
    stepStartedAt: now,
    hooksAnswered: 0,
    blue,
    blueTargetGroupArn,
    greenTargetGroupArn:
      blueTargetGroupArn === traffic.primaryTargetGroupArn
        ? traffic.alternateTargetGroupArn
        : traffic.primaryTargetGroupArn,
    greenLaunched: false,
    invoked: [],
    finished: false
  }
}

function enterStage(ctx: Context, stage: ServiceDeploymentLifecycleStage, now: number): void {
  const { state, svc, dep, history } = ctx
  if (history) {
    history.lifecycleStage = stage
    history.lifecycleHookDetails = []
    history.updatedAt = new Date(now)
  }
  recordMilestone(state, 'lifecycle-stage', {
    deploymentId: dep.deployment.id,
    serviceDeploymentArn: dep.serviceDeploymentArn,
    serviceName: svc.service.serviceName,
    stage
  })
}

function hookBehaviour(state: SimState, hook: DeploymentLifecycleHook) {
  const arn = hook.hookTargetArn ?? ''
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const name = arn.startsWith('arn:') ? (arn.split(':')[6] ?? arn) : arn
  return state.behaviours.hooks?.[arn] ?? state.behaviours.hooks?.[name] ?? DEFAULT_HOOK
}

/** A PAUSE hook's id, shaped like the developer guide's examples: `ecs-pause-` and 43 URL-safe characters. */
const pauseHookId = () => `ecs-pause-${randomBytes(32).toString('base64url')}`

function invokeHook(ctx: Context, hook: DeploymentLifecycleHook, now: number): HookInvocation {
  const timeout = hook.timeoutConfiguration
  const expiresAt = now + scaled(ctx.state, (timeout?.timeoutInMinutes ?? 1440) * 60)
  const timeoutAction = timeout?.action ?? 'ROLLBACK'
  if (hook.targetType === 'PAUSE') {
    // A pause hook has no target: the deployment waits for ContinueServiceDeployment.
    const detail: DeploymentLifecycleHookDetail = {
      hookId: pauseHookId(),
      targetType: 'PAUSE',
      status: 'AWAITING_ACTION',
      expiresAt: new Date(expiresAt),
      timeoutAction
    }
    ctx.history?.lifecycleHookDetails?.push(detail)
    ctx.run.invoked.push(detail)
    addEvent(
      ctx.svc,
      now,
      `(service ${ctx.svc.service.serviceName}) (deployment ${ctx.dep.deployment.id}) paused: the lifecycle hook ${detail.hookId} is awaiting action.`
    )
    recordMilestone(ctx.state, 'hook-awaiting-action', {
      deploymentId: ctx.dep.deployment.id,
      serviceDeploymentArn: ctx.dep.serviceDeploymentArn,
      hookId: detail.hookId,
      expiresAt: expiresAt - ctx.state.startedAt
    })
    return { kind: 'pause', detail, expiresAt }
  }
  const behaviour = hookBehaviour(ctx.state, hook)
  const detail: DeploymentLifecycleHookDetail = {
    hookId: hexId(ctx.state, 20),
    targetType: hook.targetType ?? 'AWS_LAMBDA',
    targetArn: hook.hookTargetArn,
    status: 'IN_PROGRESS',
    expiresAt: new Date(expiresAt),
    timeoutAction
  }
  ctx.history?.lifecycleHookDetails?.push(detail)
  ctx.run.invoked.push(detail)
  return {
    kind: 'lambda',
    detail,
    answersAt: now + scaled(ctx.state, behaviour.afterSeconds ?? DEFAULT_HOOK.afterSeconds),
    outcome: behaviour.outcome
  }
}

/**
 * What a pause hook decides at `now`: nothing yet, or the action ContinueServiceDeployment asked
 * for (on the pass after the call, as ECS acts on a request), or at expiresAt its timeoutAction
 * (the hook is then TIMED_OUT).
 */
function pauseDecision(hook: PauseHookInvocation, now: number): DeploymentLifecycleHookAction | undefined {
  if (hook.continued) return now > hook.continued.at ? hook.continued.action : undefined
  if (now < hook.expiresAt) return undefined
  hook.detail.status = 'TIMED_OUT'
  return hook.detail.timeoutAction ?? 'ROLLBACK'
}

/** A hook's answer at `now`: still waiting, go on, or roll back (with why). */
function hookAnswer(
  hook: HookInvocation,
  stage: DeploymentLifecycleHookStage,
  now: number
): 'waiting' | 'go-on' | { readonly rollback: string } {
  if (hook.kind === 'pause') {
    const wasContinued = hook.continued !== undefined
    const action = pauseDecision(hook, now)
    if (!action) return 'waiting'
    if (action === 'CONTINUE') return 'go-on'
    return {
      rollback: wasContinued
        ? `ContinueServiceDeployment asked for a rollback at the pause hook ${hook.detail.hookId} (${stage}).`
        : `The pause hook ${hook.detail.hookId} timed out at ${stage}; its timeout action is ROLLBACK.`
    }
  }
  if (now < hook.answersAt) return 'waiting'
  if (hook.outcome === 'failed') {
    hook.detail.status = 'FAILED'
    return { rollback: `The lifecycle hook ${hook.detail.targetArn} returned FAILED at ${stage}.` }
  }
  hook.detail.status = 'SUCCEEDED'
  return 'go-on'
}

/**
 * Invokes the hooks of a stage one after the other; true once all of them let the deployment go
 * on. A Lambda hook that returns FAILED rolls the deployment back; a PAUSE hook waits for
 * ContinueServiceDeployment (CONTINUE or ROLLBACK) or for its timeout action.
 */
function runHooks(ctx: Context, stage: DeploymentLifecycleHookStage, now: number): boolean {
  const { run } = ctx
  const listed = (configOf(ctx.svc, ctx.dep).lifecycleHooks ?? []).filter(h =>
    h.lifecycleStages?.includes(stage)
  )
  while (run.hooksAnswered < listed.length) {
    const hook = listed[run.hooksAnswered] as DeploymentLifecycleHook
    run.hook ??= invokeHook(ctx, hook, now)
    const answer = hookAnswer(run.hook, stage, now)
    if (answer === 'waiting') return false
    if (answer !== 'go-on') {
      // A Lambda hook's failure is ECS's own finding; a pause hook's rollback is the user's (or the timeout's).
      startRollback(ctx, answer.rollback, now, run.hook.kind === 'lambda' || !run.hook.continued)
      return false
    }
    run.hook = undefined
    run.hooksAnswered += 1
  }
  return true
}

/** RECONCILE_SERVICE: back to one active revision, blue, with all traffic. */
function reconcile(ctx: Context, now: number): void {
  const { state, svc, dep, run, traffic } = ctx
  shiftTraffic(state, run, traffic.productionListenerRule, 0)
  shiftTraffic(state, run, traffic.testListenerRule, 0)
  recordTraffic(state, svc, dep, traffic)
  const extra = svc.deployments
    .filter(d => d !== dep && d !== run.blue)
    .flatMap(d => deploymentTasks(state, d))
  stopTasks(state, { svc, tasks: extra, byDeployment: dep.deployment.id ?? '', now })
}

function greenServes(ctx: Context): boolean {
  const { state, svc, dep, run } = ctx
  const tasks = deploymentTasks(state, dep)
  return (
    tasks.length === (svc.service.desiredCount ?? 0) &&
    tasks.every(t => servesFrom(state, t, run.greenTargetGroupArn))
  )
}

export function completeDeployment(state: SimState, svc: SimService, dep: SimDeployment, now: number): void {
  const id = dep.deployment.id
  dep.deployment.rolloutState = 'COMPLETED'
  dep.deployment.rolloutStateReason = `ECS deployment ${id} completed.`
  dep.deployment.updatedAt = new Date(now)
  svc.lastCompletedTaskDefinition = dep.deployment.taskDefinition
  const history = historyOf(svc, dep)
  if (history) {
    history.status = 'SUCCESSFUL'
    history.finishedAt = new Date(now)
    history.updatedAt = new Date(now)
  }
  addEvent(svc, now, `(service ${svc.service.serviceName}) (deployment ${id}) deployment completed.`)
  recordMilestone(state, 'deployment-completed', {
    deploymentId: id,
    taskDefinition: dep.deployment.taskDefinition,
    strategy: configOf(svc, dep).strategy
  })
}

/** Carries out one step; true when it is done and the next one can begin. */
function carryOut(ctx: Context, step: LifecycleStep, now: number): boolean {
  const { state, svc, dep, run, traffic } = ctx
  switch (step.kind) {
    case 'enter':
      enterStage(ctx, step.stage, now)
      return true
    case 'hooks':
      return runHooks(ctx, step.stage, now)
    case 'reconcile':
      reconcile(ctx, now)
      return true
    case 'launch-green':
      // Green starts at 100 % of the desired count while blue keeps serving.
      run.greenLaunched = true
      keepAtDesiredCount(state, svc, dep, now)
      return true
    case 'await-green-healthy':
      return greenServes(ctx)
    case 'shift-test-traffic':
      shiftTraffic(state, run, traffic.testListenerRule, 100)
      if (traffic.testListenerRule) recordTraffic(state, svc, dep, traffic)
      return true
    case 'shift-production-traffic':
      shiftTraffic(state, run, traffic.productionListenerRule, step.percent)
      if (step.percent > 0) markServingProduction(state, dep.deployment.taskDefinition)
      recordTraffic(state, svc, dep, traffic)
      return true
    case 'wait':
      return now - run.stepStartedAt >= scaled(state, step.minutes * 60)
    case 'stop-blue':
      run.blue.deployment.desiredCount = 0
      stopTasks(state, {
        svc,
        tasks: deploymentTasks(state, run.blue),
        byDeployment: dep.deployment.id ?? '',
        now
      })
      return true
    case 'await-blue-stopped':
      return unstoppedTasks(state, run.blue).length === 0
    case 'complete':
      run.finished = true
      completeDeployment(state, svc, dep, now)
      return true
  }
}

/**
 * Rolls back to blue: production and test traffic return to blue at once, green's tasks stop, and
 * the service deployment is ROLLBACK_IN_PROGRESS until they have. ECS creates no new service
 * revision for a rollback: it goes back to the last successful one (blue's).
 */
function startRollback(ctx: Context, reason: string, now: number, detectedByEcs: boolean): void {
  const { state, svc, dep, run, traffic, history } = ctx
  run.rollback = { reason, startedAt: now }
  shiftTraffic(state, run, traffic.productionListenerRule, 0)
  shiftTraffic(state, run, traffic.testListenerRule, 0)
  recordTraffic(state, svc, dep, traffic)
  if (history) {
    history.status = 'ROLLBACK_IN_PROGRESS'
    history.statusReason = reason
    history.updatedAt = new Date(now)
    history.rollback = { reason, startedAt: new Date(now), serviceRevisionArn: run.blue.serviceRevisionArn }
  }
  // The docs do not say how DescribeServices shows a blue/green rollback. We show the failed
  // deployment as the circuit breaker shows one (rolloutState FAILED), listed as ACTIVE while its
  // tasks drain; and since ECS starts neither a new revision nor new tasks for it, blue, whose
  // tasks never stopped serving, is PRIMARY again and the service's task definition is blue's.
  dep.deployment.status = 'ACTIVE'
  dep.deployment.rolloutState = 'FAILED'
  dep.deployment.rolloutStateReason = reason
  dep.deployment.updatedAt = new Date(now)
  run.blue.deployment.status = 'PRIMARY'
  run.blue.deployment.desiredCount = svc.service.desiredCount
  run.blue.deployment.updatedAt = new Date(now)
  svc.deployments = [run.blue, ...svc.deployments.filter(d => d !== run.blue)]
  svc.service.taskDefinition = run.blue.deployment.taskDefinition
  const name = svc.service.serviceName
  addEvent(svc, now, `(service ${name}) (deployment ${dep.deployment.id}) deployment failed: ${reason}`)
  addEvent(svc, now, `(service ${name}) rolling back to deployment ${run.blue.deployment.id}.`)
  if (detectedByEcs)
    recordMilestone(state, 'rollout-failed', {
      deploymentId: dep.deployment.id,
      taskDefinition: dep.deployment.taskDefinition,
      reason
    })
  stopTasks(state, {
    svc,
    tasks: deploymentTasks(state, dep),
    byDeployment: run.blue.deployment.id ?? '',
    now
  })
}

/**
 * The rollback has succeeded once green has no task left and blue serves its desired count (blue
 * only has to start tasks again when the rollback came during CLEAN_UP).
 */
function finishRollback(ctx: Context, now: number): void {
  const { state, svc, dep, run, history } = ctx
  const blueTasks = deploymentTasks(state, run.blue)
  const blueServes =
    blueTasks.length === (svc.service.desiredCount ?? 0) &&
    blueTasks.every(t => servesFrom(state, t, run.blueTargetGroupArn))
  if (unstoppedTasks(state, dep).length > 0 || !blueServes) return
  run.finished = true
  if (history) {
    history.status = 'ROLLBACK_SUCCESSFUL'
    history.finishedAt = new Date(now)
    history.updatedAt = new Date(now)
  }
}

/** The circuit breaker without rollback: the deployment stops where it is and launches nothing more. */
function stopFailedDeployment(ctx: Context, reason: string, now: number): void {
  const { state, svc, dep, run, history } = ctx
  run.finished = true
  dep.deployment.rolloutState = 'FAILED'
  dep.deployment.rolloutStateReason = reason
  dep.deployment.updatedAt = new Date(now)
  if (history) {
    history.status = 'STOPPED'
    history.statusReason = reason
    history.finishedAt = new Date(now)
    history.updatedAt = new Date(now)
  }
  addEvent(
    svc,
    now,
    `(service ${svc.service.serviceName}) (deployment ${dep.deployment.id}) deployment failed: ${reason}`
  )
  recordMilestone(state, 'rollout-failed', {
    deploymentId: dep.deployment.id,
    taskDefinition: dep.deployment.taskDefinition,
    reason
  })
}

function breakerTripped(ctx: Context): boolean {
  const breaker = ctx.svc.service.deploymentConfiguration?.deploymentCircuitBreaker
  return (
    !!breaker?.enable &&
    ctx.dep.failedTasks >= circuitBreakerThreshold(ctx.svc.service.desiredCount ?? 0, breaker)
  )
}

export function advanceRun(ctx: Context, now: number): void {
  const { svc, dep, run } = ctx
  if (run.rollback) return finishRollback(ctx, now)
  // ECS acts on a StopServiceDeployment request on its next pass, not within the call.
  if (dep.rollbackRequestedAt !== undefined && now > dep.rollbackRequestedAt) {
    dep.rollbackRequestedAt = undefined
    return startRollback(ctx, STOP_REASON, now, false)
  }
  if (breakerTripped(ctx)) {
    if (svc.service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback)
      return startRollback(ctx, BREAKER_REASON, now, true)
    return stopFailedDeployment(ctx, BREAKER_REASON, now)
  }
  if (run.greenLaunched) keepAtDesiredCount(ctx.state, svc, dep, now)
  // Steps that need no time follow each other within one pass; the bound only guards the loop.
  for (let guard = 0; guard < 1000 && !run.finished && !run.rollback; guard++) {
    const step = run.steps[run.next]
    if (!step || !carryOut(ctx, step, now)) return
    run.next += 1
    run.stepStartedAt = now
    run.hooksAnswered = 0
    run.hook = undefined
  }
}
