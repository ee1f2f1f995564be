// The phases only a preview has: its plan (the base service, the preview's own target group,
// listener rule and service as they are, every clash checked before anything is created), the
// creation or update of those resources, and their removal.
import type { AwsClients } from '../aws/clients.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { printForeign } from '../report/foreign.js'
import {
  applyPreview,
  checkPreviewId,
  describePreviewPlan,
  destroyPreview,
  loadPreviewInput,
  planPreview,
  type DestroyResult,
  type PreviewPlan
} from '../preview/index.js'
import type { StartedDeployment, Strategy } from '../rollout/contract.js'
import { newDeploymentId } from '../service/deployment.js'
import { planFromService, readServicePlan, type ServicePlan } from '../service/plan.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { describeRevision } from '../taskdef/revision.js'
import { phase, type Run } from './context.js'
import { strategyFor } from './plan.js'

export interface PreviewPlanResult {
  readonly plan: PreviewPlan
  /** The base service: its network is the preview's, and its revision the preview starts from. */
  readonly basePlan: ServicePlan
  readonly base: TaskDefinitionSource
  /** What the preview runs now, on a later push; undefined on the first. */
  readonly previewCurrent?: {
    readonly arn: string
    readonly source: TaskDefinitionSource
    /** The preview service as it is. */
    readonly plan: ServicePlan
  }
}

/**
 * The preview service is always a rolling ECS service (preview/plan.ts creates it so), whatever
 * the base's controller; wait-until means nothing for it.
 */
export function previewStrategy(
  inputs: Inputs,
  run: Run,
  preview: { readonly plan: ServicePlan; readonly clients: AwsClients }
) {
  return strategyFor({ ...inputs, waitUntil: 'succeeded' }, run, preview)
}

export async function previewPlanPhase(
  inputs: Inputs,
  run: Run,
  clients: AwsClients
): Promise<PreviewPlanResult> {
  const ecs = await clients.ecs()
  const elb = await clients.elb()
  const planned = await phase(run, 'Plan', async () => {
    const input = await loadPreviewInput(inputs, { ecs, elb })
    const plan = planPreview(input)
    for (const line of describePreviewPlan(plan)) printForeign(line)
    // loadPreviewInput has checked that the base exists and is ACTIVE.
    const basePlan = planFromService(inputs.cluster, input.baseService!)
    const base = await describeRevision(ecs, basePlan.taskDefinitionArn)
    const existing = plan.serviceExists ? input.existingService : undefined
    const runningArn = existing?.taskDefinition
    const previewCurrent =
      existing && runningArn
        ? {
            arn: runningArn,
            source: await describeRevision(ecs, runningArn),
            plan: planFromService(inputs.cluster, existing)
          }
        : undefined
    return { plan, basePlan, base, ...(previewCurrent !== undefined && { previewCurrent }) }
  })
  const report = run.state.report
  report.service = planned.plan.serviceName
  report.plan = describePreviewPlan(planned.plan)
  report.strategy = 'ROLLING'
  report.previewUrl = planned.plan.url
  if (planned.previewCurrent) report.previousTaskDefinitionArn = planned.previewCurrent.arn
  return planned
}

/**
 * Creates or updates the preview's target group, listener rule and service. CreateService or
 * UpdateService starts the preview's deployment: the result is that deployment, to follow.
 */
export async function previewResourcesPhase(
  inputs: Inputs,
  run: Run,
  preview: { readonly plan: PreviewPlan; readonly clients: AwsClients; readonly taskDefinitionArn: string }
): Promise<{ servicePlan: ServicePlan; strategy: Strategy; started: StartedDeployment }> {
  const { plan, clients, taskDefinitionArn } = preview
  const ecs = await clients.ecs()
  const elb = await clients.elb()
  return phase(run, 'Preview resources', async () => {
    const applied = await applyPreview(plan, { ecs, elb }, taskDefinitionArn)
    const servicePlan = await readServicePlan(ecs, inputs.cluster, applied.serviceName)
    const { strategy } = await previewStrategy(inputs, run, { plan: servicePlan, clients })
    const id = applied.deploymentId ?? newDeploymentId(servicePlan.service, taskDefinitionArn)
    return { servicePlan, strategy, started: { id } }
  })
}

/** The preview preview-destroy removes, from the inputs; checked before any AWS call, as preview checks them. */
export function previewToDestroy(inputs: Inputs): { readonly id: string; readonly listenerArn: string } {
  const id = checkPreviewId(inputs.preview.id)
  const listenerArn = inputs.preview.listenerArn ?? ''
  if (listenerArn === '') throw new ActionError('input listener-arn: is required in preview-destroy mode')
  return { id, listenerArn }
}

/** Deletes exactly what the preview created (found by its tags), and nothing else. */
export async function destroyPreviewPhase(
  inputs: Inputs,
  run: Run,
  preview: { readonly id: string; readonly listenerArn: string }
): Promise<DestroyResult> {
  const clients = run.deps.clients(inputs.region)
  const ecs = await clients.ecs()
  const elb = await clients.elb()
  return phase(run, 'Destroy preview', () =>
    destroyPreview(preview.id, {
      ecs,
      elb,
      clock: run.deps.clock,
      env: run.deps.env,
      base: { cluster: inputs.cluster, service: inputs.service, listenerArn: preview.listenerArn }
    })
  )
}
