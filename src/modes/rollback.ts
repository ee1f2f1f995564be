// mode: rollback. Puts an earlier revision back (rollback-to: previous, a revision number, an ARN,
// or an image tag) with the same strategy, watch loop and health gate as a deploy. No build, no
// migrate. Like a deploy, it waits for a deployment already in flight and plans again afterwards,
// so "previous" is worked out from what the service really runs. If putting the target back
// fails, rollback-on-failure puts back the revision the service was on when the rollback started.
import * as core from '@actions/core'
import { revisionName } from '../aws/names.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { Run } from '../pipeline/context.js'
import { planPhase, settleInFlight, type PlanResult } from '../pipeline/plan.js'
import {
  describeRollbackTarget,
  parseRollbackTo,
  previousAfterWait,
  rollbackTargetPhase,
  targetLine,
  type RollbackTarget
} from '../pipeline/rollback-target.js'
import { registerPhase } from '../pipeline/revision.js'
import { rollOut } from '../pipeline/rollout.js'
import { confirmUnchangedPhase } from '../pipeline/unchanged.js'
import type { RolloutResult } from '../rollout/contract.js'
import { printForeign } from '../report/foreign.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import { revisionFacts } from '../taskdef/facts.js'
import { warnIgnoredInputs } from './ignored-inputs.js'

/** The rollout's reason, worded for a rollback: the revision tried, and where the service ended. */
export function rollbackReason(attempted: string, result: RolloutResult): string | undefined {
  if (result.status === 'succeeded') return undefined
  const why = result.reason ?? result.decision?.reason ?? 'unknown'
  const prefix = `rollback to ${revisionName(attempted)} failed: `
  return why.startsWith('deploy failed: ') ? prefix + why.slice('deploy failed: '.length) : prefix + why
}

export async function rollbackMode(inputs: Inputs, run: Run): Promise<void> {
  warnIgnoredInputs(inputs)
  const report = run.state.report
  const clients = run.deps.clients(inputs.region)
  const first: PlanResult = await planPhase(inputs, run, clients)
  const wantsPrevious = parseRollbackTo(inputs.rollbackTo).kind === 'previous'
  // An explicit target (a number, an ARN, a tag) is checked before any wait, so a typo fails at
  // once; `previous` depends on what the service runs, so it is worked out after the wait.
  let target: RollbackTarget | undefined = wantsPrevious
    ? undefined
    : await rollbackTargetPhase(inputs, run, first)
  const planned = inputs.dryRun ? first : await settleInFlight(inputs, run, { clients, planned: first })
  if (planned !== first) {
    target = undefined
    const after = wantsPrevious ? previousAfterWait(first.plan, planned.plan) : { kind: 'proceed' as const }
    if (after.kind === 'moved') throw new ActionError(after.reason)
    if (after.kind === 'undone') {
      report.status = 'unchanged'
      report.taskDefinitionArn = planned.plan.taskDefinitionArn
      report.reason = after.reason
      core.info(report.reason)
      return
    }
  }
  target ??= await rollbackTargetPhase(inputs, run, planned)
  const { ecs, plan, current, strategy } = planned
  report.rollbackTarget = targetLine(target)
  if (target.image !== undefined) report.image = target.image
  printForeign(`rolling back to ${describeRollbackTarget(target)}: ${target.why}`)

  const rendered = target.kind === 'render' ? target.render.input : target.source.taskDefinition
  const diff = diffTaskDefinitions(current.taskDefinition, rendered, current.tags)
  report.diff = diff
  for (const line of diff) printForeign(`  ${line}`)

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = `dry run: would roll back to ${describeRollbackTarget(target)} (${target.why}); nothing was changed`
    return
  }
  const running = revisionFacts(plan.taskDefinitionArn, current.taskDefinition)
  let previous = running
  let forceNewDeployment = false
  let started: { id: string } | undefined
  const nothingToDo = target.kind === 'registered' ? target.arn === plan.taskDefinitionArn : diff.length === 0
  if (nothingToDo) {
    const outcome = await confirmUnchangedPhase(inputs, run, {
      strategy,
      plan,
      running,
      runsAlready: `the service already runs ${plan.taskDefinitionArn}, the rollback target`
    })
    if (outcome.kind === 'unchanged' || outcome.kind === 'not-healthy') return
    previous = revisionFacts(outcome.previous, current.taskDefinition)
    forceNewDeployment = outcome.kind === 'redeploy'
    if (outcome.kind === 'follow') started = { id: outcome.deploymentId }
  }

  const arn =
    target.kind === 'registered'
      ? target.arn
      : nothingToDo
        ? plan.taskDefinitionArn
        : await registerPhase(run, ecs, target.render.input)
  if (inputs.rollbackOnFailure && previous.arn !== arn)
    core.info(
      `if ${revisionName(arn)} fails, rollback-on-failure puts back ${revisionName(previous.arn)}, the revision the service runs now`
    )
  const result = await rollOut(inputs, run, {
    strategy,
    plan,
    target: revisionFacts(arn, rendered),
    // What the service runs now: a rollback that fails goes back here, as a failed deploy would.
    previous,
    forceNewDeployment,
    ...(started !== undefined && { started }),
    rollbackOnFailure: inputs.rollbackOnFailure
  })
  const reason = rollbackReason(arn, result)
  if (reason !== undefined) report.reason = reason
}
