// mode: preview. A preview is a clone of the base service for one pull request: its own
// task-definition family, target group, listener rule and service (src/preview/ plans and creates
// them). Everything is planned and checked before the first change, so a listener without room, a
// name clash or a missing base service fails with nothing created. The preview's rollout is
// followed by the same watch loop and health gate as a deploy.
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { checkPhaseInputs, imagePhase } from '../pipeline/image.js'
import { checkMigrateLogs, migratePhase } from '../pipeline/migrate.js'
import { previewPlanPhase, previewResourcesPhase, previewStrategy } from '../pipeline/preview.js'
import { registerPhase, renderRevisionPhase } from '../pipeline/revision.js'
import { confirmUnchangedPhase } from '../pipeline/unchanged.js'
import { rollOut } from '../pipeline/rollout.js'
import { previewRevisionInput, previewSettings } from '../preview/index.js'
import { revisionFacts } from '../taskdef/facts.js'
import { loadTaskDefinitionFile } from '../taskdef/load.js'
import { workspaceRoot } from '../util/input-file.js'

export async function previewMode(inputs: Inputs, run: Run): Promise<void> {
  const report = run.state.report
  // Inputs first: no listener, no id or no route fails before the first AWS call.
  previewSettings(inputs.preview)
  const path = inputs.taskDefinitionPath
  const fileSource = path
    ? await phase(run, 'Read the task definition', () =>
        loadTaskDefinitionFile(path, workspaceRoot(run.deps.env))
      )
    : undefined
  await checkPhaseInputs(inputs, run.deps.hooks)

  const clients = run.deps.clients(inputs.region)
  const { plan, basePlan, base, previewCurrent } = await previewPlanPhase(inputs, run, clients)
  await checkMigrateLogs(inputs, run, { clients, taskDefinition: (fileSource ?? base).taskDefinition })
  const image = await imagePhase(inputs, run, { clients, taskDefinition: fileSource ?? base })

  // A preview starts from the base's running revision (or the file), so it tracks the base's
  // settings; the diff is against what the preview runs now, or the base on the first push.
  const revision = await renderRevisionPhase(inputs, run, {
    source: fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : base.tags }
      : base,
    ...(image !== undefined && { image }),
    finish: rendered => previewRevisionInput(rendered, plan),
    against: previewCurrent
      ? { source: previewCurrent.source, described: `the preview's ${previewCurrent.arn}` }
      : { source: base, described: `the base's ${basePlan.taskDefinitionArn}` },
    // The preview service's load balancer binds the base's container and port.
    loadBalancers: [{ containerName: plan.container.name, containerPort: plan.container.port }],
    dryRunReason: 'dry run: the preview plan and the diff are above; nothing was changed'
  })
  if (!revision) return
  // What a failed rollout goes back to: what the preview runs now (none on the first push).
  let previous = previewCurrent
    ? revisionFacts(previewCurrent.arn, previewCurrent.source.taskDefinition)
    : undefined
  if (previewCurrent && revision.diff.length === 0 && !inputs.forceNewDeployment) {
    const { strategy } = await previewStrategy(inputs, run, { plan: previewCurrent.plan, clients })
    const outcome = await confirmUnchangedPhase(inputs, run, {
      strategy,
      plan: previewCurrent.plan,
      running: revisionFacts(previewCurrent.arn, previewCurrent.source.taskDefinition),
      runsAlready: `preview ${plan.id} already runs this task definition (${previewCurrent.arn})`
    })
    if (outcome.kind === 'unchanged' || outcome.kind === 'not-healthy') return
    previous = revisionFacts(outcome.previous, previewCurrent.source.taskDefinition)
    if (outcome.kind === 'follow') {
      // Still rolling out (a cancelled run's): follow it to a verdict as it is.
      await rollOut(inputs, run, {
        strategy,
        plan: previewCurrent.plan,
        target: revisionFacts(previewCurrent.arn, previewCurrent.source.taskDefinition),
        previous,
        forceNewDeployment: false,
        rollbackOnFailure: inputs.rollbackOnFailure && outcome.previous !== previewCurrent.arn,
        started: { id: outcome.deploymentId }
      })
      return
    }
    // A failed deployment of it is deployed again below: a fresh revision of the same definition.
  }
  const target = await registerPhase(run, await clients.ecs(), revision.input)

  // In the base's network (the preview's is a copy of it), before the preview changes.
  await migratePhase(inputs, run, {
    context: { clients, plan: basePlan, taskDefinitionArn: target, containers: revision.rendered.containers },
    unchanged: 'the preview'
  })

  const { servicePlan, strategy, started } = await previewResourcesPhase(inputs, run, {
    plan,
    clients,
    taskDefinitionArn: target
  })
  const targetFacts = revisionFacts(target, revision.input)
  const result = await rollOut(inputs, run, {
    strategy,
    plan: servicePlan,
    target: targetFacts,
    previous: previous ?? targetFacts,
    forceNewDeployment: false,
    // A preview created by this run has no earlier revision to go back to.
    rollbackOnFailure: inputs.rollbackOnFailure && previewCurrent !== undefined,
    started
  })
  const failure = result.decision?.kind === 'failed' ? result.decision.failure : undefined
  const overtakenBy = failure?.cause === 'replaced' ? failure.replacedBy?.taskDefinition : undefined
  // Not ours and not the one before (which a circuit breaker's rollback would deploy).
  const overtaken = overtakenBy !== undefined && overtakenBy !== target && overtakenBy !== previous?.arn
  if (result.status === 'failed' && overtaken) {
    // Another run of this preview (a push right after this one) deployed over it: nothing is
    // broken, and that run's verdict is the preview's. Removing the preview would be wrong advice.
    report.reason = `preview ${plan.id}: ${result.decision?.reason ?? 'this run was replaced'}; another run of this preview deployed over this one, and its verdict is the preview's (give the preview runs of one pull request one concurrency group, see the README)`
  } else if (result.status === 'failed' && !previewCurrent) {
    report.reason = `preview ${plan.id} failed: ${result.decision?.reason ?? result.reason ?? 'unknown'}; the preview was created by this run, so there is no earlier revision to go back to (preview-destroy removes it)`
  }
}
