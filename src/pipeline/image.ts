// The image phase as the pipeline runs it: the build inputs checked against the disk before any
// AWS call, then (with ecr-repository) the image built and pushed, and deployed by digest.
import * as core from '@actions/core'
import type { AwsClients } from '../aws/clients.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { phase, type PhaseHooks, type Run } from './context.js'

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
 * With ecr-repository, the image built and pushed (by digest), or in a dry run the tag the build
 * would push; else the image input. Recorded in the report.
 */
export async function imagePhase(
  inputs: Inputs,
  run: Run,
  context: { readonly clients: AwsClients; readonly taskDefinition: TaskDefinitionSource }
): Promise<string | undefined> {
  let image = inputs.image
  const build = run.deps.hooks.buildImage
  if (inputs.build && inputs.dryRun) {
    // Pushing an image is a change: a dry run shows the tag it would deploy instead.
    image = `${inputs.build.ecrRepository}:${inputs.build.imageTag}`
    core.info(`dry run: no image is built; the diff shows ${image}, which the build would push`)
  } else if (inputs.build && build) {
    // Its result's imageUri (by digest) becomes the deployed image.
    const result = await phase(run, 'Image', () => build(inputs, context))
    run.state.report.imageResult = result
    image = result.imageUri
  }
  if (image !== undefined) run.state.report.image = image
  return image
}
