// The task-definition phase every mode that deploys shares: render the new revision (the image and
// the environment set on the chosen containers) and diff it against what runs now; a dry run stops
// there. Registering is its own step (registerPhase), so a mode decides what an empty diff means
// for its service (pipeline/unchanged.ts) before anything is registered.
import * as core from '@actions/core'
import type { ECSClient, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import type { Inputs } from '../inputs.js'
import { checkLoadBalancedContainers, type LoadBalancerBinding } from '../taskdef/checks.js'
import { printForeign } from '../report/foreign.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import {
  deployedImages,
  renderTaskDefinition,
  type RenderedTaskDefinition,
  type TaskDefinitionSource
} from '../taskdef/render.js'
import { registerRevision } from '../taskdef/revision.js'
import { phase, type Run } from './context.js'

export interface RevisionPlan {
  /** What the new revision starts from: the file, or a running revision. */
  readonly source: TaskDefinitionSource
  readonly image?: string
  /** Turns the rendered definition into what is registered (a preview moves it to its own family). */
  readonly finish?: (input: RegisterTaskDefinitionCommandInput) => RegisterTaskDefinitionCommandInput
  /** What the diff is against: its definition and tags, and how the log names it. */
  readonly against: { readonly source: TaskDefinitionSource; readonly described: string }
  /** The load balancers of the service the revision is for: their containers and ports must stay. */
  readonly loadBalancers?: readonly LoadBalancerBinding[]
  /** What the report says when a dry run stops here. */
  readonly dryRunReason: string
}

export interface RenderedRevision {
  readonly input: RegisterTaskDefinitionCommandInput
  readonly rendered: RenderedTaskDefinition
  /** Empty when the new revision would be the same as what runs now. */
  readonly diff: readonly string[]
}

/** Renders and diffs; undefined for a dry run, which stops here (the report says so). */
export async function renderRevisionPhase(
  inputs: Inputs,
  run: Run,
  revision: RevisionPlan
): Promise<RenderedRevision | undefined> {
  const report = run.state.report
  const rendered = await phase(run, 'Task definition', async () => {
    const rendered = renderTaskDefinition(revision.source, {
      containerNames: inputs.containerNames,
      ...(revision.image !== undefined && { image: revision.image }),
      environment: inputs.environmentVariables
    })
    if (rendered.containers.length > 0)
      printForeign(`containers that get the image/environment: ${rendered.containers.join(', ')}`)
    const input = revision.finish ? revision.finish(rendered.input) : rendered.input
    checkLoadBalancedContainers(input, revision.loadBalancers ?? [], inputs.taskDefinitionPath)
    const against = revision.against.source
    const diff = diffTaskDefinitions(against.taskDefinition, input, against.tags)
    core.info(
      diff.length === 0
        ? `no changes against ${revision.against.described}`
        : `changes against ${revision.against.described}:`
    )
    for (const line of diff) printForeign(`  ${line}`)
    return { rendered, input, diff }
  })
  report.diff = rendered.diff
  if (report.image === undefined) report.image = deployedImages(rendered.rendered).join(', ') || undefined

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = revision.dryRunReason
    core.info(report.reason)
    return undefined
  }
  return rendered
}

/**
 * Registers the new revision. It is what this run tries to deploy; the service runs it only once
 * the rollout says so (report.taskDefinitionArn is set by the rollout, not here).
 */
export async function registerPhase(
  run: Run,
  ecs: ECSClient,
  input: RegisterTaskDefinitionCommandInput
): Promise<string> {
  const arn = await phase(run, 'Register', async () => {
    const registered = await registerRevision(ecs, input)
    core.info(`registered ${registered}`)
    return registered
  })
  run.state.report.attemptedTaskDefinitionArn = arn
  return arn
}
