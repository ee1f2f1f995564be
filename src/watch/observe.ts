// One poll of the service: at most one DescribeServices and one DescribeTargetHealth per target
// group, plus ListTasks/DescribeTasks only when the deployment's counts moved (or a task we know
// is still on its way), because tasks are what changes least often and cost the most calls.
import {
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type DeploymentLifecycleHookDetail,
  type ECSClient,
  type Task
} from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Rule
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ActionError } from '../errors.js'
import type { Clock } from '../util/clock.js'
import type {
  DeploymentView,
  LifecycleHookView,
  Observation,
  PortBinding,
  ServiceDeploymentView,
  TargetGroupView,
  TaskView,
  TrafficView
} from './observation.js'

export interface ObserveTarget {
  readonly cluster: string
  readonly service: string
  readonly targetGroupArns: readonly string[]
  /** The deployment being watched: its counts decide when tasks are listed again. */
  readonly deploymentId: string
  /** True when container health (not a load balancer) gates the deploy: tasks are re-read until HEALTHY. */
  readonly watchContainerHealth: boolean
  /** ECS-native: the service deployment to follow (one DescribeServiceDeployments per poll). */
  readonly serviceDeploymentArn?: string
  /** ECS-native: the listener rules whose weights show the traffic split (one DescribeRules per poll). */
  readonly listenerRules?: { readonly production?: string; readonly test?: string }
}

export interface Observer {
  observe(): Promise<Observation>
}

/** Tasks are listed again at least this often, even when nothing seems to move. */
const TASK_REFRESH_MS = 60_000

function toDeployment(d: Deployment): DeploymentView {
  return {
    id: d.id ?? '?',
    status: d.status ?? 'UNKNOWN',
    taskDefinition: d.taskDefinition ?? '',
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    ...(d.rolloutState !== undefined && { rolloutState: d.rolloutState }),
    ...(d.rolloutStateReason !== undefined && { rolloutStateReason: d.rolloutStateReason })
  }
}

function privateIp(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    if (attachment.type !== 'ElasticNetworkInterface') continue
    const ip = attachment.details?.find(d => d.name === 'privateIPv4Address')?.value
    if (ip) return ip
  }
  return task.containers?.flatMap(c => c.networkInterfaces ?? []).find(n => n.privateIpv4Address)
    ?.privateIpv4Address
}

export function toTask(task: Task, instanceIds: ReadonlyMap<string, string> = new Map()): TaskView {
  const bindings: PortBinding[] = []
  for (const container of task.containers ?? []) {
    for (const b of container.networkBindings ?? []) {
      if (container.name && b.containerPort !== undefined && b.hostPort !== undefined) {
        bindings.push({ containerName: container.name, containerPort: b.containerPort, hostPort: b.hostPort })
      }
    }
  }
  const ip = privateIp(task)
  const instanceId = task.containerInstanceArn ? instanceIds.get(task.containerInstanceArn) : undefined
  return {
    taskArn: task.taskArn ?? '?',
    ...(task.startedBy !== undefined && { startedBy: task.startedBy }),
    taskDefinitionArn: task.taskDefinitionArn ?? '',
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    ...(task.healthStatus !== undefined && { healthStatus: task.healthStatus }),
    ...(task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
    ...(task.stopCode !== undefined && { stopCode: task.stopCode }),
    ...(task.startedAt !== undefined && { startedAt: new Date(task.startedAt).getTime() }),
    containers: (task.containers ?? []).map(c => ({
      name: c.name ?? '?',
      ...(c.lastStatus !== undefined && { lastStatus: c.lastStatus }),
      ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.healthStatus !== undefined && { healthStatus: c.healthStatus })
    })),
    ...(ip !== undefined && { privateIp: ip }),
    ...(instanceId !== undefined && { instanceId }),
    bindings
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function createObserver(
  ecs: ECSClient,
  elb: ElasticLoadBalancingV2Client,
  target: ObserveTarget,
  clock: Clock
): Observer {
  /** Tasks by ARN, as last described. Stopped tasks never change again, so they are kept. */
  const tasks = new Map<string, Task>()
  const instanceIds = new Map<string, string>()
  let lastCounts = ''
  let lastTaskRefresh = -Infinity

  async function listArns(desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
    const arns: string[] = []
    let nextToken: string | undefined
    // Bounded: a service has at most a few thousand tasks, 100 per page.
    for (let page = 0; page < 50; page++) {
      const answer = await ecs.send(
        new ListTasksCommand({
          cluster: target.cluster,
          serviceName: target.service,
          desiredStatus,
          nextToken
        })
      )
      arns.push(...(answer.taskArns ?? []))
      nextToken = answer.nextToken
      if (!nextToken) break
    }
    return arns
  }

  async function refreshTasks(): Promise<void> {
    const [running, stopped] = await Promise.all([listArns('RUNNING'), listArns('STOPPED')])
    const listed = new Set([...running, ...stopped])
    // A task already seen as STOPPED is final; everything else is described again.
    const toDescribe = [...listed].filter(arn => tasks.get(arn)?.lastStatus !== 'STOPPED')
    for (const batch of chunks(toDescribe, 100)) {
      const answer = await ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: batch }))
      for (const task of answer.tasks ?? []) if (task.taskArn) tasks.set(task.taskArn, task)
    }
    for (const arn of [...tasks.keys()]) if (!listed.has(arn)) tasks.delete(arn)
    const unknownInstances = [
      ...new Set(
        [...tasks.values()]
          .map(t => t.containerInstanceArn)
          .filter((a): a is string => !!a && !instanceIds.has(a))
      )
    ]
    for (const batch of chunks(unknownInstances, 100)) {
      const answer = await ecs.send(
        new DescribeContainerInstancesCommand({ cluster: target.cluster, containerInstances: batch })
      )
      for (const instance of answer.containerInstances ?? []) {
        if (instance.containerInstanceArn && instance.ec2InstanceId) {
          instanceIds.set(instance.containerInstanceArn, instance.ec2InstanceId)
        }
      }
    }
    lastTaskRefresh = clock.now()
  }

  function needsTaskRefresh(deployments: readonly Deployment[]): boolean {
    const counts = deployments
      .map(d => `${d.id}:${d.status}:${d.runningCount}:${d.pendingCount}:${d.failedTasks}`)
      .join('|')
    const moved = counts !== lastCounts
    lastCounts = counts
    if (moved || clock.now() - lastTaskRefresh >= TASK_REFRESH_MS) return true
    // A task of the watched deployment that is still starting or stopping, or whose container
    // health is still unknown when that is the gate, changes without the counts moving.
    return [...tasks.values()].some(
      t =>
        (t.startedBy === undefined || t.startedBy === target.deploymentId) &&
        (t.lastStatus !== t.desiredStatus ||
          (target.watchContainerHealth && t.desiredStatus === 'RUNNING' && t.healthStatus !== 'HEALTHY'))
    )
  }

  /** When each draining target (group|id:port) was first seen draining. */
  const drainingSeen = new Map<string, number>()
  /** Deregistration delay per target group; null when it could not be read. */
  const drainDelays = new Map<string, number | null>()

  /**
   * The group's deregistration delay, which says when its draining targets will be gone (and the
   * old deployment with them). Read only once a target drains, and only as a hint for when to
   * poll: a role that may not read the attributes still gets a correct verdict, a little later.
   */
  async function deregistrationDelayMs(arn: string): Promise<number | undefined> {
    if (!drainDelays.has(arn)) {
      try {
        const answer = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))
        const value = answer.Attributes?.find(a => a.Key === 'deregistration_delay.timeout_seconds')?.Value
        drainDelays.set(
          arn,
          value !== undefined && Number.isFinite(Number(value)) ? Number(value) * 1000 : null
        )
      } catch {
        drainDelays.set(arn, null)
      }
    }
    return drainDelays.get(arn) ?? undefined
  }

  async function targetGroups(): Promise<TargetGroupView[]> {
    return Promise.all(
      target.targetGroupArns.map(async arn => {
        const answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
        const now = clock.now()
        const targets = (answer.TargetHealthDescriptions ?? []).map(d => {
          const id = d.Target?.Id ?? '?'
          const state = d.TargetHealth?.State ?? 'unknown'
          const key = `${arn}|${id}:${d.Target?.Port ?? ''}`
          if (state === 'draining' && !drainingSeen.has(key)) drainingSeen.set(key, now)
          return {
            id,
            ...(d.Target?.Port !== undefined && { port: d.Target.Port }),
            state,
            ...(d.TargetHealth?.Reason !== undefined && { reason: d.TargetHealth.Reason }),
            ...(d.TargetHealth?.Description !== undefined && { description: d.TargetHealth.Description }),
            ...(state === 'draining' && { drainingSince: drainingSeen.get(key) })
          }
        })
        const delay = targets.some(t => t.state === 'draining') ? await deregistrationDelayMs(arn) : undefined
        return { arn, targets, ...(delay !== undefined && { deregistrationDelayMs: delay }) }
      })
    )
  }

  let stage: { name: string; since: number } | undefined

  async function serviceDeployment(arn: string): Promise<ServiceDeploymentView> {
    const answer = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
    const found = answer.serviceDeployments?.[0]
    if (!found) throw new ActionError(`service deployment ${arn} was not found`)
    const name = found.lifecycleStage ?? found.status ?? '?'
    if (stage?.name !== name) stage = { name, since: clock.now() }
    return {
      arn,
      status: found.status ?? 'UNKNOWN',
      ...(found.lifecycleStage !== undefined && { lifecycleStage: found.lifecycleStage }),
      ...(found.statusReason !== undefined && { statusReason: found.statusReason }),
      stageSince: stage.since,
      ...(found.lifecycleHookDetails !== undefined && { hooks: toHooks(found.lifecycleHookDetails) })
    }
  }

  async function traffic(rules: NonNullable<ObserveTarget['listenerRules']>): Promise<TrafficView[]> {
    const named = (['production', 'test'] as const).flatMap(rule => {
      const arn = rules[rule]
      return arn ? [{ rule, arn }] : []
    })
    if (named.length === 0) return []
    const answer = await elb.send(new DescribeRulesCommand({ RuleArns: named.map(r => r.arn) }))
    return named.map(({ rule, arn }) => ({
      rule,
      weights: ruleWeights(answer.Rules?.find(r => r.RuleArn === arn))
    }))
  }

  return {
    async observe(): Promise<Observation> {
      const answer = await ecs.send(
        new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })
      )
      const deployments = answer.services?.[0]?.deployments ?? []
      if (needsTaskRefresh(deployments)) await refreshTasks()
      const [groups, deployment, split] = await Promise.all([
        targetGroups(),
        target.serviceDeploymentArn ? serviceDeployment(target.serviceDeploymentArn) : undefined,
        target.listenerRules ? traffic(target.listenerRules) : undefined
      ])
      return {
        at: clock.now(),
        deployments: deployments.map(toDeployment),
        tasks: [...tasks.values()].map(t => toTask(t, instanceIds)),
        targetGroups: groups,
        ...(deployment !== undefined && { serviceDeployment: deployment }),
        ...(split !== undefined && { traffic: split })
      }
    }
  }
}

/** lifecycleHookDetails as the verdicts read them (pause hooks: ecs-native/verdict.ts). */
export function toHooks(details: readonly DeploymentLifecycleHookDetail[]): LifecycleHookView[] {
  return details.map(h => ({
    hookId: h.hookId ?? '?',
    ...(h.targetType !== undefined && { targetType: h.targetType }),
    status: h.status ?? 'UNKNOWN',
    ...(h.expiresAt !== undefined && { expiresAt: new Date(h.expiresAt).getTime() }),
    ...(h.timeoutAction !== undefined && { timeoutAction: h.timeoutAction })
  }))
}

/** A rule's forward weights; a plain forward to one target group is 100% to it. */
export function ruleWeights(rule: Rule | undefined): TrafficView['weights'] {
  const weights: { targetGroupArn: string; weight: number }[] = []
  for (const action of rule?.Actions ?? []) {
    if (action.Type !== 'forward') continue
    const groups = action.ForwardConfig?.TargetGroups ?? []
    if (groups.length > 0) {
      for (const g of groups)
        if (g.TargetGroupArn) weights.push({ targetGroupArn: g.TargetGroupArn, weight: g.Weight ?? 1 })
    } else if (action.TargetGroupArn) {
      weights.push({ targetGroupArn: action.TargetGroupArn, weight: 1 })
    }
  }
  // As percentages, the way ECS and the console talk about the split.
  const total = weights.reduce((sum, w) => sum + w.weight, 0)
  return weights.map(w => ({ ...w, weight: total > 0 ? Math.round((w.weight * 100) / total) : 0 }))
}
