// mode: promote. Lets a blue/green deployment that waits for approval (an ECS pause hook, or
// CodeDeploy at Ready) go on to production: it finds the deployment (or takes deployment-id),
// refuses when nothing waits, the wait ran out or the new targets are not healthy, then continues
// it and follows it to the end with the same watch and health gate as a deploy, rolling back on
// failure as rollback-on-failure says. Promoting twice is harmless: the second run says so and
// checks the health of what production runs.
import * as core from '@actions/core'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { planPhase } from '../pipeline/plan.js'
import { rollOut } from '../pipeline/rollout.js'
import { decidePromote } from '../rollout/approval.js'
import type { RolloutRequest } from '../rollout/contract.js'
import { waitingLines } from '../service/approval.js'
import { revisionFacts } from '../taskdef/facts.js'
import { describeRevision } from '../taskdef/revision.js'
import { warnIgnoredByApproval } from './ignored-inputs.js'

export async function promoteMode(inputs: Inputs, run: Run): Promise<void> {
  warnIgnoredByApproval(inputs)
  const report = run.state.report
  const clients = run.deps.clients(inputs.region)
  // A promote follows the deployment to its end: the strategy is prepared for `succeeded`.
  const planned = await planPhase({ ...inputs, waitUntil: 'succeeded' }, run, clients)
  const { ecs, plan, current, strategy } = planned
  const lookup = await phase(run, 'Find the waiting deployment', () =>
    strategy.findWaiting(plan, inputs.deploymentId)
  )
  const decision = decidePromote(lookup, run.deps.clock.now())
  if (lookup.kind === 'waiting') for (const line of waitingLines(lookup.waiting)) core.info(line)
  if (decision.kind === 'refuse') {
    if (lookup.kind === 'waiting') {
      report.waiting = lookup.waiting
      report.deploymentId = lookup.waiting.deploymentId
      report.evidence = lookup.waiting.green
    }
    throw new ActionError(decision.reason)
  }

  if (decision.kind === 'already-promoted') {
    core.info(decision.reason)
    report.deploymentId = decision.deploymentId
    const running = revisionFacts(plan.taskDefinitionArn, current.taskDefinition)
    const request: RolloutRequest = {
      plan,
      target: running,
      previous: running,
      forceNewDeployment: false,
      wait: true,
      timeoutMs: inputs.waitForMinutes * 60_000,
      rollbackOnFailure: false
    }
    const check = await phase(run, 'Health check', () => strategy.checkRunning(request))
    report.taskDefinitionArn = plan.taskDefinitionArn
    if (check.kind === 'healthy') {
      report.status = 'unchanged'
      report.reason = `${decision.reason}; production is healthy`
      if (check.decision) {
        report.healthGate = check.decision.reason
        report.evidence = check.decision.progress.targetGroups
      }
      core.info(report.reason)
      return
    }
    const why = 'reason' in check ? check.reason : `its deployment is ${check.kind}`
    throw new ActionError(`already promoted (${decision.reason}), but production is not healthy now: ${why}`)
  }

  const { waiting } = decision
  const [target, previous] = await Promise.all([
    describeRevision(ecs, waiting.taskDefinitionArn),
    describeRevision(ecs, waiting.previousTaskDefinitionArn)
  ])
  report.previousTaskDefinitionArn = waiting.previousTaskDefinitionArn
  const result = await rollOut(inputs, run, {
    strategy,
    plan,
    target: revisionFacts(waiting.taskDefinitionArn, target.taskDefinition),
    previous: revisionFacts(waiting.previousTaskDefinitionArn, previous.taskDefinition),
    forceNewDeployment: false,
    rollbackOnFailure: inputs.rollbackOnFailure,
    promote: waiting
  })
  report.deploymentId = waiting.deploymentId
  if (result.status === 'succeeded')
    report.reason = `promoted ${waiting.deploymentId}: production runs ${waiting.taskDefinitionArn}, healthy`
}
