// One poll of the service: one DescribeServices and, in parallel, one DescribeTargetHealth per
// target group when target health can change the verdict (poll-plan.ts), plus ListTasks and
// DescribeTasks only when the watched deployment's counts moved, because tasks are what changes
// least often and cost the most calls. ListTasks of STOPPED tasks only when one of ours may have
// stopped. The target groups' deregistration delay is read once per run (per ELB client), for all
// observers of the run, the rollback's included.
import {
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type DeploymentLifecycleHookDetail,
  type ECSClient,
  type ServiceEvent,
  type Task
} from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ActionError } from '../errors.js'
import type { Clock } from '../util/clock.js'
import { planReads } from './poll-plan.js'
import { targetCountEvidence, type Progress, type TargetGroupEvidence } from './verdict.js'
import type {
  DeploymentView,
  LifecycleHookView,
  Observation,
  PortBinding,
  ServiceDeploymentView,
  TargetGroupView,
  TargetView,
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
  /**
   * The deployment was started by this run just before the watch: none of its tasks can have a
   * target yet, so the first poll reads no target health (the plan has just read it).
   */
  readonly startedByUs?: boolean
}

type HealthCheck = NonNullable<TargetGroupView['healthCheck']>

/**
 * Static facts of the target groups (health-check settings, deregistration delay), read once per
 * run: per ELB client (every observer of a run shares it, the rollback's included) and per key.
 */
const staticFacts = new WeakMap<object, Map<string, Promise<unknown>>>()

function oncePerClient<T>(
  elb: ElasticLoadBalancingV2Client,
  key: string,
  read: () => Promise<T>
): Promise<T> {
  let byKey = staticFacts.get(elb)
  if (!byKey) staticFacts.set(elb, (byKey = new Map()))
  let fact = byKey.get(key) as Promise<T> | undefined
  if (!fact) {
    fact = read()
    byKey.set(key, fact)
  }
  return fact
}

/**
 * The health-check settings of the service's target groups (static facts for the job summary's
 * advisor). Never fails: without them the advisor says less.
 */
export function healthChecks(
  elb: ElasticLoadBalancingV2Client,
  arns: readonly string[]
): Promise<Map<string, HealthCheck>> {
  return oncePerClient(elb, `health checks ${arns.join(' ')}`, () =>
    Promise.resolve()
      .then(() => elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...arns] })))
      .then(answer => {
        const out = new Map<string, HealthCheck>()
        for (const g of answer?.TargetGroups ?? [])
          if (g.TargetGroupArn && g.HealthCheckIntervalSeconds && g.HealthyThresholdCount)
            out.set(g.TargetGroupArn, {
              intervalSeconds: g.HealthCheckIntervalSeconds,
              healthyThreshold: g.HealthyThresholdCount,
              ...(g.UnhealthyThresholdCount !== undefined && {
                unhealthyThreshold: g.UnhealthyThresholdCount
              })
            })
        return out
      })
      .catch(() => new Map<string, HealthCheck>())
  )
}

/** One DescribeTargetHealth entry as the watch and the verdicts read it. */
export function toTargetView(d: TargetHealthDescription): TargetView {
  return {
    id: d.Target?.Id ?? '?',
    ...(d.Target?.Port !== undefined && { port: d.Target.Port }),
    state: d.TargetHealth?.State ?? 'unknown',
    ...(d.TargetHealth?.Reason !== undefined && { reason: d.TargetHealth.Reason }),
    ...(d.TargetHealth?.Description !== undefined && { description: d.TargetHealth.Description })
  }
}

/** A target group's health now, counted by targets (see targetCountEvidence). */
export async function readTargetCountEvidence(
  elb: ElasticLoadBalancingV2Client,
  arn: string,
  expected: number
): Promise<TargetGroupEvidence> {
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
  return targetCountEvidence(arn, (health.TargetHealthDescriptions ?? []).map(toTargetView), expected)
}

export interface Observer {
  /** One poll; `last` is the progress of the previous decision, so reads that cannot change it are left out. */
  observe(last?: Progress): Promise<Observation>
}

/**
 * The group's deregistration delay, which says when its draining targets will be gone (and the
 * old deployment with them). Only a hint for when to poll: a role that may not read the
 * attributes still gets a correct verdict, a little later.
 */
export function deregistrationDelayMs(
  elb: ElasticLoadBalancingV2Client,
  arn: string
): Promise<number | undefined> {
  return oncePerClient(elb, `deregistration delay ${arn}`, () =>
    Promise.resolve()
      .then(() => elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })))
      .then(answer => {
        const value = answer?.Attributes?.find(a => a.Key === 'deregistration_delay.timeout_seconds')?.Value
        return value !== undefined && Number.isFinite(Number(value)) ? Number(value) * 1000 : undefined
      })
      .catch(() => undefined)
  )
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
    ...(task.createdAt !== undefined && { createdAt: new Date(task.createdAt).getTime() }),
    ...(task.pullStartedAt !== undefined && { pullStartedAt: new Date(task.pullStartedAt).getTime() }),
    ...(task.pullStoppedAt !== undefined && { pullStoppedAt: new Date(task.pullStoppedAt).getTime() }),
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
  let lastOurCounts = ''
  let countsMoved = true
  let lastTaskRefresh = -Infinity
  let ourFailed: number | undefined

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

  /** A task of ours that should be running and may have stopped since the last refresh. */
  const isOurs = (t: Task) => t.startedBy === undefined || t.startedBy === target.deploymentId

  async function refreshTasks(stopsPossible: boolean): Promise<void> {
    const running = await listArns('RUNNING')
    const runningSet = new Set(running)
    // STOPPED tasks are listed when one of ours may have stopped: on the first refresh, when ECS
    // counted a failed task, or when a task of ours we knew is no longer among the running ones.
    const vanished = [...tasks.values()].some(
      t => isOurs(t) && t.lastStatus !== 'STOPPED' && t.taskArn !== undefined && !runningSet.has(t.taskArn)
    )
    // (A new deployment has no stopped task: the first refresh lists them only when ECS counted one.)
    const listStopped = stopsPossible || vanished
    const stopped = listStopped
      ? await listArns('STOPPED')
      : [...tasks.values()].filter(t => t.lastStatus === 'STOPPED').map(t => t.taskArn ?? '')
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

  /** Whether tasks are listed again, and whether one of ours may have stopped since. */
  function needsTaskRefresh(
    deployments: readonly Deployment[],
    /** ECS announced a drain since the watch began: older deployments' counts moving say no more. */
    drainAnnounced: boolean
  ): {
    refresh: boolean
    stopsPossible: boolean
  } {
    const counts = deployments
      .map(d => `${d.id}:${d.status}:${d.desiredCount}:${d.runningCount}:${d.pendingCount}:${d.failedTasks}`)
      .join('|')
    // The first poll has nothing to compare with (its own reads are planned without a last poll).
    const first = lastCounts === ''
    const anyMoved = !first && counts !== lastCounts
    lastCounts = counts
    // Only the watched deployment's own counts say that its tasks changed: older deployments
    // draining and stopping (the verdict poll included) change nothing the verdict reads of tasks.
    const ours = deployments.find(d => d.id === target.deploymentId)
    const ourCounts = ours
      ? `${ours.status}:${ours.runningCount}:${ours.pendingCount}:${ours.failedTasks}`
      : `gone:${deployments.map(d => d.id).join(',')}`
    const moved = ourCounts !== lastOurCounts
    lastOurCounts = ourCounts
    // Target health is read again after a move: ours (a target registers or goes), or an older
    // deployment's (its targets begin draining), unless ECS's own drain event already says when.
    countsMoved = (!first && moved) || (anyMoved && !drainAnnounced)
    const stopsPossible = ours?.failedTasks !== ourFailed && (ours?.failedTasks ?? 0) > 0
    ourFailed = ours?.failedTasks
    // Tasks that are still starting say nothing the verdict reads (no target, no exit code): they
    // are listed once one of ours runs or has failed (ECS counts both), not before.
    const nothingYet =
      ours !== undefined && ours.runningCount === 0 && (ours.failedTasks ?? 0) === 0 && tasks.size === 0
    if (nothingYet) return { refresh: false, stopsPossible }
    if (moved || clock.now() - lastTaskRefresh >= TASK_REFRESH_MS) return { refresh: true, stopsPossible }
    // Container health, when it is the gate, changes without the counts moving.
    const health =
      target.watchContainerHealth &&
      [...tasks.values()].some(
        t => isOurs(t) && t.desiredStatus === 'RUNNING' && t.healthStatus !== 'HEALTHY'
      )
    return { refresh: health, stopsPossible }
  }

  /** When each draining target (group|id:port) began draining, at the earliest. */
  const drainingSeen = new Map<string, number>()
  /** When each target was last seen in another state than draining. */
  const seenBefore = new Map<string, number>()
  /** When each target in its initial checks was registered, at the earliest. */
  const initialSeen = new Map<string, number>()
  /** The last DescribeTargetHealth read, per group: a target first seen after it registered since. */
  const lastHealthRead = new Map<string, number>()

  async function targetGroups(): Promise<TargetGroupView[]> {
    // Asked before the answer comes, so the poll's time is when AWS was asked at the latest.
    const asked = clock.now()
    return Promise.all(
      target.targetGroupArns.map(async arn => {
        const answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
        const now = asked
        const targets = (answer.TargetHealthDescriptions ?? []).map(d => {
          const view = toTargetView(d)
          const { id, state } = view
          const key = `${arn}|${id}:${d.Target?.Port ?? ''}`
          const known = seenBefore.has(key) || drainingSeen.has(key)
          // The drain began after the last poll that saw the target in another state: the
          // earliest it can end is counted from there, and the hot window covers the rest.
          if (state === 'draining' && !drainingSeen.has(key))
            drainingSeen.set(key, seenBefore.get(key) ?? now)
          if (state !== 'draining') seenBefore.set(key, now)
          // New since the group's previous read: registered after it (unknown without one, or
          // for a target already there then: no hint).
          const previous = lastHealthRead.get(arn)
          if (state === 'initial' && !known && previous !== undefined) initialSeen.set(key, previous)
          return {
            ...view,
            ...(state === 'draining' && { drainingSince: drainingSeen.get(key) }),
            ...(state === 'initial' && { initialSince: initialSeen.get(key) })
          }
        })
        lastHealthRead.set(arn, now)
        return { arn, targets }
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

  let groupsRead: { at: number; groups: TargetGroupView[] } | undefined
  let firstPollAt: number | undefined

  return {
    async observe(last?: Progress): Promise<Observation> {
      const asked = clock.now()
      const reads =
        !last && target.startedByUs
          ? { targetHealth: false }
          : planReads(last && { progress: last, countsMoved }, groupsRead?.at, asked)
      // Static facts: asked once, alongside the first poll, never on the way of a later one.
      if (!groupsRead && target.targetGroupArns.length > 0) {
        for (const arn of target.targetGroupArns) void deregistrationDelayMs(elb, arn)
        void healthChecks(elb, target.targetGroupArns)
      }
      const readGroups = async (): Promise<TargetGroupView[]> => {
        if (!reads.targetHealth)
          return groupsRead?.groups ?? target.targetGroupArns.map(arn => ({ arn, targets: [] }))
        const at = clock.now()
        const read = await targetGroups()
        groupsRead = { at, groups: read }
        return read
      }
      // Independent reads in parallel: the service, target health, the ECS-native extras.
      const [answer, groups, deployment, split] = await Promise.all([
        ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })),
        readGroups(),
        target.serviceDeploymentArn ? serviceDeployment(target.serviceDeploymentArn) : undefined,
        target.listenerRules ? traffic(target.listenerRules) : undefined
      ])
      const deployments = answer.services?.[0]?.deployments ?? []
      const checks =
        target.targetGroupArns.length > 0 ? await healthChecks(elb, target.targetGroupArns) : undefined
      // Static facts, read once per run: every group carries its delay, draining targets or not.
      const delays = new Map<string, number | undefined>()
      for (const arn of target.targetGroupArns) delays.set(arn, await deregistrationDelayMs(elb, arn))
      const drainsBegunAt = drainEvents(answer.services?.[0]?.events ?? [])
      firstPollAt ??= asked
      const refresh = needsTaskRefresh(
        deployments,
        drainsBegunAt.some(at => at >= (firstPollAt ?? asked))
      )
      if (refresh.refresh) await refreshTasks(refresh.stopsPossible)
      return {
        at: clock.now(),
        deployments: deployments.map(toDeployment),
        tasks: [...tasks.values()].map(t => toTask(t, instanceIds)),
        targetGroups: groups.map(g => {
          const check = checks?.get(g.arn)
          const delay = delays.get(g.arn)
          return {
            ...g,
            ...(check && { healthCheck: check }),
            ...(delay !== undefined && { deregistrationDelayMs: delay })
          }
        }),
        ...(deployment !== undefined && { serviceDeployment: deployment }),
        ...(split !== undefined && { traffic: split }),
        ...(drainsBegunAt.length > 0 && { drainsBegunAt })
      }
    }
  }
}

/**
 * ECS's own record of when it began draining old tasks' targets: the service events
 * `(service web) has begun draining connections on 2 tasks.`, by their createdAt (AWS time).
 */
export function drainEvents(events: readonly ServiceEvent[]): number[] {
  return events.flatMap(e =>
    e.createdAt !== undefined && /has begun draining connections on \d+ tasks?/.test(e.message ?? '')
      ? [new Date(e.createdAt).getTime()]
      : []
  )
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
