// CodeDeploy blue/green, the pure part: the AppSpec (from the user's file or generated from the
// service's load balancer), what the deployment group allows, and the verdict on one poll of a
// deployment. No AWS calls here: codedeploy.ts gathers the data and carries the decisions out.
import { createHash } from 'node:crypto'
import { parseDocument } from 'yaml'
import { ActionError } from '../errors.js'
import type { LoadBalancerTarget } from '../plan/service.js'
import {
  describeStoppedTask,
  isFailureStop,
  targetCountEvidence,
  targetGroupName,
  timedOutAfter,
  type Decision,
  type FailureCause,
  type Progress,
  type TargetGroupEvidence
} from './decide.js'
import type { TargetGroupView, TaskView } from './observation.js'

export interface AppSpec {
  readonly version?: unknown
  readonly Resources: readonly Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>[]
  readonly Hooks?: readonly Record<string, string>[]
  readonly [key: string]: unknown
}

/** Parses and checks an AppSpec file's text; errors name the file and, for syntax, the line. */
export function parseAppSpec(text: string, file: string): AppSpec {
  const document = parseDocument(text, { prettyErrors: false })
  const syntax = document.errors[0]
  if (syntax) {
    const line = text.slice(0, syntax.pos[0]).split('\n').length
    throw new ActionError(`input codedeploy-appspec: ${file}:${line}: ${syntax.message}`)
  }
  const spec = document.toJS() as unknown
  const fail = (problem: string): never => {
    throw new ActionError(`input codedeploy-appspec: ${file}: ${problem}`)
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    fail('is not an AppSpec (a mapping is expected)')
  const resources = (spec as { Resources?: unknown }).Resources
  if (!Array.isArray(resources) || resources.length !== 1)
    fail('Resources must list exactly one TargetService (an ECS AppSpec deploys one service)')
  const target = (resources as Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>[])[0]
  const service = target ? Object.values(target)[0] : undefined
  if (service?.Type !== 'AWS::ECS::Service') fail('Resources[0] must have Type AWS::ECS::Service')
  const info = service?.Properties?.LoadBalancerInfo as
    { ContainerName?: unknown; ContainerPort?: unknown } | undefined
  if (typeof info?.ContainerName !== 'string' || typeof info.ContainerPort !== 'number')
    fail('Resources[0].Properties.LoadBalancerInfo needs ContainerName and ContainerPort')
  const hooks = (spec as { Hooks?: unknown }).Hooks
  if (hooks !== undefined && !Array.isArray(hooks))
    fail('Hooks must be a list of {LifecycleEvent: LambdaFunction}')
  return spec as AppSpec
}

/** The AppSpec CodeDeploy gets: the file's (hooks passed through) or one made from the service. */
export function renderAppSpec(
  taskDefinitionArn: string,
  template: AppSpec | undefined,
  loadBalancer: LoadBalancerTarget | undefined
): AppSpec {
  if (template) {
    const [first] = template.Resources
    const [name, service] = Object.entries(first ?? {})[0] ?? ['TargetService', {}]
    return {
      ...template,
      Resources: [
        { [name]: { ...service, Properties: { ...service.Properties, TaskDefinition: taskDefinitionArn } } }
      ]
    }
  }
  if (!loadBalancer)
    throw new ActionError(
      'input codedeploy-appspec: the service has no load balancer to build an AppSpec from; give an AppSpec file'
    )
  return {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: {
              ContainerName: loadBalancer.containerName,
              ContainerPort: loadBalancer.containerPort
            }
          }
        }
      }
    ]
  }
}

/** CreateDeployment's revision for an AppSpec: its content as JSON, with the sha256 CodeDeploy checks. */
export function appSpecRevision(spec: AppSpec) {
  const content = JSON.stringify(spec)
  return {
    revisionType: 'AppSpecContent' as const,
    appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') }
  }
}

export interface LifecycleEventView {
  readonly name: string
  readonly status: string
  readonly diagnostics?: {
    readonly errorCode?: string
    readonly message?: string
    readonly scriptName?: string
    readonly logTail?: string
  }
}

export interface TaskSetView {
  /** Blue (original) or Green (replacement). */
  readonly label: string
  readonly status?: string
  readonly desiredCount: number
  readonly runningCount: number
  readonly pendingCount: number
  readonly trafficWeight: number
  readonly targetGroupName?: string
}

export interface CodeDeployObservation {
  readonly at: number
  readonly status: string
  readonly errorCode?: string
  readonly errorMessage?: string
  readonly rollbackDeploymentId?: string
  readonly lifecycleEvents: readonly LifecycleEventView[]
  readonly taskSets: readonly TaskSetView[]
  /** The target group that must end up healthy (green for a deployment, blue for a rollback). */
  readonly targetGroup?: TargetGroupView
  /** Tasks of the revision being deployed that stopped (for the reason of a crash loop). */
  readonly stoppedTasks: readonly TaskView[]
}

export interface CodeDeployContext {
  readonly label: 'deployment' | 'rollback'
  readonly deploymentId: string
  /** Succeeded, or Ready (replacement serving test traffic, waiting for a manual reroute). */
  readonly waitUntil: 'succeeded' | 'ready'
  readonly targetGroupArn?: string
  readonly startedAt: number
  readonly timeoutMs: number
  readonly failureThreshold: number
}

const FINISHED_BADLY = ['Failed', 'Stopped']

export function describeLifecycleFailure(event: LifecycleEventView): string {
  const d = event.diagnostics
  const detail = [d?.errorCode, d?.scriptName ? `hook ${d.scriptName}` : undefined, d?.message]
    .filter(Boolean)
    .join(': ')
  return `lifecycle event ${event.name} ${event.status}${detail ? ` (${detail})` : ''}`
}

function progressLine(
  o: CodeDeployObservation,
  context: CodeDeployContext,
  group?: TargetGroupEvidence
): string {
  const parts = [`${context.label} ${context.deploymentId}: ${o.status}`]
  if (o.status === 'Ready' && context.waitUntil === 'succeeded')
    parts.push(
      'waiting for the production reroute (ContinueDeployment), or for the group’s wait time to run out'
    )
  const current = o.lifecycleEvents.find(e => e.status === 'InProgress')
  const done = o.lifecycleEvents.filter(e => e.status === 'Succeeded').length
  if (o.lifecycleEvents.length > 0)
    parts.push(`${current ? `event ${current.name}` : 'events'} ${done}/${o.lifecycleEvents.length} done`)
  for (const set of o.taskSets)
    parts.push(`${set.label} ${set.runningCount}/${set.desiredCount} running, ${set.trafficWeight}% traffic`)
  if (group) parts.push(`${targetGroupName(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`)
  return parts.join(' · ')
}

/** The verdict on one poll of a CodeDeploy deployment (ours, or the rollback of it). */
export function decideCodeDeploy(o: CodeDeployObservation, context: CodeDeployContext): Decision {
  const replacement = o.taskSets.find(s => s.label === 'Green')
  // A deployment must end with the replacement healthy; a rollback with whatever task set then
  // serves production (the original one in CodeDeploy's own rollback, the replacement when
  // ecs-ship redeployed the previous revision).
  const serving = o.taskSets.find(s => s.trafficWeight >= 100)
  const expected =
    context.label === 'rollback'
      ? (serving?.desiredCount ?? Math.max(0, ...o.taskSets.map(s => s.desiredCount)))
      : (replacement?.desiredCount ?? 0)
  const targets = o.targetGroup?.targets ?? []
  const group: TargetGroupEvidence | undefined = context.targetGroupArn
    ? targetCountEvidence(context.targetGroupArn, targets, expected)
    : undefined
  const failedStops = o.stoppedTasks.filter(isFailureStop)
  const progress: Progress = {
    running: replacement?.runningCount ?? 0,
    pending: replacement?.pendingCount ?? 0,
    desired: expected,
    failedTasks: failedStops.length,
    deployments: o.taskSets.length,
    rolloutState: o.status,
    targetGroups: group ? [group] : [],
    line: progressLine(o, context, group)
  }
  const failed = (cause: FailureCause, reason: string, evidence: readonly string[]): Decision => ({
    kind: 'failed',
    reason,
    progress,
    failure: { cause, evidence }
  })
  const stopEvidence = failedStops.map(describeStoppedTask)
  const failedEvent = o.lifecycleEvents.find(e => e.status === 'Failed')
  const hookEvidence = failedEvent?.diagnostics?.logTail
    ? failedEvent.diagnostics.logTail.split('\n').filter(line => line.trim() !== '')
    : []

  if (FINISHED_BADLY.includes(o.status)) {
    const error =
      o.errorCode || o.errorMessage ? `: ${[o.errorCode, o.errorMessage].filter(Boolean).join(': ')}` : ''
    const event = failedEvent ? `; ${describeLifecycleFailure(failedEvent)}` : ''
    return failed(
      'rollout-failed',
      `CodeDeploy ${context.label} ${context.deploymentId} ${o.status}${error}${event}`,
      [...hookEvidence, ...stopEvidence]
    )
  }
  // A failed hook fails the deployment; say so now rather than when CodeDeploy gets to it.
  if (failedEvent && context.label === 'deployment')
    return failed('rollout-failed', describeLifecycleFailure(failedEvent), [...hookEvidence, ...stopEvidence])

  const unhealthy = targets.filter(t => t.state === 'unhealthy')
  if (context.label === 'deployment' && failedStops.length + unhealthy.length >= context.failureThreshold) {
    if (unhealthy.length > 0) {
      const first = unhealthy[0]
      const why = [first?.reason, first?.description].filter(Boolean).join(': ')
      return failed(
        'targets-unhealthy',
        `replacement tasks fail their load balancer health checks: target ${first?.id ?? '?'} is unhealthy in ${targetGroupName(context.targetGroupArn ?? '')}${why ? ` (${why})` : ''}`,
        [
          ...unhealthy.map(
            t => `target ${t.id}:${t.port ?? '?'} ${t.state}${t.reason ? ` (${t.reason})` : ''}`
          ),
          ...stopEvidence
        ]
      )
    }
    return failed(
      'tasks-stopped',
      `${failedStops.length} replacement tasks failed: ${stopEvidence[0] ?? ''}`,
      stopEvidence
    )
  }

  const arrived = o.status === 'Succeeded' || (context.waitUntil === 'ready' && o.status === 'Ready')
  const healthy = !group || (group.expected > 0 && group.healthy >= group.expected)
  if (arrived && healthy) {
    const where = group
      ? `; ${targetGroupName(group.targetGroupArn)} ${group.healthy}/${group.expected} healthy`
      : ''
    const what =
      o.status === 'Ready'
        ? 'Ready: the replacement serves test traffic and waits for the production reroute'
        : 'Succeeded'
    return {
      kind: 'done',
      reason: `CodeDeploy ${context.label} ${context.deploymentId} ${what}${where}`,
      progress
    }
  }
  if (o.at - context.startedAt >= context.timeoutMs) {
    return failed(
      'timeout',
      `${timedOutAfter(context.timeoutMs)} waiting for CodeDeploy ${context.label} ${context.deploymentId}; last state: ${progress.line}`,
      stopEvidence
    )
  }
  const reason = arrived ? 'targets to be healthy' : `CodeDeploy to finish (${o.status})`
  return { kind: 'wait', reason, progress }
}
