// Which platform to build for, and whether it can run on the task definition's CPU. An arm64
// image on X86_64 Fargate fails only when the task starts ("exec format error"), minutes into
// a deploy; checking before the build turns that into a one-line error.
import type { RuntimePlatform } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/

const ECS_ARCHITECTURES: Readonly<Record<string, string>> = {
  X86_64: 'linux/amd64',
  ARM64: 'linux/arm64'
}

export const DEFAULT_PLATFORM = 'linux/amd64'

/** Syntax only: `os/arch[/variant]`, such as linux/amd64 or linux/arm/v7. */
export function checkPlatformSyntax(platforms: readonly string[]): void {
  for (const platform of platforms) {
    if (!PLATFORM.test(platform)) {
      throw new ActionError(
        `input platforms: "${platform}" is not a platform (give os/arch such as linux/amd64 or linux/arm64)`
      )
    }
  }
}

/** The platform the task definition needs, or undefined when it does not say. */
export function taskPlatform(runtimePlatform: RuntimePlatform | undefined): string | undefined {
  const arch = runtimePlatform?.cpuArchitecture
  return arch === undefined ? undefined : ECS_ARCHITECTURES[arch]
}

/**
 * The platforms to build. Empty input: the task definition's (else linux/amd64). Given: at least
 * one of them must be what the task definition runs on, or the deploy could never start.
 */
export function choosePlatforms(
  requested: readonly string[],
  runtimePlatform: RuntimePlatform | undefined
): string[] {
  checkPlatformSyntax(requested)
  const needed = taskPlatform(runtimePlatform)
  if (requested.length === 0) return [needed ?? DEFAULT_PLATFORM]
  if (needed !== undefined && !requested.some(p => p === needed || p.startsWith(`${needed}/`))) {
    const arch = runtimePlatform?.cpuArchitecture ?? ''
    throw new ActionError(
      `input platforms: the task definition runs on ${arch} (${needed}), but the image would be built ` +
        `for ${requested.join(', ')}; set platforms to ${needed}, or change runtimePlatform.cpuArchitecture`
    )
  }
  return [...requested]
}
