// Checks of the build inputs that need no AWS call: the files exist, the secrets are in the
// environment, the platforms are well formed. They run first, so a typo fails in a second
// instead of after a login and half a build.
import { statSync } from 'node:fs'
import { ActionError } from '../errors.js'
import type { ImageInputs } from '../inputs.js'
import { checkPlatformSyntax } from './platform.js'
import { parseRepositoryReference } from './repository.js'

function kind(path: string): 'file' | 'directory' | 'other' | 'missing' {
  try {
    const stat = statSync(path)
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'
  } catch {
    return 'missing'
  }
}

export function validateImageInputs(
  build: ImageInputs,
  env: Readonly<Record<string, string | undefined>> = process.env
): void {
  parseRepositoryReference(build.ecrRepository)

  const context = kind(build.buildContext)
  if (context === 'missing') {
    throw new ActionError(`input build-context: "${build.buildContext}" does not exist`)
  }
  if (context !== 'directory') {
    throw new ActionError(`input build-context: "${build.buildContext}" is not a directory`)
  }
  const dockerfile = kind(build.dockerfile)
  if (dockerfile !== 'file') {
    throw new ActionError(
      `input dockerfile: "${build.dockerfile}" ${dockerfile === 'missing' ? 'does not exist' : 'is not a file'}` +
        ' (an empty dockerfile input means Dockerfile in build-context)'
    )
  }

  for (const [id, name] of build.buildSecrets) {
    if (env[name] === undefined) {
      throw new ActionError(
        `input build-secrets: secret "${id}" reads the environment variable ${name}, which is not set; add it to the step's env`
      )
    }
  }

  checkPlatformSyntax(build.platforms)
  if (build.builder === 'buildah' && build.platforms.length > 1) {
    throw new ActionError(
      `input platforms: builder buildah builds one platform per run, got ${build.platforms.join(', ')}; use builder docker for a multi-platform image`
    )
  }
}
