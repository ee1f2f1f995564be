// mode: deploy. The pipeline of DESIGN.md: read the file, plan, image, render and diff,
// register only when something changed, migrate, roll out behind the health gate (with
// rollback on failure). Dry-run stops after the diff; an unchanged definition stops there too.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import { loadTaskDefinitionFile } from '../taskdef/load.js'
import { checkContainerChoice, deployedImages, renderTaskDefinition } from '../taskdef/render.js'
import { registerRevision } from '../taskdef/revision.js'
import { inFlightDeployment, waitForInFlight as waitForRollingInFlight } from './rolling.js'
import { rolloutClients, rolloutFor } from './strategies.js'
import { waitForNativeInFlight } from './ecs-native.js'
import {
  rolloutPhase,
  imagePhase,
  migratePhase,
  phase,
  checkPhaseInputs,
  planPhase,
  revisionFacts,
  type PlanResult,
  type RunDeps,
  type RunState
} from './run-context.js'
import type { AwsClients } from '../aws/clients.js'
import { backoffFromEnv } from './watch.js'

export async function deployMode(inputs: Inputs, state: RunState, deps: RunDeps): Promise<void> {
  const { clock } = deps
  const report = state.report

  // The file is read and checked before any AWS call.
  const fileSource = inputs.taskDefinitionPath
    ? await phase(state, clock, 'Read the task definition', () =>
        loadTaskDefinitionFile(inputs.taskDefinitionPath as string)
      )
    : undefined
  await checkPhaseInputs(inputs, deps.hooks)

  const clients = deps.clients(inputs.region)
  let { ecs, plan, current, codedeploy } = await planPhase(inputs, state, deps, clients)
  checkContainerChoice(fileSource ?? current, {
    containerNames: inputs.containerNames,
    setsImage: inputs.image !== undefined || inputs.build !== undefined,
    environment: inputs.environmentVariables
  })
  if (
    !inputs.dryRun &&
    (await waitForInFlight(inputs, state, deps, clients, { ecs, plan, current, codedeploy }))
  )
    // Plan again from what the service runs now, so "previous" is a revision that really finished.
    ({ ecs, plan, current, codedeploy } = await planPhase(inputs, state, deps, clients))

  const image = await imagePhase(inputs, state, deps, clients, fileSource ?? current)

  const { rendered, diff } = await phase(state, clock, 'Task definition', async () => {
    // A file without tags keeps the running revision's tags: losing them is never what was meant.
    const source = fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : current.tags }
      : current
    const rendered = renderTaskDefinition(source, {
      containerNames: inputs.containerNames,
      ...(image !== undefined && { image }),
      environment: inputs.environmentVariables
    })
    if (rendered.containers.length > 0)
      core.info(`containers that get the image/environment: ${rendered.containers.join(', ')}`)
    const diff = diffTaskDefinitions(current.taskDefinition, rendered.input, current.tags)
    core.info(
      diff.length === 0
        ? `no changes against ${plan.taskDefinitionArn}`
        : `changes against ${plan.taskDefinitionArn}:`
    )
    for (const line of diff) core.info(`  ${line}`)
    return { rendered, diff }
  })
  report.diff = diff
  if (report.image === undefined) report.image = deployedImages(rendered).join(', ') || undefined

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = 'dry run: the plan and the diff are above; nothing was changed'
    core.info(report.reason)
    return
  }
  if (diff.length === 0 && !inputs.forceNewDeployment) {
    report.status = 'unchanged'
    report.taskDefinitionArn = plan.taskDefinitionArn
    report.reason = `the service already runs this task definition (${plan.taskDefinitionArn}); nothing registered or deployed`
    core.info(report.reason)
    if (inputs.desiredCount !== undefined && inputs.desiredCount !== plan.desiredCount)
      core.warning(
        `input desired-count: ${inputs.desiredCount} was not applied, because nothing else changed and nothing was deployed (the service keeps ${plan.desiredCount}); set force-new-deployment: true to deploy with it`
      )
    return
  }

  const targetArn =
    diff.length === 0
      ? plan.taskDefinitionArn
      : await phase(state, clock, 'Register', async () => {
          const arn = await registerRevision(ecs, rendered.input)
          core.info(`registered ${arn}`)
          return arn
        })
  report.taskDefinitionArn = targetArn

  // The migrate phase: after register, before UpdateService; a failure stops here.
  await migratePhase(
    inputs,
    state,
    deps,
    { clients, plan, taskDefinitionArn: targetArn, containers: rendered.containers },
    'the service'
  )

  const elb = await clients.elb()
  const rollout = rolloutFor(plan.strategy.strategy, codedeploy)
  const extraClients = await rolloutClients(plan.strategy.strategy, clients)
  const result = await rolloutPhase(state, clock, targetArn, () =>
    rollout(
      { ecs, elb, ...extraClients, clock, backoff: backoffFromEnv(deps.env), log: line => core.info(line) },
      {
        plan,
        target: revisionFacts(targetArn, rendered.input),
        previous: revisionFacts(plan.taskDefinitionArn, current.taskDefinition),
        ...(inputs.desiredCount !== undefined && { desiredCount: inputs.desiredCount }),
        forceNewDeployment: inputs.forceNewDeployment,
        wait: inputs.waitForServiceStability,
        timeoutMs: inputs.waitForMinutes * 60_000,
        rollbackOnFailure: inputs.rollbackOnFailure
      }
    )
  )
  if (result.status === 'succeeded' && !inputs.waitForServiceStability) {
    report.healthGate = 'not checked: wait-for-service-stability is false'
  }
}

/**
 * Someone else's rollout (or ECS's or CodeDeploy's own rollback) is under way: wait for it to
 * settle, within wait-for-minutes, and say so. True when there was one to wait for.
 */
async function waitForInFlight(
  inputs: Inputs,
  state: RunState,
  deps: RunDeps,
  clients: AwsClients,
  { ecs, plan, current, codedeploy }: PlanResult
): Promise<boolean> {
  const { clock } = deps
  const elb = await clients.elb()
  const waitDeps = {
    ecs,
    elb,
    clock,
    backoff: backoffFromEnv(deps.env),
    log: (line: string) => core.info(line)
  }
  const timeoutMs = inputs.waitForMinutes * 60_000
  const phaseName = 'Wait for in-flight deployment'

  if (plan.strategy.strategy === 'codedeploy' && codedeploy) {
    const { activeDeployment, waitForCodeDeployInFlight } = await import('./codedeploy.js')
    const client = await clients.codedeploy()
    const active = await activeDeployment(client, codedeploy)
    if (!active) return false
    await phase(state, clock, phaseName, () =>
      waitForCodeDeployInFlight({ ...waitDeps, codedeploy: client }, active, timeoutMs)
    )
    return true
  }
  const inFlight = inFlightDeployment(plan.service)
  if (!inFlight) return false
  await phase(state, clock, phaseName, async () => {
    // ECS-native green tasks sit in whichever target group was free: follow ECS's own status.
    if (plan.strategy.strategy === 'ecs-native') return waitForNativeInFlight(waitDeps, plan, timeoutMs)
    await waitForRollingInFlight(
      waitDeps,
      plan,
      revisionFacts(inFlight.taskDefinition, current.taskDefinition),
      inFlight,
      timeoutMs
    )
  })
  return true
}
