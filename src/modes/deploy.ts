// mode: deploy. The pipeline of docs/ARCHITECTURE.md: read the file, plan, image, render and diff,
// register only when something changed, migrate, roll out behind the health gate (with rollback
// on failure). A dry run stops after the diff; an unchanged definition stops there too.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { checkPhaseInputs, imagePhase } from '../pipeline/image.js'
import { migratePhase } from '../pipeline/migrate.js'
import { planPhase, waitForInFlightPhase } from '../pipeline/plan.js'
import { revisionPhase } from '../pipeline/revision.js'
import { rollOut } from '../pipeline/rollout.js'
import { revisionFacts } from '../taskdef/facts.js'
import { loadTaskDefinitionFile } from '../taskdef/load.js'
import { workspaceRoot } from '../util/input-file.js'
import { checkContainerChoice } from '../taskdef/render.js'

export async function deployMode(inputs: Inputs, run: Run): Promise<void> {
  // The file is read and checked before any AWS call.
  const path = inputs.taskDefinitionPath
  const fileSource = path
    ? await phase(run, 'Read the task definition', () =>
        loadTaskDefinitionFile(path, workspaceRoot(run.deps.env))
      )
    : undefined
  await checkPhaseInputs(inputs, run.deps.hooks)

  const clients = run.deps.clients(inputs.region)
  let planned = await planPhase(inputs, run, clients)
  checkContainerChoice(fileSource ?? planned.current, {
    containerNames: inputs.containerNames,
    setsImage: inputs.image !== undefined || inputs.build !== undefined,
    environment: inputs.environmentVariables
  })
  // Plan again after a wait, so "previous" is a revision that really finished.
  if (!inputs.dryRun && (await waitForInFlightPhase(inputs, run, planned)))
    planned = await planPhase(inputs, run, clients)
  const { ecs, plan, current, strategy } = planned

  const image = await imagePhase(inputs, run, { clients, taskDefinition: fileSource ?? current })
  const revision = await revisionPhase(inputs, run, ecs, {
    // A file without tags keeps the running revision's tags: losing them is never what was meant.
    source: fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : current.tags }
      : current,
    ...(image !== undefined && { image }),
    against: { source: current, described: plan.taskDefinitionArn },
    running: plan.taskDefinitionArn,
    reuseRunningWhenForced: true,
    wording: {
      dryRun: 'dry run: the plan and the diff are above; nothing was changed',
      unchanged: arn =>
        `the service already runs this task definition (${arn}); nothing registered or deployed`
    }
  })
  if (revision.kind === 'stop') {
    if (
      run.state.report.status === 'unchanged' &&
      inputs.desiredCount !== undefined &&
      inputs.desiredCount !== plan.desiredCount
    )
      core.warning(
        `input desired-count: ${inputs.desiredCount} was not applied, because nothing else changed and nothing was deployed (the service keeps ${plan.desiredCount}); set force-new-deployment: true to deploy with it`
      )
    return
  }

  // After register, before UpdateService; a failure stops here with the service untouched.
  await migratePhase(inputs, run, {
    context: { clients, plan, taskDefinitionArn: revision.arn, containers: revision.rendered.containers },
    unchanged: 'the service'
  })

  await rollOut(inputs, run, {
    strategy,
    plan,
    target: revisionFacts(revision.arn, revision.input),
    previous: revisionFacts(plan.taskDefinitionArn, current.taskDefinition),
    ...(inputs.desiredCount !== undefined && { desiredCount: inputs.desiredCount }),
    forceNewDeployment: inputs.forceNewDeployment,
    rollbackOnFailure: inputs.rollbackOnFailure
  })
}
