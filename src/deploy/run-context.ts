// What the mode flows (deploy-mode.ts, rollback-mode.ts) share: the run's state (report and
// phase timings), the phase wrapper (a core.group with its timing), the plan phase, and the
// hooks through which other phases (image, migrate) are plugged in by the orchestrator.
import * as core from '@actions/core'
import type { AwsClients } from '../aws/clients.js'
import { ActionError, describeError, errorName, LostTrackError } from '../errors.js'
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Inputs, MigrateCommandParser } from '../inputs.js'
import type { ImageResult, MigrateResult, PhaseTiming } from '../phases.js'
import { describePlan, readServicePlan, type ServicePlan } from '../plan/service.js'
import type { ReportData } from '../report/summary.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { describeRevision } from '../taskdef/revision.js'
import { targetGroupName } from './decide.js'
import { nativeSetup } from './native.js'
import type { CodeDeploySetup } from './codedeploy-setup.js'
import type { Clock } from '../util/clock.js'
import type { RevisionFacts, RolloutResult } from './rolling.js'
import type { ECSClient } from '@aws-sdk/client-ecs'

/**
 * Phases owned by other modules; src/main.ts wires the real ones (src/image/, src/migrate/).
 * Tests pass fakes, and a run whose phase is missing fails with a clear message before anything changes.
 */
export interface PhaseHooks {
  readonly parseMigrateCommands?: MigrateCommandParser
  /** Checks the build inputs against the disk (context, Dockerfile, secrets' variables) before any AWS call. */
  readonly checkImageInputs?: (inputs: Inputs) => Promise<void>
  /** Builds and pushes (or reuses) the image; its imageUri becomes the deployed image. */
  readonly buildImage?: (
    inputs: Inputs,
    context: { clients: AwsClients; taskDefinition: TaskDefinitionSource }
  ) => Promise<ImageResult>
  /** Runs the migrate commands as one-off tasks of the new revision, in the service's network. */
  readonly runMigrations?: (
    inputs: Inputs,
    context: {
      clients: AwsClients
      plan: ServicePlan
      taskDefinitionArn: string
      containers: readonly string[]
    }
  ) => Promise<MigrateResult>
}

export interface RunDeps {
  readonly clock: Clock
  readonly env: NodeJS.ProcessEnv
  readonly clients: (region: string) => AwsClients
  readonly hooks: PhaseHooks
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export interface RunState {
  readonly timings: PhaseTiming[]
  report: Mutable<ReportData>
  /** The phase running now (what a cancellation interrupts). */
  current?: string
}

export async function phase<T>(
  state: RunState,
  clock: Clock,
  name: string,
  fn: () => Promise<T>,
  /** The outcome of a phase that reports failure in its result rather than by throwing. */
  outcomeOf: (result: T) => PhaseTiming['outcome'] = () => 'ok'
): Promise<T> {
  return core.group(name, async () => {
    const start = clock.now()
    state.current = name
    try {
      const result = await fn()
      state.timings.push({ phase: name, durationMs: clock.now() - start, outcome: outcomeOf(result) })
      return result
    } catch (error) {
      state.timings.push({ phase: name, durationMs: clock.now() - start, outcome: 'failed' })
      throw error
    }
  })
}

export function revisionFacts(arn: string, taskDefinition: object): RevisionFacts {
  const definition = taskDefinition as {
    networkMode?: unknown
    containerDefinitions?: { healthCheck?: unknown; essential?: unknown }[]
  }
  const containers = definition.containerDefinitions ?? []
  return {
    arn,
    networkMode: typeof definition.networkMode === 'string' ? definition.networkMode : 'bridge',
    // ECS derives a task's health from its essential containers only: a check on a sidecar alone
    // leaves the task's health UNKNOWN, so gating on it would wait for ever.
    containerHealthChecks: containers.some(
      c => c.essential !== false && c.healthCheck !== undefined && c.healthCheck !== null
    )
  }
}

/**
 * The rollout phase of every mode. Its result goes into the report: the revision tried and the one
 * the service runs afterwards, the evidence of both the rollout and any rollback. A rollback gets
 * its own row in the phase table, so a rolled-back deploy never reads "Rollout ok".
 */
export async function rolloutPhase(
  state: RunState,
  clock: Clock,
  attemptedArn: string,
  roll: () => Promise<RolloutResult>
): Promise<RolloutResult> {
  let result: RolloutResult
  try {
    result = await phase(state, clock, 'Rollout', roll, r => (r.status === 'succeeded' ? 'ok' : 'failed'))
  } catch (error) {
    // The deployment was started and goes on: its id is still an output.
    if (error instanceof LostTrackError) state.report.deploymentId = error.deploymentId
    throw error
  }
  const rollout = state.timings.at(-1)
  if (result.rollbackDurationMs !== undefined && rollout?.phase === 'Rollout') {
    state.timings.splice(
      -1,
      1,
      { ...rollout, durationMs: Math.max(0, rollout.durationMs - result.rollbackDurationMs) },
      {
        phase: 'Rollback',
        durationMs: result.rollbackDurationMs,
        outcome: result.status === 'rolled-back' ? 'ok' : 'failed'
      }
    )
  }
  applyRollout(state.report, attemptedArn, result)
  return result
}

function applyRollout(report: Mutable<ReportData>, attemptedArn: string, result: RolloutResult): void {
  report.status = result.status
  report.deploymentId = result.deploymentId
  report.attemptedTaskDefinitionArn = attemptedArn
  report.taskDefinitionArn = result.taskDefinitionArn
  if (result.reason) report.reason = result.reason
  const decision = result.decision
  if (decision) {
    report.evidence = decision.progress.targetGroups
    if (decision.kind === 'done') report.healthGate = decision.reason
  }
  if (decision?.kind === 'failed') report.failureEvidence = decision.failure.evidence
  if (result.rollback) {
    const rollback = result.rollback.decision
    report.rollback = {
      deploymentId: result.rollback.deploymentId,
      byEcs: result.rollback.byEcs,
      ...(result.rollback.startedBy !== undefined && { startedBy: result.rollback.startedBy }),
      healthy: rollback.kind === 'done',
      reason: rollback.reason,
      evidence: rollback.progress.targetGroups,
      ...(rollback.kind === 'failed' && { failureEvidence: rollback.failure.evidence })
    }
  }
}

export interface PlanResult {
  readonly ecs: ECSClient
  readonly plan: ServicePlan
  /** The revision the service runs now, with its tags. */
  readonly current: TaskDefinitionSource
  /** For services with the CODE_DEPLOY controller: the deployment group and AppSpec, checked. */
  readonly codedeploy?: CodeDeploySetup
}

/** Reads the service, its running revision and what its strategy needs (checked before any change). */
export async function planPhase(
  inputs: Inputs,
  state: RunState,
  deps: RunDeps,
  clients: AwsClients
): Promise<PlanResult> {
  const ecs = await clients.ecs()
  const { plan, current, health } = await phase(state, deps.clock, 'Plan', async () => {
    const plan = await readServicePlan(ecs, inputs.cluster, inputs.service)
    for (const line of describePlan(plan)) core.info(line)
    // Independent reads: the plan waits for the slower of the two, not for both in turn.
    const [current, health] = await Promise.all([
      describeRevision(ecs, plan.taskDefinitionArn),
      clients.elb().then(elb => targetHealthNow(elb, plan.targetGroupArns))
    ])
    for (const line of health) core.info(line)
    for (const name of plan.classicLoadBalancers)
      core.warning(
        `classic load balancer ${name}: ecs-ship cannot read its instance health, so it is not part of the health gate`
      )
    return { plan, current, health }
  })
  const report = state.report
  report.plan = [...describePlan(plan), ...health]
  report.strategy = plan.strategy.strategy
  report.previousTaskDefinitionArn = plan.taskDefinitionArn
  if (inputs.waitUntil === 'ready' && plan.strategy.strategy !== 'codedeploy')
    throw new ActionError(
      `input wait-until: \`ready\` stops a CodeDeploy deployment at its manual reroute; service ${plan.serviceName} deploys with the ${plan.strategy.strategy} strategy, which has no such point`
    )
  if (plan.strategy.strategy === 'ecs-native') {
    // The blue/green wiring is checked now, so a service that lacks it fails before any change.
    const setup = nativeSetup(plan.service)
    const lines = setup.loadBalancers.map(
      lb =>
        `${setup.strategy}: target groups ${lb.targetGroupArns.map(targetGroupName).join(' ⇄ ')}, production rule ${lb.productionListenerRule.split('/').pop() ?? ''}${lb.testListenerRule ? ', with a test rule' : ''}`
    )
    if (setup.bakeTimeMs !== undefined) lines.push(`bake time: ${setup.bakeTimeMs / 60_000} min`)
    for (const line of lines) core.info(line)
    report.plan = [...(report.plan ?? []), ...lines]
  }
  let codedeploy: CodeDeploySetup | undefined
  if (plan.strategy.strategy === 'codedeploy') {
    // The application, the group and the AppSpec file are read now: a typo fails before any change.
    // Loaded only for CodeDeploy services, with the CodeDeploy client it brings.
    const { describeCodeDeploySetup, loadCodeDeploySetup } = await import('./codedeploy.js')
    codedeploy = await loadCodeDeploySetup(inputs, clients, plan)
    const lines = describeCodeDeploySetup(codedeploy)
    for (const line of lines) core.info(line)
    report.plan = [...(report.plan ?? []), ...lines]
  }
  return { ecs, plan, current, ...(codedeploy !== undefined && { codedeploy }) }
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
 * Before any AWS call: a run that needs a phase this build lacks fails, and the build inputs are
 * checked against the disk, so a missing Dockerfile fails before a plan, a wait for someone
 * else's deployment, or a dry run that would otherwise say all is well.
 */
export async function checkPhaseInputs(inputs: Inputs, hooks: PhaseHooks): Promise<void> {
  if (inputs.build && !hooks.buildImage)
    throw new ActionError('input ecr-repository: the image phase is not available in this build')
  if (inputs.migrate && !hooks.runMigrations)
    throw new ActionError('input migrate-command: the migrate phase is not available in this build')
  if (inputs.build && hooks.checkImageInputs) await hooks.checkImageInputs(inputs)
}

/**
 * The image phase: with ecr-repository, the image built and pushed (by digest), or in a dry run
 * the tag the build would push; else the image input. Recorded in the report.
 */
export async function imagePhase(
  inputs: Inputs,
  state: RunState,
  deps: RunDeps,
  clients: AwsClients,
  taskDefinition: TaskDefinitionSource
): Promise<string | undefined> {
  let image = inputs.image
  if (inputs.build && inputs.dryRun) {
    // Pushing an image is a change: a dry run shows the tag it would deploy instead.
    image = `${inputs.build.ecrRepository}:${inputs.build.imageTag}`
    core.info(`dry run: no image is built; the diff shows ${image}, which the build would push`)
  } else if (inputs.build && deps.hooks.buildImage) {
    // Its result's imageUri (by digest) becomes the deployed image.
    const build = deps.hooks.buildImage
    const result = await phase(state, deps.clock, 'Image', () => build(inputs, { clients, taskDefinition }))
    state.report.imageResult = result
    image = result.imageUri
  }
  if (image !== undefined) state.report.image = image
  return image
}

/**
 * The migrate phase, when migrate-command is set: after the revision is registered, before the
 * service changes. A failed command fails the run, saying that `unchanged` was not changed.
 */
export async function migratePhase(
  inputs: Inputs,
  state: RunState,
  deps: RunDeps,
  context: Parameters<NonNullable<PhaseHooks['runMigrations']>>[1],
  unchanged: string
): Promise<void> {
  const migrate = deps.hooks.runMigrations
  if (!inputs.migrate || !migrate) return
  let result: MigrateResult
  try {
    result = await phase(
      state,
      deps.clock,
      'Migrate',
      () => migrate(inputs, context),
      r => (r.succeeded ? 'ok' : 'failed')
    )
  } catch (error) {
    // Credentials that stop the phase half-way still leave the results of what ran.
    const partial = (error as { migrateResult?: MigrateResult }).migrateResult
    if (partial) state.report.migrateResult = partial
    throw error
  }
  state.report.migrateResult = result
  if (!result.succeeded) {
    const failed = result.tasks.find(t => !t.succeeded)
    throw new ActionError(
      `migration failed${failed ? `: ${failed.command.join(' ')}: ${failed.reason ?? `exit ${failed.exitCode ?? '?'}`}` : ''}; ${unchanged} was not changed`
    )
  }
}
