// mode: abort. Rolls back a blue/green deployment that waits for approval (ContinueServiceDeployment
// ROLLBACK at the ECS pause hook, or StopDeployment with auto-rollback at CodeDeploy Ready) and
// follows the rollback until the previous revision serves production, healthy. Refuses when
// nothing waits or the wait ran out.
import * as core from '@actions/core'
import { revisionName } from '../aws/names.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { planPhase } from '../pipeline/plan.js'
import { decideAbort } from '../rollout/approval.js'
import type { RolloutRequest } from '../rollout/contract.js'
import { waitingLines } from '../service/approval.js'
import { revisionFacts } from '../taskdef/facts.js'
import { describeRevision } from '../taskdef/revision.js'
import { warnIgnoredByApproval } from './ignored-inputs.js'

export async function abortMode(inputs: Inputs, run: Run): Promise<void> {
  warnIgnoredByApproval(inputs)
  const report = run.state.report
  const clients = run.deps.clients(inputs.region)
  const planned = await planPhase({ ...inputs, waitUntil: 'succeeded' }, run, clients)
  const { ecs, plan, strategy } = planned
  const lookup = await phase(run, 'Find the waiting deployment', () =>
    strategy.findWaiting(plan, inputs.deploymentId)
  )
  if (lookup.kind === 'waiting') for (const line of waitingLines(lookup.waiting)) core.info(line)
  const decision = decideAbort(lookup, run.deps.clock.now())
  if (decision.kind === 'refuse') throw new ActionError(decision.reason)

  const { waiting } = decision
  report.deploymentId = waiting.deploymentId
  report.previousTaskDefinitionArn = waiting.previousTaskDefinitionArn
  report.attemptedTaskDefinitionArn = waiting.taskDefinitionArn
  const [target, previous] = await Promise.all([
    describeRevision(ecs, waiting.taskDefinitionArn),
    describeRevision(ecs, waiting.previousTaskDefinitionArn)
  ])
  const request: RolloutRequest = {
    plan,
    target: revisionFacts(waiting.taskDefinitionArn, target.taskDefinition),
    previous: revisionFacts(waiting.previousTaskDefinitionArn, previous.taskDefinition),
    forceNewDeployment: false,
    wait: true,
    timeoutMs: inputs.waitForMinutes * 60_000,
    rollbackOnFailure: true
  }
  const rollback = await phase(
    run,
    'Abort',
    () => strategy.abort(waiting, request),
    r => (r.decision.kind === 'done' ? 'ok' : 'failed')
  )
  const healthy = rollback.decision.kind === 'done'
  report.rollback = {
    deploymentId: rollback.deploymentId,
    byEcs: rollback.byEcs,
    ...(rollback.startedBy !== undefined && { startedBy: rollback.startedBy }),
    healthy,
    reason: rollback.decision.reason,
    evidence: rollback.decision.progress.targetGroups,
    ...(rollback.decision.kind === 'failed' && { failureEvidence: rollback.decision.failure.evidence })
  }
  const back = revisionName(waiting.previousTaskDefinitionArn)
  if (healthy) {
    report.status = 'aborted'
    report.taskDefinitionArn = waiting.previousTaskDefinitionArn
    report.reason = `aborted ${waiting.deploymentId}: production runs ${back}, healthy (${rollback.decision.reason})`
    core.info(report.reason)
    return
  }
  report.status = 'failed'
  report.reason = `abort of ${waiting.deploymentId}: THE ROLLBACK TO ${back} FAILED: ${rollback.decision.reason}. The service needs attention now.`
}
