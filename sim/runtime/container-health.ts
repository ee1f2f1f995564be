// Container health checks as the ECS API reference (HealthCheck) describes them. The agent runs the
// healthCheck of a container definition (a Dockerfile HEALTHCHECK is ignored) every `interval`
// seconds from the container's start: the status is UNKNOWN until a check has passed (HEALTHY);
// failures during `startPeriod` do not count, and `retries` counted failures in a row make it
// UNHEALTHY; a later pass makes it HEALTHY again. The task's healthStatus derives from its
// essential containers only: UNHEALTHY if one is, else UNKNOWN if one is (a container without a
// health check is UNKNOWN), else HEALTHY.
import type { ContainerDefinition, HealthStatus, Task } from '@aws-sdk/client-ecs'
import { scaled, type ContainerHealthPlan, type SimState, type SimTask } from '../world/model.js'

/** HealthCheck defaults from the API reference: interval 30 s, retries 3, startPeriod 0. */
const DEFAULT_INTERVAL = 30
const DEFAULT_RETRIES = 3

/**
 * The checks of the containers that have one. `passesAfterSeconds(c)`: seconds after the
 * container starts from which its check passes, or undefined when it never does.
 */
export function planContainerHealth(
  state: SimState,
  containers: readonly ContainerDefinition[],
  passesAfterSeconds: (c: ContainerDefinition) => number | undefined
): ContainerHealthPlan[] {
  return containers.flatMap(c => {
    const hc = c.healthCheck
    if (!hc?.command?.length) return []
    const after = passesAfterSeconds(c)
    return [
      {
        name: c.name ?? '',
        essential: c.essential !== false,
        intervalMs: scaled(state, hc.interval ?? DEFAULT_INTERVAL),
        retries: hc.retries ?? DEFAULT_RETRIES,
        startPeriodMs: scaled(state, hc.startPeriod ?? 0),
        passesAfterMs: after === undefined ? undefined : scaled(state, after),
        checksRun: 0,
        failedInARow: 0
      }
    ]
  })
}

/**
 * Runs every check due by `now` on a RUNNING task and updates its containers' and its own
 * healthStatus. A container that has stopped is not checked any more.
 */
export function runContainerChecks(simTask: SimTask, now: number): void {
  const { task, plan: taskPlan } = simTask
  for (const plan of taskPlan.containerHealth) {
    const container = task.containers?.find(c => c.name === plan.name)
    if (!container || container.lastStatus === 'STOPPED' || plan.intervalMs <= 0) continue
    const due = Math.floor((now - taskPlan.runningAt) / plan.intervalMs)
    while (plan.checksRun < due) {
      plan.checksRun += 1
      const sinceStart = plan.checksRun * plan.intervalMs
      if (plan.passesAfterMs !== undefined && sinceStart >= plan.passesAfterMs) {
        plan.failedInARow = 0
        container.healthStatus = 'HEALTHY'
        continue
      }
      if (sinceStart < plan.startPeriodMs) continue
      plan.failedInARow += 1
      if (plan.failedInARow >= plan.retries) container.healthStatus = 'UNHEALTHY'
    }
  }
  task.healthStatus = taskHealth(task, taskPlan.essentialContainers)
}

/** The task's healthStatus from its essential containers, in the API reference's priority order. */
export function taskHealth(task: Task, essentialNames: readonly string[]): HealthStatus {
  const statuses = (task.containers ?? [])
    .filter(c => essentialNames.includes(c.name ?? ''))
    .map(c => c.healthStatus ?? 'UNKNOWN')
  if (statuses.includes('UNHEALTHY')) return 'UNHEALTHY'
  if (statuses.length === 0 || statuses.includes('UNKNOWN')) return 'UNKNOWN'
  return 'HEALTHY'
}

/**
 * Whether the task's container health lets it count as healthy for a service deployment: ECS
 * waits for HEALTHY when an essential container has a health check, and ignores container
 * health otherwise.
 */
export function containerHealthAllows(task: Task, plans: readonly ContainerHealthPlan[]): boolean {
  if (!plans.some(p => p.essential)) return task.healthStatus !== 'UNHEALTHY'
  return task.healthStatus === 'HEALTHY'
}

/**
 * Whether a task's container health lets it count for its deployment: HEALTHY when an essential
 * container has a health check, and not UNHEALTHY otherwise.
 */
export const containerHealthy = (simTask: SimTask): boolean =>
  containerHealthAllows(simTask.task, simTask.plan.containerHealth)
