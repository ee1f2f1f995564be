// mode: deploy. The pipeline of docs/ARCHITECTURE.md: read the file, plan, image, render and diff,
// register only when something changed, migrate, roll out behind the health gate (with rollback
// on failure). A dry run stops after the diff; an unchanged definition stops there too.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { checkPhaseInputs, imagePhase } from '../pipeline/image.js'
import { checkMigrateLogs, migratePhase } from '../pipeline/migrate.js'
import { planPhase, settleInFlight } from '../pipeline/plan.js'
import { registerPhase, renderRevisionPhase } from '../pipeline/revision.js'
import { confirmUnchangedPhase } from '../pipeline/unchanged.js'
import { rollOut } from '../pipeline/rollout.js'
import { revisionFacts } from '../taskdef/facts.js'
import { checkFamilyChange } from '../taskdef/family.js'
import { loadTaskDefinitionFile } from '../taskdef/load.js'
import { workspaceRoot } from '../util/input-file.js'
import { checkContainerChoice, type TaskDefinitionSource } from '../taskdef/render.js'

/**
 * A file of another family than the running revision's is refused before any change, unless
 * allow-family-change says it is meant (then the warning to print is returned).
 */
function checkFileFamily(
  inputs: Inputs,
  file: TaskDefinitionSource | undefined,
  running: string
): string | undefined {
  if (!file || inputs.taskDefinitionPath === undefined) return undefined
  return checkFamilyChange({
    running,
    family: String(file.taskDefinition.family),
    source: `task-definition ${inputs.taskDefinitionPath}`,
    allowed: inputs.allowFamilyChange
  })
}

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
  const familyWarning = checkFileFamily(inputs, fileSource, planned.plan.taskDefinitionArn)
  if (familyWarning) core.warning(familyWarning)
  checkContainerChoice(fileSource ?? planned.current, {
    containerNames: inputs.containerNames,
    setsImage: inputs.image !== undefined || inputs.build !== undefined,
    environment: inputs.environmentVariables
  })
  // Before anything changes: a migrate log that the role may not read is said now.
  await checkMigrateLogs(inputs, run, {
    clients,
    taskDefinition: (fileSource ?? planned.current).taskDefinition
  })
  if (!inputs.dryRun) {
    const settled = await settleInFlight(inputs, run, { clients, planned })
    if (settled !== planned) checkFileFamily(inputs, fileSource, settled.plan.taskDefinitionArn)
    planned = settled
  }
  const { ecs, plan, current, strategy } = planned

  const image = await imagePhase(inputs, run, { clients, taskDefinition: fileSource ?? current })
  const revision = await renderRevisionPhase(inputs, run, {
    // A file without tags keeps the running revision's tags: losing them is never what was meant.
    source: fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : current.tags }
      : current,
    ...(image !== undefined && { image }),
    against: { source: current, described: plan.taskDefinitionArn },
    loadBalancers: plan.service.loadBalancers ?? [],
    dryRunReason: 'dry run: the plan and the diff are above; nothing was changed'
  })
  if (!revision) return

  const running = revisionFacts(plan.taskDefinitionArn, current.taskDefinition)
  if (revision.diff.length === 0 && !inputs.forceNewDeployment) {
    // The service runs this revision already: unchanged only if its deployment of it is done
    // and healthy; a failed or unfinished one is taken up again. Its migrations ran before it
    // was first deployed.
    const outcome = await confirmUnchangedPhase(inputs, run, {
      strategy,
      plan,
      running,
      runsAlready: `the service already runs this task definition (${plan.taskDefinitionArn})`
    })
    if (outcome.kind === 'unchanged') warnDesiredCountNotApplied(inputs, plan.desiredCount)
    if (outcome.kind === 'unchanged' || outcome.kind === 'not-healthy') return
    await rollOut(inputs, run, {
      strategy,
      plan,
      target: running,
      previous: revisionFacts(outcome.previous, current.taskDefinition),
      ...(inputs.desiredCount !== undefined && { desiredCount: inputs.desiredCount }),
      forceNewDeployment: outcome.kind === 'redeploy',
      rollbackOnFailure: inputs.rollbackOnFailure,
      ...(outcome.kind === 'follow' && { started: { id: outcome.deploymentId } })
    })
    return
  }

  // A changed definition is registered; force-new-deployment with nothing changed redeploys the
  // running revision as it is.
  const target =
    revision.diff.length > 0 ? await registerPhase(run, ecs, revision.input) : plan.taskDefinitionArn
  // After register, before UpdateService; a failure stops here with the service untouched.
  await migratePhase(inputs, run, {
    context: { clients, plan, taskDefinitionArn: target, containers: revision.rendered.containers },
    unchanged: 'the service'
  })

  await rollOut(inputs, run, {
    strategy,
    plan,
    target: revisionFacts(target, revision.input),
    previous: running,
    ...(inputs.desiredCount !== undefined && { desiredCount: inputs.desiredCount }),
    forceNewDeployment: inputs.forceNewDeployment,
    rollbackOnFailure: inputs.rollbackOnFailure
  })
}

/** desired-count is applied by a deployment; a run that deploys nothing says it was not applied. */
function warnDesiredCountNotApplied(inputs: Inputs, serviceCount: number): void {
  if (inputs.desiredCount !== undefined && inputs.desiredCount !== serviceCount)
    core.warning(
      `input desired-count: ${inputs.desiredCount} was not applied, because nothing else changed and nothing was deployed (the service keeps ${serviceCount}); set force-new-deployment: true to deploy with it`
    )
}
