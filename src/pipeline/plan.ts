// The plan phase: the service as it is (its configuration, running revision and target groups'
// health), and the strategy its controller asks for, with that strategy's wiring checked. All of
// it is read before anything changes, so a typo, a missing permission or a service without the
// wiring its strategy needs fails with nothing touched.
import * as core from '@actions/core'
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { targetGroupName } from '../aws/names.js'
import { ActionError, describeError, errorName } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { printForeign } from '../report/foreign.js'
import type { InFlight, Strategy } from '../rollout/contract.js'
import { prepareStrategy } from '../rollout/select.js'
import { describePlan, readServicePlan, type ServicePlan } from '../service/plan.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { describeRevision } from '../taskdef/revision.js'
import { backoffFromEnv } from '../watch/poll.js'
import { phase, type Run } from './context.js'

export interface PlanResult {
  readonly ecs: ECSClient
  readonly plan: ServicePlan
  /** The revision the service runs now, with its tags. */
  readonly current: TaskDefinitionSource
  /** How this service rolls out (chosen from its controller, its wiring checked). */
  readonly strategy: Strategy
}

/** Reads the service, its running revision and what its strategy needs (checked before any change). */
export async function planPhase(inputs: Inputs, run: Run, clients: AwsClients): Promise<PlanResult> {
  const ecs = await clients.ecs()
  const { plan, current, health } = await phase(run, 'Plan', async () => {
    const plan = await readServicePlan(ecs, inputs.cluster, inputs.service)
    for (const line of describePlan(plan)) printForeign(line)
    // Independent reads: the plan waits for the slower of the two, not for both in turn.
    const [current, health] = await Promise.all([
      describeRevision(ecs, plan.taskDefinitionArn),
      clients.elb().then(elb => targetHealthNow(elb, plan.targetGroupArns))
    ])
    for (const line of health) printForeign(line)
    for (const name of plan.classicLoadBalancers)
      core.warning(
        `classic load balancer ${name}: ecs-ship cannot read its instance health, so it is not part of the health gate`
      )
    return { plan, current, health }
  })
  const report = run.state.report
  report.plan = [...describePlan(plan), ...health]
  report.strategy = plan.strategy.strategy
  report.previousTaskDefinitionArn = plan.taskDefinitionArn
  const { strategy, planLines } = await strategyFor(inputs, run, { plan, clients })
  for (const line of planLines) printForeign(line)
  report.plan = [...report.plan, ...planLines]
  return { ecs, plan, current, strategy }
}

/** The strategy a service's rollout takes, with the clock, the poll pacing and the log it reports to. */
export function strategyFor(
  inputs: Inputs,
  run: Run,
  service: { readonly plan: ServicePlan; readonly clients: AwsClients }
) {
  return prepareStrategy({
    inputs,
    plan: service.plan,
    clients: service.clients,
    deps: {
      clock: run.deps.clock,
      backoff: backoffFromEnv(run.deps.env),
      log: printForeign,
      onRollbackStart: rollback => {
        run.state.rollback = rollback
      }
    }
  })
}

/**
 * The service's targets as they are now, one line per target group. Read before any change, so a
 * role without elasticloadbalancing:DescribeTargetHealth (or a target group that is gone) fails
 * the run while nothing has been touched, not half-way through the rollout.
 */
async function targetHealthNow(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[]
): Promise<string[]> {
  return Promise.all(
    targetGroupArns.map(async arn => {
      let answer
      try {
        answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
      } catch (error) {
        if (errorName(error) === 'TargetGroupNotFoundException')
          throw new ActionError(
            `target group ${arn} of the service was not found (deleted?): ${describeError(error)}`
          )
        throw error
      }
      const targets = answer?.TargetHealthDescriptions ?? []
      const healthy = targets.filter(t => t.TargetHealth?.State === 'healthy').length
      return `target group ${targetGroupName(arn)} now: ${healthy} of ${targets.length} registered targets healthy`
    })
  )
}

/**
 * Someone else's rollout (or the controller's own rollback) is under way: wait for it to settle,
 * within wait-for-minutes, and say so. Returns the deployment waited for, if there was one.
 * `waitedFor` holds deployments already waited for: their verdict stands, and ECS may keep one
 * IN_PROGRESS after the watch has seen it fail, so it is not waited for twice.
 */
export async function waitForInFlightPhase(
  inputs: Inputs,
  run: Run,
  planned: PlanResult,
  waitedFor: ReadonlySet<string> = new Set()
): Promise<InFlight | undefined> {
  const { strategy, plan, current } = planned
  const inFlight = await strategy.findInFlight(plan)
  if (!inFlight || waitedFor.has(inFlight.id)) return undefined
  await phase(run, 'Wait for in-flight deployment', () =>
    strategy.waitForInFlight(inFlight, {
      plan,
      currentDefinition: current.taskDefinition,
      timeoutMs: inputs.waitForMinutes * 60_000
    })
  )
  return inFlight
}

/**
 * Another deployment in flight is waited for, then the service planned again from what it runs
 * now, so "previous" is a revision that really finished. Twice at most: the deployment, and the
 * controller's own rollback of it when it failed; never the same deployment twice.
 */
const MAX_IN_FLIGHT_WAITS = 2

export async function settleInFlight(
  inputs: Inputs,
  run: Run,
  service: { readonly clients: AwsClients; readonly planned: PlanResult }
): Promise<PlanResult> {
  let now = service.planned
  const waitedFor = new Set<string>()
  for (let round = 0; round < MAX_IN_FLIGHT_WAITS; round++) {
    const inFlight = await waitForInFlightPhase(inputs, run, now, waitedFor)
    if (!inFlight) break
    waitedFor.add(inFlight.id)
    core.info('the in-flight deployment has settled: planning again from what the service runs now')
    now = await planPhase(inputs, run, service.clients)
  }
  return now
}
