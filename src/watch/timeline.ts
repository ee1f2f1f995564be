// Pure: the rollout's timeline, gathered poll by poll, for the job summary's advisor
// (report/advisor.ts). Only facts: AWS's own timestamps of our tasks (created, image pulled,
// started), the target groups' settings as AWS returned them, and the moments a poll saw a change
// (targets healthy, old targets draining). Moments seen by a poll are as late as the poll.
import type { Observation, TaskView, WatchContext } from './observation.js'

export interface RolloutTimeline {
  /** When the watch began (the rollout started just before), our clock. */
  readonly startedAt: number
  /** AWS's timestamps over our tasks: the first created, the last pull begun/done and started. */
  readonly tasksCreatedAt?: number
  readonly pullStartedAt?: number
  readonly pullStoppedAt?: number
  readonly tasksStartedAt?: number
  /** The first poll that saw every target of ours healthy. */
  readonly healthyAt?: number
  /** Old targets draining: from the earliest start seen to the last poll that saw one draining. */
  readonly drainFrom?: number
  readonly drainSeenUntil?: number
  /** The first poll that saw no target draining after some had been. */
  readonly drainEndedAt?: number
  readonly deregistrationDelayMs?: number
  readonly healthCheck?: { readonly intervalSeconds: number; readonly healthyThreshold: number }
  readonly healthCheckGracePeriodMs: number
  /** The last poll. */
  readonly endedAt: number
}

const maxOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const defined = xs.filter((x): x is number => x !== undefined)
  return defined.length > 0 ? Math.max(...defined) : undefined
}
const minOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const defined = xs.filter((x): x is number => x !== undefined)
  return defined.length > 0 ? Math.min(...defined) : undefined
}

function ours(task: TaskView, context: WatchContext): boolean {
  if (task.startedBy !== undefined) return task.startedBy === context.deploymentId
  return task.taskDefinitionArn === context.taskDefinitionArn
}

export function extendTimeline(
  last: RolloutTimeline | undefined,
  observation: Observation,
  /** The decision's progress: how many of our targets are healthy in each group. */
  progress: { readonly targetGroups: readonly { readonly healthy: number; readonly expected: number }[] },
  context: WatchContext
): RolloutTimeline {
  const tasks = observation.tasks.filter(t => ours(t, context))
  const draining = observation.targetGroups.flatMap(g =>
    g.targets.filter(t => t.state === 'draining').map(t => ({ group: g, target: t }))
  )
  const allHealthy =
    progress.targetGroups.length > 0 &&
    progress.targetGroups.every(g => g.expected > 0 && g.healthy === g.expected)
  const group = observation.targetGroups[0]
  const drainFrom = minOf([last?.drainFrom, ...draining.map(d => d.target.drainingSince)])
  const delay = last?.deregistrationDelayMs ?? maxOf(draining.map(d => d.group.deregistrationDelayMs))
  const check = last?.healthCheck ?? group?.healthCheck
  const pick = <K extends keyof RolloutTimeline>(key: K, value: RolloutTimeline[K] | undefined) =>
    value !== undefined ? { [key]: value } : {}
  return {
    startedAt: last?.startedAt ?? context.startedAt,
    ...pick('tasksCreatedAt', minOf([last?.tasksCreatedAt, ...tasks.map(t => t.createdAt)])),
    ...pick('pullStartedAt', maxOf([last?.pullStartedAt, ...tasks.map(t => t.pullStartedAt)])),
    ...pick('pullStoppedAt', maxOf([last?.pullStoppedAt, ...tasks.map(t => t.pullStoppedAt)])),
    ...pick('tasksStartedAt', maxOf([last?.tasksStartedAt, ...tasks.map(t => t.startedAt)])),
    ...pick('healthyAt', last?.healthyAt ?? (allHealthy ? observation.at : undefined)),
    ...pick('drainFrom', drainFrom),
    ...pick('drainSeenUntil', draining.length > 0 ? observation.at : last?.drainSeenUntil),
    ...pick(
      'drainEndedAt',
      last?.drainEndedAt ??
        (draining.length === 0 && last?.drainSeenUntil !== undefined ? observation.at : undefined)
    ),
    ...pick('deregistrationDelayMs', delay),
    ...pick('healthCheck', check),
    healthCheckGracePeriodMs: context.healthCheckGracePeriodMs,
    endedAt: observation.at
  }
}
