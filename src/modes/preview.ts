// mode: preview. A preview is a clone of the base service for one pull request: its own
// task-definition family, target group, listener rule and service (src/preview/ plans and creates
// them). Everything is planned and checked before the first change, so a listener without room, a
// name clash or a missing base service fails with nothing created. The preview's rollout is
// followed by the same watch loop and health gate as a deploy.
import type { Inputs } from '../inputs.js'
import { phase, type Run } from '../pipeline/context.js'
import { checkPhaseInputs, imagePhase } from '../pipeline/image.js'
import { migratePhase } from '../pipeline/migrate.js'
import { previewPlanPhase, previewResourcesPhase } from '../pipeline/preview.js'
import { revisionPhase } from '../pipeline/revision.js'
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
  const image = await imagePhase(inputs, run, { clients, taskDefinition: fileSource ?? base })

  // A preview starts from the base's running revision (or the file), so it tracks the base's
  // settings; the diff is against what the preview runs now, or the base on the first push.
  const revision = await revisionPhase(inputs, run, await clients.ecs(), {
    source: fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : base.tags }
      : base,
    ...(image !== undefined && { image }),
    finish: rendered => previewRevisionInput(rendered, plan),
    against: previewCurrent
      ? { source: previewCurrent.source, described: `the preview's ${previewCurrent.arn}` }
      : { source: base, described: `the base's ${basePlan.taskDefinitionArn}` },
    ...(previewCurrent !== undefined && { running: previewCurrent.arn }),
    reuseRunningWhenForced: false,
    wording: {
      dryRun: 'dry run: the preview plan and the diff are above; nothing was changed',
      unchanged: arn => `preview ${plan.id} already runs this task definition (${arn}); nothing changed`
    }
  })
  if (revision.kind === 'stop') return

  // In the base's network (the preview's is a copy of it), before the preview changes.
  await migratePhase(inputs, run, {
    context: {
      clients,
      plan: basePlan,
      taskDefinitionArn: revision.arn,
      containers: revision.rendered.containers
    },
    unchanged: 'the preview'
  })

  const { servicePlan, strategy, started } = await previewResourcesPhase(inputs, run, {
    plan,
    clients,
    taskDefinitionArn: revision.arn
  })
  const target = revisionFacts(revision.arn, revision.input)
  const result = await rollOut(inputs, run, {
    strategy,
    plan: servicePlan,
    target,
    previous: previewCurrent
      ? revisionFacts(previewCurrent.arn, previewCurrent.source.taskDefinition)
      : target,
    forceNewDeployment: false,
    // A preview created by this run has no earlier revision to go back to.
    rollbackOnFailure: inputs.rollbackOnFailure && previewCurrent !== undefined,
    started
  })
  if (result.status === 'failed' && !previewCurrent) {
    report.reason = `preview ${plan.id} failed: ${result.decision?.reason ?? result.reason ?? 'unknown'}; the preview was created by this run, so there is no earlier revision to go back to (preview-destroy removes it)`
  }
}
