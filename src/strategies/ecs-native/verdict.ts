// ECS-native blue/green, linear and canary, the pure part: which target group is green for this
// deployment, what the service's configuration says about bake time, and the verdict on a
// rollback. In these strategies the two target groups take turns: the one that carries no
// production traffic when the deployment starts gets the new (green) tasks.
import type { Service } from '@aws-sdk/client-ecs'
import { targetGroupName } from '../../aws/names.js'
import { ActionError } from '../../errors.js'
import type { LoadBalancerTarget } from '../../service/plan.js'
import type { Waiting } from '../../rollout/contract.js'
import { describeGreen, greenHealthy, pauseNotice } from '../../service/approval.js'
import type {
  LifecycleHookView,
  Observation,
  ServiceDeploymentView,
  TrafficView
} from '../../watch/observation.js'
import {
  statusProgress,
  targetCountEvidence,
  timedOutAfter,
  trafficSplit,
  untilEnded,
  type Decision,
  type Progress,
  type TargetGroupEvidence
} from '../../watch/verdict.js'

export interface NativeLoadBalancer {
  readonly containerName: string
  readonly containerPort: number
  /** The two target groups that take turns: the service's and the alternate one. */
  readonly targetGroupArns: readonly [string, string]
  readonly productionListenerRule: string
  readonly testListenerRule?: string
}

export interface NativeSetup {
  readonly loadBalancers: readonly NativeLoadBalancer[]
  /** The lifecycle stages where a PAUSE hook stops the deployment for a person. */
  readonly pauseStages: readonly string[]
  /** deploymentConfiguration.bakeTimeInMinutes, in ms; undefined when ECS's default applies. */
  readonly bakeTimeMs?: number
  readonly strategy: string
}

/** Reads the blue/green wiring from the service; a service without it cannot be followed. */
export function nativeSetup(service: Service): NativeSetup {
  const name = service.serviceName ?? '?'
  const strategy = service.deploymentConfiguration?.strategy ?? 'BLUE_GREEN'
  const loadBalancers: NativeLoadBalancer[] = []
  for (const lb of service.loadBalancers ?? []) {
    const advanced = lb.advancedConfiguration
    if (!lb.targetGroupArn || !advanced?.alternateTargetGroupArn || !advanced.productionListenerRule) continue
    if (!lb.containerName || lb.containerPort === undefined) continue
    loadBalancers.push({
      containerName: lb.containerName,
      containerPort: lb.containerPort,
      targetGroupArns: [lb.targetGroupArn, advanced.alternateTargetGroupArn],
      productionListenerRule: advanced.productionListenerRule,
      ...(advanced.testListenerRule !== undefined && { testListenerRule: advanced.testListenerRule })
    })
  }
  if (loadBalancers.length === 0)
    throw new ActionError(
      `service ${name} uses the ECS-native ${strategy} strategy but none of its load balancers has an advancedConfiguration (alternate target group and production listener rule); ecs-ship gates on the green target group and needs one`
    )
  const minutes = service.deploymentConfiguration?.bakeTimeInMinutes
  return {
    loadBalancers,
    pauseStages: pauseStagesOf(service),
    strategy,
    ...(minutes !== undefined && { bakeTimeMs: minutes * 60_000 })
  }
}

/** The plan's lines for the log and the summary: the pair of target groups and the bake time. */
export function describeNativeSetup(setup: NativeSetup): string[] {
  const lines = setup.loadBalancers.map(
    lb =>
      `${setup.strategy}: target groups ${lb.targetGroupArns.map(targetGroupName).join(' ⇄ ')}, production rule ${lb.productionListenerRule.split('/').pop() ?? ''}${lb.testListenerRule ? ', with a test rule' : ''}`
  )
  if (setup.bakeTimeMs !== undefined) lines.push(`bake time: ${setup.bakeTimeMs / 60_000} min`)
  if (setup.pauseStages.length > 0)
    lines.push(`pauses for approval at ${setup.pauseStages.join(', ')} (a PAUSE lifecycle hook)`)
  return lines
}

/**
 * Blue is the target group that carries production traffic now; green is the other one. When
 * neither does (a service that never served), the service's own target group is blue.
 */
export function chooseGreen(lb: NativeLoadBalancer, production: TrafficView['weights']): LoadBalancerTarget {
  const weightOf = (arn: string) => production.find(w => w.targetGroupArn === arn)?.weight ?? 0
  const [first, second] = lb.targetGroupArns
  const green = weightOf(second) > weightOf(first) ? first : second
  return { targetGroupArn: green, containerName: lb.containerName, containerPort: lb.containerPort }
}

export function blueOf(lb: NativeLoadBalancer, green: string): string {
  return lb.targetGroupArns[0] === green ? lb.targetGroupArns[1] : lb.targetGroupArns[0]
}

export interface NativeRollbackContext {
  readonly serviceDeploymentArn: string
  /** The target groups that must carry all production traffic, healthy, when the rollback is over. */
  readonly blueTargetGroupArns: readonly string[]
  readonly desiredCount: number
  readonly startedAt: number
  readonly timeoutMs: number
}

function shortArn(arn: string): string {
  return arn.split('/').pop() ?? arn
}

/**
 * The verdict on an ECS-native rollback: over when ECS says so, all production traffic is back on
 * blue, and blue has the desired count of healthy targets. ROLLBACK_FAILED is a failure at once.
 */
export function decideNativeRollback(observation: Observation, context: NativeRollbackContext): Decision {
  const deployment = observation.serviceDeployment
  const status = deployment?.status ?? 'UNKNOWN'
  const groups: TargetGroupEvidence[] = context.blueTargetGroupArns.map(arn =>
    targetCountEvidence(
      arn,
      observation.targetGroups.find(g => g.arn === arn)?.targets ?? [],
      context.desiredCount
    )
  )
  const production = observation.traffic?.find(t => t.rule === 'production')
  const onBlue = (production?.weights ?? [])
    .filter(w => context.blueTargetGroupArns.includes(w.targetGroupArn))
    .reduce((sum, w) => sum + w.weight, 0)
  const parts = [`rollback ${shortArn(context.serviceDeploymentArn)}: ${status}`]
  if (deployment?.lifecycleStage) parts.push(`stage ${deployment.lifecycleStage}`)
  if (production) parts.push(`production ${trafficSplit(production)}`)
  for (const g of groups)
    parts.push(`${targetGroupName(g.targetGroupArn)} ${g.healthy}/${g.expected} healthy`)
  const healthy = groups.every(g => g.healthy >= context.desiredCount)
  const progress: Progress = {
    running: Math.min(...groups.map(g => g.healthy)),
    pending: 0,
    desired: context.desiredCount,
    failedTasks: 0,
    deployments: observation.deployments.filter(d => d.status !== 'INACTIVE').length,
    targetGroups: groups,
    ...(deployment?.lifecycleStage !== undefined && { lifecycleStage: deployment.lifecycleStage }),
    ...(observation.traffic !== undefined && { traffic: observation.traffic }),
    line: parts.join(' · ')
  }
  if (status === 'ROLLBACK_FAILED') {
    const why = deployment?.statusReason ? `: ${deployment.statusReason}` : ''
    return {
      kind: 'failed',
      reason: `ECS could not roll back${why}`,
      progress,
      failure: { cause: 'rollout-failed', evidence: [] }
    }
  }
  const over = status === 'ROLLBACK_SUCCESSFUL' || status === 'STOPPED'
  if (over && onBlue >= 100 && healthy) {
    return {
      kind: 'done',
      reason: `production traffic 100% on ${context.blueTargetGroupArns.map(targetGroupName).join(', ')}; ${groups.map(g => `${targetGroupName(g.targetGroupArn)} ${g.healthy}/${g.expected} healthy`).join(', ')}`,
      progress
    }
  }
  if (observation.at - context.startedAt >= context.timeoutMs) {
    return {
      kind: 'failed',
      reason: `${timedOutAfter(context.timeoutMs)} waiting for the rollback; last state: ${progress.line}`,
      progress,
      failure: { cause: 'timeout', evidence: [] }
    }
  }
  const waiting = !over
    ? `ECS to finish the rollback (${status})`
    : onBlue < 100
      ? 'production traffic to return to blue'
      : 'blue targets to be healthy'
  return { kind: 'wait', reason: waiting, progress }
}

const SETTLED = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']

/**
 * Whether someone else's ECS-native deployment has settled: ECS says it is over, one way or the
 * other (a rollback in progress is not over). Its green tasks sit in whichever target group was
 * free, so the service's own target group says nothing about it; ECS's status is the signal.
 */
export function decideSettled(
  observation: Pick<Observation, 'at' | 'serviceDeployment'>,
  context: { readonly startedAt: number; readonly timeoutMs: number }
): Decision {
  const deployment = observation.serviceDeployment
  const status = deployment?.status ?? 'UNKNOWN'
  const line = `in-flight service deployment ${shortArn(deployment?.arn ?? '?')}: ${status}${deployment?.lifecycleStage ? ` · stage ${deployment.lifecycleStage}` : ''}`
  const progress = statusProgress(line, {
    ...(deployment?.lifecycleStage !== undefined && { lifecycleStage: deployment.lifecycleStage })
  })
  return untilEnded(
    { at: observation.at, status, ended: SETTLED.includes(status) },
    progress,
    context,
    'ECS to finish it'
  )
}

/** The stages where the service's PAUSE lifecycle hooks stop a deployment for a person. */
export function pauseStagesOf(service: Service): string[] {
  return (service.deploymentConfiguration?.lifecycleHooks ?? [])
    .filter(hook => hook.targetType === 'PAUSE')
    .flatMap(hook => hook.lifecycleStages ?? [])
}

/** The pause hook a service deployment waits at now, if it waits at one. */
export function awaitingHook(deployment: ServiceDeploymentView | undefined): LifecycleHookView | undefined {
  if (deployment?.status !== 'IN_PROGRESS') return undefined
  return deployment.hooks?.find(
    h => h.status === 'AWAITING_ACTION' && (h.targetType === undefined || h.targetType === 'PAUSE')
  )
}

export interface PauseContext {
  /** ready: a pause with healthy green targets is the verdict; succeeded: it is reported and waited out. */
  readonly waitUntil: 'succeeded' | 'ready'
  readonly taskDefinitionArn: string
  readonly previousTaskDefinitionArn: string
}

/**
 * The verdict on a poll of an ECS-native deployment that may wait at a pause hook, over the
 * ordinary verdict (`base`). Paused with every green target healthy is done under wait-until
 * ready; otherwise the pause is said on the progress line, and the watch keeps waiting for
 * someone to continue it, roll it back, or for the hook to time out. Never continues it.
 */
export function decidePause(
  observation: Pick<Observation, 'serviceDeployment'>,
  base: Decision,
  context: PauseContext
): { readonly decision: Decision; readonly waiting?: Waiting } {
  const deployment = observation.serviceDeployment
  const hook = awaitingHook(deployment)
  if (!deployment || !hook || base.kind === 'done') return { decision: base }
  const green = base.progress.targetGroups
  const waiting: Waiting = {
    deploymentId: deployment.arn,
    hookId: hook.hookId,
    stage: deployment.lifecycleStage ?? 'a lifecycle hook',
    ...(hook.expiresAt !== undefined && { expiresAt: hook.expiresAt }),
    atExpiry: hook.timeoutAction === 'CONTINUE' ? 'CONTINUE' : 'ROLLBACK',
    taskDefinitionArn: context.taskDefinitionArn,
    previousTaskDefinitionArn: context.previousTaskDefinitionArn,
    green,
    controller: 'ECS'
  }
  const notice = pauseNotice(waiting)
  const healthy = greenHealthy(green)
  if (base.kind === 'failed') {
    // Out of time while it waits: say so; the rollback step leaves a waiting deployment alone.
    if (base.failure.cause !== 'timeout') return { decision: base, waiting }
    return {
      decision: { ...base, reason: `${base.reason.split(';')[0] ?? base.reason} while it was ${notice}` },
      waiting
    }
  }
  const line = `${base.progress.line} · ${notice}`
  if (context.waitUntil === 'ready' && healthy) {
    return {
      decision: {
        kind: 'done',
        reason: `${notice}; the new revision serves test traffic with ${describeGreen(green)}`,
        progress: { ...base.progress, line }
      },
      waiting
    }
  }
  const reason =
    context.waitUntil === 'ready'
      ? `the new targets to be healthy (${describeGreen(green)})`
      : 'someone to promote or abort it'
  return { decision: { kind: 'wait', reason, progress: { ...base.progress, line } }, waiting }
}
