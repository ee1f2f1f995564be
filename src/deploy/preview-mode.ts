// mode: preview and preview-destroy. A preview is a clone of the base service for one pull
// request: its own task-definition family, target group, listener rule and service (src/preview/
// plans and creates them). Everything is planned and checked before the first change, so a
// listener without room, a name clash or a missing base service fails with nothing created. The
// preview's rollout is followed by the same watch loop and health gate as a deploy.
import * as core from '@actions/core'
import type { RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { planFromService, readServicePlan } from '../plan/service.js'
import {
  applyPreview,
  describePreviewPlan,
  destroyPreview,
  loadPreviewInput,
  planPreview,
  previewFamily,
  previewSettings,
  type PreviewPlan
} from '../preview/index.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import { loadTaskDefinitionFile } from '../taskdef/load.js'
import { renderTaskDefinition, type TaskDefinitionSource } from '../taskdef/render.js'
import { describeRevision, registerRevision } from '../taskdef/revision.js'
import { newDeploymentId, settleRollout } from './rolling.js'
import {
  rolloutPhase,
  imagePhase,
  migratePhase,
  phase,
  checkPhaseInputs,
  revisionFacts,
  type RunDeps,
  type RunState
} from './run-context.js'
import { backoffFromEnv } from './watch.js'

/** ECS's limit for a task-definition family name. */
const FAMILY_MAX = 255

/**
 * The definition the preview registers: the rendered one, moved to the preview's own family and
 * tagged as the preview's, so its revisions are found (and never confused with the base's).
 */
export function previewRevisionInput(
  rendered: RegisterTaskDefinitionCommandInput,
  plan: Pick<PreviewPlan, 'id' | 'tags'>
): RegisterTaskDefinitionCommandInput {
  const family = previewFamily(rendered.family ?? '', plan.id)
  if (rendered.family === undefined || rendered.family === '')
    throw new ActionError('the task definition has no family')
  if (family.length > FAMILY_MAX)
    throw new ActionError(
      `input preview-id: the preview's task-definition family ${family} would be longer than ECS's ${FAMILY_MAX} characters`
    )
  const ourKeys = new Set(Object.keys(plan.tags))
  const tags: Tag[] = [
    ...(rendered.tags ?? []).filter(tag => !ourKeys.has(tag.key ?? '')),
    ...Object.entries(plan.tags).map(([key, value]) => ({ key, value }))
  ]
  return { ...rendered, family, tags }
}

export async function previewMode(inputs: Inputs, state: RunState, deps: RunDeps): Promise<void> {
  const { clock } = deps
  const report = state.report
  // Inputs first: no listener, no id or no route fails before the first AWS call.
  previewSettings(inputs.preview)
  const fileSource = inputs.taskDefinitionPath
    ? await phase(state, clock, 'Read the task definition', () =>
        loadTaskDefinitionFile(inputs.taskDefinitionPath as string)
      )
    : undefined
  await checkPhaseInputs(inputs, deps.hooks)

  const clients = deps.clients(inputs.region)
  const ecs = await clients.ecs()
  const elb = await clients.elb()

  const { plan, basePlan, base, previewCurrent } = await phase(state, clock, 'Plan', async () => {
    const input = await loadPreviewInput(inputs, { ecs, elb })
    const plan = planPreview(input)
    for (const line of describePreviewPlan(plan)) core.info(line)
    // loadPreviewInput has checked that the base exists and is ACTIVE.
    const basePlan = planFromService(inputs.cluster, input.baseService!)
    const base = await describeRevision(ecs, basePlan.taskDefinitionArn)
    const runningArn = plan.serviceExists ? input.existingService?.taskDefinition : undefined
    const previewCurrent = runningArn
      ? { arn: runningArn, source: await describeRevision(ecs, runningArn) }
      : undefined
    return { plan, basePlan, base, previewCurrent }
  })
  report.service = plan.serviceName
  report.plan = describePreviewPlan(plan)
  report.strategy = 'ROLLING'
  report.previewUrl = plan.url
  if (previewCurrent) report.previousTaskDefinitionArn = previewCurrent.arn

  const image = await imagePhase(inputs, state, deps, clients, fileSource ?? base)

  // A preview starts from the base's running revision (or the file), so it tracks the base's
  // settings; the diff is against what the preview runs now, or the base on the first push.
  const { input, rendered, diff } = await phase(state, clock, 'Task definition', async () => {
    const source: TaskDefinitionSource = fileSource
      ? { ...fileSource, tags: fileSource.tags.length > 0 ? fileSource.tags : base.tags }
      : base
    const rendered = renderTaskDefinition(source, {
      containerNames: inputs.containerNames,
      ...(image !== undefined && { image }),
      environment: inputs.environmentVariables
    })
    const input = previewRevisionInput(rendered.input, plan)
    const before = previewCurrent?.source ?? base
    const diff = diffTaskDefinitions(before.taskDefinition, input, before.tags)
    core.info(
      previewCurrent
        ? `changes against the preview's ${previewCurrent.arn}:`
        : `changes against the base's ${basePlan.taskDefinitionArn}:`
    )
    for (const line of diff) core.info(`  ${line}`)
    return { input, rendered, diff }
  })
  report.diff = diff

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = 'dry run: the preview plan and the diff are above; nothing was changed'
    core.info(report.reason)
    return
  }
  if (previewCurrent && diff.length === 0 && !inputs.forceNewDeployment) {
    report.status = 'unchanged'
    report.taskDefinitionArn = previewCurrent.arn
    report.reason = `preview ${plan.id} already runs this task definition (${previewCurrent.arn}); nothing changed`
    core.info(report.reason)
    return
  }

  const targetArn = await phase(state, clock, 'Register', async () => {
    const arn = await registerRevision(ecs, input)
    core.info(`registered ${arn}`)
    return arn
  })
  report.taskDefinitionArn = targetArn

  // In the base's network (the preview's is a copy of it), before the preview changes.
  await migratePhase(
    inputs,
    state,
    deps,
    { clients, plan: basePlan, taskDefinitionArn: targetArn, containers: rendered.containers },
    'the preview'
  )

  const applied = await phase(state, clock, 'Preview resources', () =>
    applyPreview(plan, { ecs, elb }, targetArn)
  )

  const result = await rolloutPhase(state, clock, targetArn, async () => {
    const servicePlan = await readServicePlan(ecs, inputs.cluster, applied.serviceName)
    const deploymentId = applied.deploymentId ?? newDeploymentId(servicePlan.service, targetArn)
    const previous = previewCurrent
      ? revisionFacts(previewCurrent.arn, previewCurrent.source.taskDefinition)
      : revisionFacts(targetArn, input)
    return settleRollout(
      { ecs, elb, clock, backoff: backoffFromEnv(deps.env), log: line => core.info(line) },
      {
        plan: servicePlan,
        target: revisionFacts(targetArn, input),
        previous,
        forceNewDeployment: false,
        wait: inputs.waitForServiceStability,
        timeoutMs: inputs.waitForMinutes * 60_000,
        // A preview created by this run has no earlier revision to go back to.
        rollbackOnFailure: inputs.rollbackOnFailure && previewCurrent !== undefined
      },
      deploymentId
    )
  })
  if (result.status === 'failed' && !previewCurrent) {
    report.reason = `preview ${plan.id} failed: ${result.decision?.reason ?? result.reason ?? 'unknown'}; the preview was created by this run, so there is no earlier revision to go back to (preview-destroy removes it)`
  }
  if (result.status === 'succeeded' && !inputs.waitForServiceStability)
    report.healthGate = 'not checked: wait-for-service-stability is false'
}

export async function previewDestroyMode(inputs: Inputs, state: RunState, deps: RunDeps): Promise<void> {
  const report = state.report
  const id = inputs.preview.id?.trim() ?? ''
  if (id === '')
    throw new ActionError(
      'input preview-id: is empty and there is no pull request number to default to; set preview-id'
    )
  const listenerArn = inputs.preview.listenerArn ?? ''
  if (listenerArn === '') throw new ActionError('input listener-arn: is required in preview-destroy mode')
  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = `dry run: would delete preview ${id} of ${inputs.service} (its listener rule, service and target group); nothing was changed`
    core.info(report.reason)
    return
  }
  const clients = deps.clients(inputs.region)
  const ecs = await clients.ecs()
  const elb = await clients.elb()
  const destroyed = await phase(state, deps.clock, 'Destroy preview', () =>
    destroyPreview(id, {
      ecs,
      elb,
      clock: deps.clock,
      env: deps.env,
      base: { cluster: inputs.cluster, service: inputs.service, listenerArn }
    })
  )
  const removed = [
    ...destroyed.rules.map(() => 'listener rule'),
    ...(destroyed.service ? [`service ${destroyed.service}`] : []),
    ...destroyed.targetGroups.map(() => 'target group')
  ]
  report.status = 'succeeded'
  report.reason =
    removed.length === 0
      ? `preview ${id} of ${inputs.service}: nothing to delete (already destroyed)`
      : `preview ${id} of ${inputs.service} destroyed: ${removed.join(', ')}`
  core.info(report.reason)
}
