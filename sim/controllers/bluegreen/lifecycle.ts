// Amazon ECS blue/green, linear and canary deployments: deployment controller ECS with
// deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY, and a load balancer whose
// advancedConfiguration names the alternate target group and the listener rules ECS shifts.
// Behaviour follows the ECS developer guide ("Amazon ECS blue/green service deployments workflow",
// "Amazon ECS linear deployments", "Amazon ECS canary deployments", "Lifecycle hooks for Amazon ECS
// service deployments", "Application Load Balancer resources for blue/green, linear, and canary
// deployments") and the API reference of ServiceDeployment, DeploymentConfiguration and
// AdvancedConfiguration. The rolling scheduler in engine.ts handles every other service.
import type {
  AdvancedConfiguration,
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentLifecycleHookDetail,
  DeploymentLifecycleHookStage,
  LoadBalancer as ServiceLoadBalancer,
  ServiceDeployment,
  ServiceDeploymentLifecycleStage
} from '@aws-sdk/client-ecs'
import { lifecyclePlan, type LifecycleStep } from '../../world/bluegreen-plan.js'
import {
  addEvent,
  circuitBreakerThreshold,
  containerHealthy,
  deploymentOwner,
  isStarting,
  markHealthy,
  replaceTasksFailingTargets,
  startServiceTasks,
  stopServiceTasks
} from '../../engine.js'
import {
  hexId,
  recordMilestone,
  scaled,
  type SimDeployment,
  type SimService,
  type SimState,
  type SimTargetGroup,
  type SimTask
} from '../../world/model.js'
import { forwardActionOf, percentTo, setWeights } from '../../world/listener-weights.js'
import { AwsError } from '../../world/aws-error.js'

interface HookInvocation {
  readonly detail: DeploymentLifecycleHookDetail
  readonly answersAt: number
  readonly outcome: 'succeeded' | 'failed'
}

/** The progress of one blue/green, linear or canary deployment (the green one). */
export interface BlueGreenRun {
  readonly steps: readonly LifecycleStep[]
  /** Index in `steps` of the step being carried out. */
  next: number
  /** When the current step began: waits count from here. */
  stepStartedAt: number
  /** Hooks of the current `hooks` step that have answered, and the one ECS is waiting for. */
  hooksAnswered: number
  hook?: HookInvocation
  /** The deployment serving production traffic when this one started. */
  readonly blue: SimDeployment
  readonly blueTargetGroupArn: string
  readonly greenTargetGroupArn: string
  /** From SCALE_UP on, ECS keeps the green revision at the desired count. */
  greenLaunched: boolean
  rollback?: { readonly reason: string; readonly startedAt: number }
  finished: boolean
}

/** The load balancer settings ECS shifts traffic with. */
interface TrafficConfig {
  readonly containerPort: number
  readonly primaryTargetGroupArn: string
  readonly alternateTargetGroupArn: string
  readonly productionListenerRule: string
  readonly testListenerRule?: string
}

const NATIVE_STRATEGIES = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY'])
const BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.'
const STOP_REASON = 'A user requested a rollback with StopServiceDeployment.'
/** What a Lambda hook does when Behaviours.hooks does not name it. */
const DEFAULT_HOOK = { outcome: 'succeeded', afterSeconds: 1 } as const

function trafficConfig(svc: SimService): TrafficConfig | undefined {
  // One load balancer with advanced settings is what ECS shifts; further ones are not modelled.
  const lb = svc.service.loadBalancers?.find(l => l.advancedConfiguration)
  const advanced = lb?.advancedConfiguration
  if (!lb?.targetGroupArn || lb.containerPort === undefined) return undefined
  if (!advanced?.alternateTargetGroupArn || !advanced.productionListenerRule) return undefined
  return {
    containerPort: lb.containerPort,
    primaryTargetGroupArn: lb.targetGroupArn,
    alternateTargetGroupArn: advanced.alternateTargetGroupArn,
    productionListenerRule: advanced.productionListenerRule,
    testListenerRule: advanced.testListenerRule
  }
}

/** Whether ECS deploys this service blue/green, linearly or as a canary with managed traffic shifting. */
export function usesBlueGreen(svc: SimService): boolean {
  const controller = svc.service.deploymentController?.type ?? 'ECS'
  const strategy = svc.service.deploymentConfiguration?.strategy ?? 'ROLLING'
  return controller === 'ECS' && NATIVE_STRATEGIES.has(strategy) && trafficConfig(svc) !== undefined
}

/** CreateService/UpdateService: the alternate target group and the listener rules must exist. */
export function validateAdvancedConfiguration(
  state: SimState,
  loadBalancers: readonly ServiceLoadBalancer[] | undefined
): void {
  for (const lb of loadBalancers ?? []) {
    const advanced: AdvancedConfiguration | undefined = lb.advancedConfiguration
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

// ---------------------------------------------------------------------------------------------
// Traffic: the weights of the production and test listener rules.

const targetGroupName = (state: SimState, arn: string) =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)?.group.TargetGroupName ?? arn

function weightsByName(state: SimState, ruleArn: string | undefined, traffic: TrafficConfig) {
  if (!ruleArn) return undefined
  const arns = [traffic.primaryTargetGroupArn, traffic.alternateTargetGroupArn]
  return Object.fromEntries(arns.map(arn => [targetGroupName(state, arn), percentTo(state, ruleArn, arn)]))
}

/** Sends `greenPercent` of a rule's traffic to green and the rest to blue. */
function shiftTraffic(
  state: SimState,
  run: BlueGreenRun,
  ruleArn: string | undefined,
  greenPercent: number
): void {
  if (!ruleArn) return
  // Listener rule weights are whole numbers; a 2.5 % canary rounds to 3.
  const green = Math.round(greenPercent)
  setWeights(state, ruleArn, { [run.blueTargetGroupArn]: 100 - green, [run.greenTargetGroupArn]: green })
}

/** The target group that takes most production traffic (the service's own one on a tie). */
function productionTargetGroup(state: SimState, traffic: TrafficConfig): string {
  const rule = traffic.productionListenerRule
  return percentTo(state, rule, traffic.alternateTargetGroupArn) >
    percentTo(state, rule, traffic.primaryTargetGroupArn)
    ? traffic.alternateTargetGroupArn
    : traffic.primaryTargetGroupArn
}

function recordTraffic(state: SimState, svc: SimService, dep: SimDeployment, traffic: TrafficConfig): void {
  recordMilestone(state, 'traffic-shifted', {
    deploymentId: dep.deployment.id,
    serviceName: svc.service.serviceName,
    production: weightsByName(state, traffic.productionListenerRule, traffic),
    test: weightsByName(state, traffic.testListenerRule, traffic)
  })
}

// ---------------------------------------------------------------------------------------------
// Tasks and their targets.

const tasksOf = (state: SimState, dep: SimDeployment) =>
  state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.desiredStatus === 'RUNNING')

const unstoppedTasksOf = (state: SimState, dep: SimDeployment) =>
  state.tasks.filter(t => t.plan.deploymentId === dep.deployment.id && t.task.lastStatus !== 'STOPPED')

const targetGroup = (state: SimState, arn: string): SimTargetGroup | undefined =>
  state.targetGroups.find(t => t.group.TargetGroupArn === arn)

const taskIp = (simTask: SimTask) =>
  simTask.task.attachments?.[0]?.details?.find(d => d.name === 'privateIPv4Address')?.value

const isRegistered = (state: SimState, simTask: SimTask) =>
  state.targetGroups.some(tg => tg.targets.some(t => t.taskArn === simTask.task.taskArn))

/** Serving: RUNNING, its container health fine, and healthy in the target group. */
function servesFrom(state: SimState, simTask: SimTask, targetGroupArn: string): boolean {
  const { task } = simTask
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING' || !containerHealthy(simTask))
    return false
  const tg = targetGroup(state, targetGroupArn)
  return tg?.targets.some(t => t.taskArn === task.taskArn && t.state === 'healthy') ?? false
}

function register(
  state: SimState,
  svc: SimService,
  simTask: SimTask,
  tg: SimTargetGroup,
  port: number,
  now: number
) {
  const ip = taskIp(simTask)
  if (!ip) return
  tg.targets.push({
    id: ip,
    port,
    taskArn: simTask.task.taskArn,
    state: 'initial',
    reason: 'Elb.InitialHealthChecking',
    description: 'Initial health checks in progress',
    since: now,
    passes: !simTask.plan.failsTargetCheck,
    passesFrom: simTask.plan.runningAt + simTask.plan.appReadyAfterMs,
    failReason: simTask.plan.failsTargetCheck
  })
  addEvent(
    svc,
    now,
    `(service ${svc.service.serviceName}) registered 1 targets in (target-group ${tg.group.TargetGroupArn})`
  )
}

/** The target group each deployment's tasks belong in: green's alternate, blue's, else production's. */
function targetGroupFor(
  state: SimState,
  svc: SimService,
  traffic: TrafficConfig,
  dep: SimDeployment
): string {
  for (const d of svc.deployments) {
    const run = d.blueGreen
    if (!run || run.finished) continue
    if (d === dep) return run.greenTargetGroupArn
    if (run.blue === dep) return run.blueTargetGroupArn
  }
  return productionTargetGroup(state, traffic)
}

/** ECS registers a task when it starts RUNNING, in its revision's target group only. */
function registerRunningTasks(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  for (const dep of svc.deployments) {
    const tg = targetGroup(state, targetGroupFor(state, svc, traffic, dep))
    if (!tg) continue
    for (const simTask of tasksOf(state, dep)) {
      if (simTask.task.lastStatus === 'RUNNING' && !isRegistered(state, simTask))
        register(state, svc, simTask, tg, traffic.containerPort, now)
    }
  }
}

/**
 * The load balancer's verdict, as for rolling deployments: a task whose target has been unhealthy
 * for one health-check interval is replaced once the grace period has passed, and counts as a
 * failed task of its deployment when it never served.
 */
function replaceTasksFailingHealthChecks(
  state: SimState,
  svc: SimService,
  traffic: TrafficConfig,
  now: number
): void {
  const groups = [traffic.primaryTargetGroupArn, traffic.alternateTargetGroupArn]
    .map(arn => targetGroup(state, arn))
    .filter((tg): tg is SimTargetGroup => tg !== undefined)
  const tasks = svc.deployments.flatMap(d => tasksOf(state, d))
  replaceTasksFailingTargets(state, svc, tasks, groups, now, `(service ${svc.service.serviceName})`)
}

function markServingTasks(state: SimState, svc: SimService, traffic: TrafficConfig): void {
  for (const dep of svc.deployments) {
    const tgArn = targetGroupFor(state, svc, traffic, dep)
    for (const simTask of tasksOf(state, dep))
      if (servesFrom(state, simTask, tgArn)) markHealthy(svc, dep, simTask)
  }
}

function launchTasks(state: SimState, svc: SimService, dep: SimDeployment, count: number, now: number): void {
  startServiceTasks(
    state,
    svc,
    deploymentOwner(svc, dep),
    count,
    now,
    `(service ${svc.service.serviceName ?? ''})`
  )
}

function stopTasks(
  state: SimState,
  svc: SimService,
  tasks: readonly SimTask[],
  byDeployment: string,
  now: number
) {
  if (tasks.length > 0)
    addEvent(
      svc,
      now,
      `(service ${svc.service.serviceName}) has stopped ${tasks.length} running tasks: ${tasks.map(t => `(task ${t.task.taskArn?.split('/').at(-1)})`).join(' ')}.`
    )
  stopServiceTasks(
    state,
    svc,
    tasks,
    {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: `Scaling activity initiated by (deployment ${byDeployment})`,
      failure: false
    },
    now
  )
}

/** The scheduler's own job: the deployment runs its desired count, replacing tasks that stopped. */
function keepAtDesiredCount(state: SimState, svc: SimService, dep: SimDeployment, now: number): void {
  const desired = svc.service.desiredCount ?? 0
  const tasks = tasksOf(state, dep)
  stopTasks(state, svc, tasks.slice(desired), dep.deployment.id ?? '', now)
  launchTasks(state, svc, dep, desired - tasks.length, now)
}

// ---------------------------------------------------------------------------------------------
// One deployment's lifecycle.

interface Context {
  readonly state: SimState
  readonly svc: SimService
  readonly dep: SimDeployment
  readonly run: BlueGreenRun
  readonly traffic: TrafficConfig
  readonly history?: ServiceDeployment
}

const historyOf = (svc: SimService, dep: SimDeployment) =>
  svc.history.find(h => h.serviceDeploymentArn === dep.serviceDeploymentArn)

function configOf(svc: SimService, dep: SimDeployment): DeploymentConfiguration {
  return historyOf(svc, dep)?.deploymentConfiguration ?? svc.service.deploymentConfiguration ?? {}
}

/** Starts the lifecycle of a new deployment while another revision serves production traffic. */
function startRun(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const green = svc.deployments[0] as SimDeployment
  const others = svc.deployments.slice(1).filter(d => tasksOf(state, d).length > 0)
  const blueTargetGroupArn = productionTargetGroup(state, traffic)
  const blueTargets = targetGroup(state, blueTargetGroupArn)?.targets ?? []
  // Blue is the revision whose tasks serve behind the production target group.
  const servingCount = (d: SimDeployment) =>
    tasksOf(state, d).filter(t =>
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

function invokeHook(ctx: Context, hook: DeploymentLifecycleHook, now: number): HookInvocation {
  const behaviour = hookBehaviour(ctx.state, hook)
  const timeout = hook.timeoutConfiguration
  const detail: DeploymentLifecycleHookDetail = {
    hookId: hexId(ctx.state, 20),
    targetType: hook.targetType ?? 'AWS_LAMBDA',
    targetArn: hook.hookTargetArn,
    status: 'IN_PROGRESS',
    expiresAt: new Date(now + scaled(ctx.state, (timeout?.timeoutInMinutes ?? 1440) * 60)),
    timeoutAction: timeout?.action ?? 'ROLLBACK'
  }
  ctx.history?.lifecycleHookDetails?.push(detail)
  return {
    detail,
    answersAt: now + scaled(ctx.state, behaviour.afterSeconds ?? DEFAULT_HOOK.afterSeconds),
    outcome: behaviour.outcome
  }
}

/**
 * Invokes the hooks of a stage one after the other; true once all of them returned SUCCEEDED. A
 * hook that returns FAILED rolls the deployment back. (PAUSE hooks, which wait for
 * ContinueServiceDeployment, are not modelled: the simulator invokes every hook as a Lambda.)
 */
function runHooks(ctx: Context, stage: DeploymentLifecycleHookStage, now: number): boolean {
  const { run } = ctx
  const listed = (configOf(ctx.svc, ctx.dep).lifecycleHooks ?? []).filter(h =>
    h.lifecycleStages?.includes(stage)
  )
  while (run.hooksAnswered < listed.length) {
    const hook = listed[run.hooksAnswered] as DeploymentLifecycleHook
    run.hook ??= invokeHook(ctx, hook, now)
    if (now < run.hook.answersAt) return false
    if (run.hook.outcome === 'failed') {
      run.hook.detail.status = 'FAILED'
      startRollback(ctx, `The lifecycle hook ${hook.hookTargetArn} returned FAILED at ${stage}.`, now, true)
      return false
    }
    run.hook.detail.status = 'SUCCEEDED'
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
  const extra = svc.deployments.filter(d => d !== dep && d !== run.blue).flatMap(d => tasksOf(state, d))
  stopTasks(state, svc, extra, dep.deployment.id ?? '', now)
}

function greenServes(ctx: Context): boolean {
  const { state, svc, dep, run } = ctx
  const tasks = tasksOf(state, dep)
  return (
    tasks.length === (svc.service.desiredCount ?? 0) &&
    tasks.every(t => servesFrom(state, t, run.greenTargetGroupArn))
  )
}

function completeDeployment(state: SimState, svc: SimService, dep: SimDeployment, now: number): void {
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
      recordTraffic(state, svc, dep, traffic)
      return true
    case 'wait':
      return now - run.stepStartedAt >= scaled(state, step.minutes * 60)
    case 'stop-blue':
      run.blue.deployment.desiredCount = 0
      stopTasks(state, svc, tasksOf(state, run.blue), dep.deployment.id ?? '', now)
      return true
    case 'await-blue-stopped':
      return unstoppedTasksOf(state, run.blue).length === 0
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
  stopTasks(state, svc, tasksOf(state, dep), run.blue.deployment.id ?? '', now)
}

/**
 * The rollback has succeeded once green has no task left and blue serves its desired count (blue
 * only has to start tasks again when the rollback came during CLEAN_UP).
 */
function finishRollback(ctx: Context, now: number): void {
  const { state, svc, dep, run, history } = ctx
  const blueTasks = tasksOf(state, run.blue)
  const blueServes =
    blueTasks.length === (svc.service.desiredCount ?? 0) &&
    blueTasks.every(t => servesFrom(state, t, run.blueTargetGroupArn))
  if (unstoppedTasksOf(state, dep).length > 0 || !blueServes) return
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

function advanceRun(ctx: Context, now: number): void {
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

// ---------------------------------------------------------------------------------------------
// The service.

/**
 * Without a deployment in its lifecycle, the primary revision runs its desired count behind the
 * production target group. A service's first deployment has no blue revision to shift traffic
 * from, so it completes in place once its tasks serve.
 */
function maintainPrimary(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const primary = svc.deployments[0]
  if (!primary || (primary.blueGreen && !primary.blueGreen.finished)) return
  const desired = svc.service.desiredCount ?? 0
  primary.deployment.desiredCount = desired
  // A deployment in FAILED state launches no new tasks.
  if (primary.deployment.rolloutState !== 'FAILED') keepAtDesiredCount(state, svc, primary, now)
  const tasks = tasksOf(state, primary)
  const serving = tasks.every(t => servesFrom(state, t, productionTargetGroup(state, traffic)))
  const alone = svc.deployments.slice(1).every(d => unstoppedTasksOf(state, d).length === 0)
  if (primary.deployment.rolloutState === 'IN_PROGRESS' && tasks.length === desired && serving && alone)
    completeDeployment(state, svc, primary, now)
}

function updateCounts(state: SimState, svc: SimService, traffic: TrafficConfig): void {
  for (const dep of svc.deployments) {
    const tasks = tasksOf(state, dep)
    dep.deployment.runningCount = tasks.filter(t => t.task.lastStatus === 'RUNNING').length
    dep.deployment.pendingCount = tasks.filter(t => isStarting(t.task)).length
  }
  const everything = svc.deployments.flatMap(d => tasksOf(state, d))
  svc.service.runningCount = everything.filter(t => t.task.lastStatus === 'RUNNING').length
  svc.service.pendingCount = everything.filter(t => isStarting(t.task)).length
  for (const dep of svc.deployments) {
    const run = dep.blueGreen
    const history = historyOf(svc, dep)
    if (!history?.targetServiceRevision || history.finishedAt) continue
    const weightOf = (rule: string | undefined, tgArn: string) => (rule ? percentTo(state, rule, tgArn) : 0)
    const green = run?.greenTargetGroupArn ?? productionTargetGroup(state, traffic)
    Object.assign(history.targetServiceRevision, {
      requestedTaskCount: dep.deployment.desiredCount,
      runningTaskCount: dep.deployment.runningCount,
      pendingTaskCount: dep.deployment.pendingCount,
      requestedProductionTrafficWeight: weightOf(traffic.productionListenerRule, green),
      requestedTestTrafficWeight: weightOf(traffic.testListenerRule, green)
    })
    const source = history.sourceServiceRevisions?.[0]
    if (run && source)
      Object.assign(source, {
        requestedTaskCount: run.blue.deployment.desiredCount,
        runningTaskCount: run.blue.deployment.runningCount,
        pendingTaskCount: run.blue.deployment.pendingCount,
        requestedProductionTrafficWeight: weightOf(traffic.productionListenerRule, run.blueTargetGroupArn),
        requestedTestTrafficWeight: weightOf(traffic.testListenerRule, run.blueTargetGroupArn)
      })
  }
}

function noteSteadyState(state: SimState, svc: SimService, traffic: TrafficConfig, now: number): void {
  const primary = svc.deployments[0]
  const tasks = primary ? tasksOf(state, primary) : []
  const steady =
    primary?.deployment.rolloutState === 'COMPLETED' &&
    svc.deployments.length === 1 &&
    tasks.length === (svc.service.desiredCount ?? 0) &&
    tasks.every(t => servesFrom(state, t, productionTargetGroup(state, traffic)))
  if (steady && !svc.steady)
    addEvent(svc, now, `(service ${svc.service.serviceName}) has reached a steady state.`)
  svc.steady = steady
}

/** Applies every blue/green transition of the service due at `now`. */
export function advanceBlueGreen(state: SimState, svc: SimService, now: number): void {
  const service = svc.service
  const traffic = trafficConfig(svc)
  if (!traffic || (service.status !== 'ACTIVE' && service.status !== 'DRAINING')) return
  registerRunningTasks(state, svc, traffic, now)
  replaceTasksFailingHealthChecks(state, svc, traffic, now)
  markServingTasks(state, svc, traffic)

  const primary = svc.deployments[0]
  const othersServe = svc.deployments.slice(1).some(d => tasksOf(state, d).length > 0)
  if (primary?.deployment.rolloutState === 'IN_PROGRESS' && !primary.blueGreen && othersServe)
    startRun(state, svc, traffic, now)
  for (const dep of [...svc.deployments]) {
    const run = dep.blueGreen
    if (run && !run.finished) advanceRun({ state, svc, dep, run, traffic, history: historyOf(svc, dep) }, now)
  }
  maintainPrimary(state, svc, traffic, now)

  updateCounts(state, svc, traffic)
  // A revision leaves the list once its last task has stopped and its lifecycle is over.
  svc.deployments = svc.deployments.filter(
    (d, i) => i === 0 || unstoppedTasksOf(state, d).length > 0 || (d.blueGreen && !d.blueGreen.finished)
  )
  noteSteadyState(state, svc, traffic, now)
}
