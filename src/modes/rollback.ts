// mode: rollback. Puts an earlier revision back (rollback-to: previous, a revision number, an ARN,
// or an image tag on the current revision) with the same strategy, watch loop and health gate as
// a deploy. No build, no migrate. If putting it back fails, there is nothing sensible to return to
// automatically, so the run fails and says what it saw.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { planPhase } from '../pipeline/plan.js'
import { describeRollbackTarget, rollbackTargetPhase } from '../pipeline/rollback-target.js'
import { rollOut } from '../pipeline/rollout.js'
import { printForeign } from '../report/foreign.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import { revisionFacts } from '../taskdef/facts.js'
import { registerRevision } from '../taskdef/revision.js'

/** Inputs that mean nothing in rollback mode: said out loud rather than silently ignored. */
function warnIgnored(inputs: Inputs): void {
  const ignored = [
    inputs.image !== undefined && 'image',
    inputs.taskDefinitionPath !== undefined && 'task-definition',
    inputs.environmentVariables.size > 0 && 'environment-variables',
    inputs.build !== undefined && 'ecr-repository',
    inputs.migrate !== undefined && 'migrate-command',
    inputs.desiredCount !== undefined && 'desired-count'
  ].filter((name): name is string => typeof name === 'string')
  if (ignored.length > 0) core.warning(`mode rollback ignores these inputs: ${ignored.join(', ')}`)
}

export async function rollbackMode(inputs: Inputs, run: Run): Promise<void> {
  warnIgnored(inputs)
  const report = run.state.report
  const clients = run.deps.clients(inputs.region)
  const planned = await planPhase(inputs, run, clients)
  const { ecs, plan, current, strategy } = planned
  const target = await rollbackTargetPhase(inputs, run, planned)
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
  const nothingToDo = target.kind === 'registered' ? target.arn === plan.taskDefinitionArn : diff.length === 0
  if (nothingToDo) {
    report.status = 'unchanged'
    report.taskDefinitionArn = plan.taskDefinitionArn
    report.reason = `the service already runs ${plan.taskDefinitionArn}; nothing to roll back`
    core.info(report.reason)
    return
  }

  const arn =
    target.kind === 'registered'
      ? target.arn
      : await phase(run, 'Register', () => registerRevision(ecs, target.render.input))
  report.taskDefinitionArn = arn
  const result = await rollOut(inputs, run, {
    strategy,
    plan,
    target: revisionFacts(arn, rendered),
    previous: revisionFacts(plan.taskDefinitionArn, current.taskDefinition),
    forceNewDeployment: false,
    // Going back to the revision we are rolling away from would undo the rollback.
    rollbackOnFailure: false
  })
  if (result.status === 'failed')
    report.reason = `rollback to ${arn} failed: ${result.decision?.reason ?? result.reason}`
}
