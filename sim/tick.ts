// How the simulated world moves forward in time. advance(state, now) applies every transition due
// at `now`: the task lifecycle and container health (runtime/task-lifecycle.ts), target health
// checks (runtime/targets.ts), then each service's deployment controller: ECS's rolling scheduler
// with its circuit breaker, ECS-native blue/green, or CodeDeploy task sets, and CodeDeploy's own
// lifecycle. It is a plain function of the state and a clock, so its semantics are unit-tested
// without HTTP. This is the only module that drives controllers/; the API and the server call it.
import { advanceBlueGreen } from './controllers/bluegreen/service.js'
import { advanceCodeDeploy } from './controllers/codedeploy/lifecycle.js'
import { advanceRollingService } from './controllers/rolling/scheduler.js'
import { startRequestedRollback } from './controllers/rolling/stop-rollback.js'
import { advanceTaskSets } from './controllers/task-sets.js'
import { historyOf } from './runtime/service-deployments.js'
import { advanceTargets } from './runtime/targets.js'
import { advanceTasks } from './runtime/task-lifecycle.js'
import { isCodeDeployService, usesBlueGreen } from './world/deployment-controller.js'
import type { SimService, SimState } from './world/model.js'

/** Applies every transition due at `now`. Idempotent: calling it twice with the same `now` changes nothing more. */
export function advance(state: SimState, now: number): void {
  advanceTasks(state, now)
  advanceTargets(state, now)
  for (const svc of state.services.values()) advanceService(state, svc, now)
  advanceCodeDeploy(state, now)
  // The breaker's counters in the service deployments follow the deployments.
  for (const svc of state.services.values()) {
    for (const dep of svc.deployments) {
      const h = historyOf(svc, dep)
      if (h?.deploymentCircuitBreaker?.status === 'MONITORING')
        h.deploymentCircuitBreaker.failureCount = dep.failedTasks
    }
  }
  // ECS forgets stopped tasks after a while (about an hour); keep the list bounded here.
  if (state.tasks.length > 2000)
    state.tasks = state.tasks
      .filter(t => t.task.lastStatus !== 'STOPPED')
      .concat(state.tasks.filter(t => t.task.lastStatus === 'STOPPED').slice(-500))
}

/** The service's deployment controller takes its turn; a requested rolling rollback starts first. */
function advanceService(state: SimState, svc: SimService, now: number): void {
  startRequestedRollback(state, svc, now)
  if (usesBlueGreen(svc)) advanceBlueGreen(state, svc, now)
  else if (isCodeDeployService(svc)) advanceTaskSets(state, svc, now)
  else advanceRollingService(state, svc, now)
}
