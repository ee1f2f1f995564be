// The image phase's public face: what the orchestrator (src/main.ts) wires in. `imagePhase` has
// the shape of PhaseHooks.buildImage, and `imageLogoutCleanup` is the post step's cleanup: it
// removes the buildx builder the run created, if any, and logs out of the registries.
import type { RuntimePlatform } from '@aws-sdk/client-ecs'
import { createAwsClients, type AwsClients } from '../aws/clients.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { ImageResult } from '../phases.js'
import { createExec, type Exec } from '../process/exec.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { buildAndPushImage } from './build.js'
import { removeBuilders } from './buildx.js'
import { logoutRegistries } from './logout.js'
import { parseRepositoryReference } from './repository.js'

export { buildAndPushImage, type ImageDeps } from './build.js'
export { removeBuilders, type RemoveBuildersDeps } from './buildx.js'
export { logoutRegistries, type LogoutDeps } from './logout.js'
export { validateImageInputs } from './validate.js'

/** What the image phase is given: the clients, and the task definition whose platform it builds for. */
export interface ImageContext {
  readonly clients: AwsClients
  readonly taskDefinition: TaskDefinitionSource
}

/** The image phase as the pipeline calls it (PhaseHooks.buildImage); imagePhase is the real one. */
export type BuildImage = (inputs: Inputs, context: ImageContext) => Promise<ImageResult>

/**
 * PhaseHooks.buildImage. An ECR URI in another region is pushed to with an ECR client of that
 * region (the token of one region does not open another's registry).
 */
export async function imagePhase(
  inputs: Inputs,
  context: ImageContext,
  exec: Exec = createExec()
): Promise<ImageResult> {
  const build = inputs.build
  if (build === undefined)
    throw new ActionError('input ecr-repository: is empty, so there is nothing to build')
  const reference = parseRepositoryReference(build.ecrRepository)
  const region = reference.kind === 'uri' && reference.ecr ? reference.ecr.region : inputs.region
  const clients = region === context.clients.region ? context.clients : createAwsClients(region)
  const runtimePlatform = context.taskDefinition.taskDefinition.runtimePlatform as RuntimePlatform | undefined
  return buildAndPushImage(build, {
    ecr: await clients.ecr(),
    sts: await clients.sts(),
    exec,
    region,
    ...(runtimePlatform !== undefined && { runtimePlatform })
  })
}

/** For postCleanups in src/main.ts. Neither half throws: each failure is a warning. */
export const imageLogoutCleanup = {
  name: 'remove the buildx builder and log out of the image registry',
  run: async (): Promise<void> => {
    const exec = createExec()
    await removeBuilders({ exec })
    await logoutRegistries({ exec })
  }
}
