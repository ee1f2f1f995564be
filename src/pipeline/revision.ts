// The task-definition phase every mode that deploys shares: render the new revision (the image and
// the environment set on the chosen containers), diff it against what runs now, stop there for a
// dry run or when nothing changed, else register it.
import * as core from '@actions/core'
import type { ECSClient, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import type { Inputs } from '../inputs.js'
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
  /** What the diff is against: its ARN, its definition and tags, and how the log names it. */
  readonly against: { readonly source: TaskDefinitionSource; readonly described: string }
  /** The revision the service runs now, when it runs one; an unchanged definition stops there. */
  readonly running?: string
  /** Force with nothing changed deploys the running revision again instead of registering a copy. */
  readonly reuseRunningWhenForced: boolean
  readonly wording: {
    readonly dryRun: string
    readonly unchanged: (arn: string) => string
  }
}

export type RevisionOutcome =
  /** A dry run, or nothing changed: the report says which and why; nothing more happens. */
  | { readonly kind: 'stop' }
  | {
      readonly kind: 'deploy'
      readonly arn: string
      readonly input: RegisterTaskDefinitionCommandInput
      readonly rendered: RenderedTaskDefinition
    }

export async function revisionPhase(
  inputs: Inputs,
  run: Run,
  ecs: ECSClient,
  revision: RevisionPlan
): Promise<RevisionOutcome> {
  const report = run.state.report
  const { rendered, input, diff } = await phase(run, 'Task definition', async () => {
    const rendered = renderTaskDefinition(revision.source, {
      containerNames: inputs.containerNames,
      ...(revision.image !== undefined && { image: revision.image }),
      environment: inputs.environmentVariables
    })
    if (rendered.containers.length > 0)
      printForeign(`containers that get the image/environment: ${rendered.containers.join(', ')}`)
    const input = revision.finish ? revision.finish(rendered.input) : rendered.input
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
  report.diff = diff
  if (report.image === undefined) report.image = deployedImages(rendered).join(', ') || undefined

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = revision.wording.dryRun
    core.info(report.reason)
    return { kind: 'stop' }
  }
  const running = revision.running
  if (running !== undefined && diff.length === 0 && !inputs.forceNewDeployment) {
    report.status = 'unchanged'
    report.taskDefinitionArn = running
    report.reason = revision.wording.unchanged(running)
    core.info(report.reason)
    return { kind: 'stop' }
  }
  const arn =
    running !== undefined && diff.length === 0 && revision.reuseRunningWhenForced
      ? running
      : await phase(run, 'Register', async () => {
          const registered = await registerRevision(ecs, input)
          core.info(`registered ${registered}`)
          return registered
        })
  report.taskDefinitionArn = arn
  return { kind: 'deploy', arn, input, rendered }
}
