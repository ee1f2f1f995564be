// The one sequence every rollout goes through, whatever the strategy: start the deployment (or
// take one already started), follow it to a verdict, and on failure roll back and follow that
// too. "What happens on failure" lives here and nowhere else: the strategy only knows how to put
// the previous revision back on its controller (its rollBack).
import { credentialErrorMessage, describeError, isCredentialError, LostTrackError } from '../errors.js'
import { revisionName } from '../aws/names.js'
import type { Decision } from '../watch/verdict.js'
import type {
  RollbackRecord,
  RolloutRequest,
  RolloutResult,
  StartedDeployment,
  Strategy
} from './contract.js'

/**
 * Rolls request.target out with the strategy (or follows `started`, a deployment already started
 * by someone else's call, such as a preview's CreateService) and returns the verdict.
 */
export async function carryOut<D extends StartedDeployment>(
  strategy: Strategy<D>,
  request: RolloutRequest,
  started?: D
): Promise<RolloutResult> {
  const deployment = started ?? (await strategy.rollOut(request))
  if (!request.wait) {
    strategy.deps.log(strategy.notFollowingLine)
    return {
      status: 'succeeded',
      deploymentId: deployment.id,
      taskDefinitionArn: request.target.arn,
      rolledBack: false
    }
  }
  const { decision, followed, waiting } = await keepTrack(request, deployment.id, strategy.carriedOnBy, () =>
    strategy.follow(deployment, request)
  )
  const result = await conclude(strategy, request, followed, decision)
  // wait-until ready: done means it waits for a person now, not that production moved.
  return waiting !== undefined && result.status === 'succeeded' ? { ...result, waiting } : result
}

/**
 * Follows a deployment this run started. If following it becomes impossible (credentials expire
 * or are denied mid-wait, the polls keep failing), the deployment still goes on without us: the
 * error says so and carries its id, instead of a bare AWS error that hides what was started.
 */
export async function keepTrack<T>(
  request: RolloutRequest,
  deploymentId: string,
  carriedOnBy: 'ECS' | 'CodeDeploy',
  follow: () => Promise<T>
): Promise<T> {
  try {
    return await follow()
  } catch (error) {
    throw new LostTrackError(
      `stopped following deployment ${deploymentId} of ${revisionName(request.target.arn)}: ${describeError(error).replace(/\.?$/, '.')} ` +
        `${carriedOnBy} carries on with it, and nothing was rolled back. Re-run to follow it to a verdict, ` +
        `or run mode: rollback to put ${request.previous.arn} back.`,
      deploymentId
    )
  }
}

/**
 * Succeeded when the decision is done; otherwise the evidence is logged and, when
 * rollback-on-failure is on (or the controller rolls back by itself), the strategy puts the
 * previous revision back and follows it. A rollback that throws (expired credentials
 * mid-rollback, say) still tells both stories.
 */
async function conclude<D extends StartedDeployment>(
  strategy: Strategy<D>,
  request: RolloutRequest,
  deployment: D,
  decision: Decision
): Promise<RolloutResult> {
  const { log, clock } = strategy.deps
  if (decision.kind === 'done') {
    log(`healthy: ${decision.reason}`)
    return {
      status: 'succeeded',
      deploymentId: deployment.id,
      taskDefinitionArn: request.target.arn,
      rolledBack: false,
      decision
    }
  }
  for (const line of decision.kind === 'failed' ? decision.failure.evidence : []) log(`  ${line}`)
  const failed = (why: string): RolloutResult => ({
    status: 'failed',
    deploymentId: deployment.id,
    taskDefinitionArn: request.target.arn,
    rolledBack: false,
    reason: why,
    decision
  })
  if (!request.rollbackOnFailure && !strategy.followsRollbackAnyway(decision))
    return failed(`deploy failed: ${decision.reason} (rollback-on-failure is off)`)

  const rollbackStart = clock.now()
  strategy.deps.onRollbackStart?.({ to: request.previous.arn, because: decision.reason })
  let result: RolloutResult
  try {
    const outcome = await strategy.rollBack({ deployment, request, decision })
    if (outcome.kind === 'followed') {
      const evidence = outcome.rollback.decision
      for (const line of evidence.kind === 'failed' ? evidence.failure.evidence : []) log(`  ${line}`)
      result = rollbackOutcome(request, { deploymentId: deployment.id, decision }, outcome, failed)
    } else {
      result = {
        ...failed(outcome.reason),
        ...(outcome.taskDefinitionArn !== undefined && { taskDefinitionArn: outcome.taskDefinitionArn })
      }
    }
  } catch (error) {
    const why = isCredentialError(error) ? credentialErrorMessage(error) : describeError(error)
    result = failed(
      `deploy failed: ${decision.reason}; THE ROLLBACK TO ${request.previous.arn} FAILED TOO: ${why}. The service needs attention now.`
    )
  }
  return { ...result, rollbackDurationMs: clock.now() - rollbackStart }
}

/** The result once a rollback has been followed to its verdict: rolled back, or failed twice, loudly. */
function rollbackOutcome(
  request: RolloutRequest,
  failure: { readonly deploymentId: string; readonly decision: Decision },
  outcome: { readonly rollback: RollbackRecord; readonly healthyAs: string },
  failed: (why: string) => RolloutResult
): RolloutResult {
  const previous = request.previous.arn
  const { rollback } = outcome
  if (rollback.decision.kind === 'done') {
    return {
      status: 'rolled-back',
      deploymentId: failure.deploymentId,
      taskDefinitionArn: previous,
      rolledBack: true,
      reason: `deploy failed: ${failure.decision.reason}; rolled back to ${previous} (${outcome.healthyAs})`,
      decision: failure.decision,
      rollback
    }
  }
  return {
    ...failed(
      `deploy failed: ${failure.decision.reason}; THE ROLLBACK TO ${previous} FAILED TOO: ${rollback.decision.reason}. The service needs attention now.`
    ),
    rollback
  }
}
