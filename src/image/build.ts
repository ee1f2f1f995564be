// The image phase: find the repository, reuse the tag when it is already there, otherwise make
// sure there is a buildx builder that can do the build, log in, build, push, and return the digest
// that was pushed. The order matters: every check that needs no AWS call runs first, the build
// secrets and the registry token are masked before anything could print them, and the platform
// is checked before a minute of building.
import * as core from '@actions/core'
import type { ECRClient } from '@aws-sdk/client-ecr'
import type { RuntimePlatform } from '@aws-sdk/client-ecs'
import type { STSClient } from '@aws-sdk/client-sts'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionError } from '../errors.js'
import type { ImageInputs } from '../inputs.js'
import type { ImageResult } from '../phases.js'
import type { Exec } from '../process/exec.js'
import { systemClock, type Clock } from '../util/clock.js'
import {
  buildahBuildArgs,
  buildahPushArgs,
  buildahSettings,
  dockerBuildArgs,
  imageReferences,
  loginArgs,
  type BuildPlan
} from './argv.js'
import { chooseDockerBuilder, recordBuilder } from './buildx.js'
import { digestFromBuildahDigestFile, digestFromDockerMetadata, imageUriWithDigest } from './digest.js'
import { digestOfTag, registryCredentials, resolveRepository, type ResolvedRepository } from './ecr.js'
import { commandFailed } from './failure.js'
import { recordLogin } from './logout.js'
import { buildSecretMasks } from './secrets.js'
import { choosePlatforms } from './platform.js'
import { isLoopbackRegistry, parseRepositoryReference } from './repository.js'
import { validateImageInputs } from './validate.js'

export interface ImageDeps {
  readonly ecr: ECRClient
  readonly sts: STSClient
  readonly exec: Exec
  readonly region: string
  /** The task definition's runtimePlatform: what the image must run on. */
  readonly runtimePlatform?: RuntimePlatform
  readonly clock?: Clock
  /** Where build-secrets are read and what the builder runs with; process.env in the action. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** core.setSecret in the action. */
  readonly mask?: (secret: string) => void
  /** Records a login for the post step; core state in the action. */
  readonly recordLogin?: typeof recordLogin
  /** Records a buildx builder created for this run, for the post step; core state in the action. */
  readonly recordBuilder?: (name: string) => void
  /** Names a buildx builder created for this run (random in the action). */
  readonly builderName?: () => string
}

async function buildWithDocker(
  exec: Exec,
  plan: BuildPlan,
  where: {
    /** A scratch directory for the build's metadata file. */
    readonly dir: string
    readonly env: Readonly<Record<string, string | undefined>>
    /** The buildx builder to name with --builder; undefined: the current one. */
    readonly builder: string | undefined
  }
): Promise<string> {
  const { dir, env, builder } = where
  const metadataFile = join(dir, 'metadata.json')
  const result = await exec.run('docker', dockerBuildArgs(plan, metadataFile, builder), { env })
  if (result.exitCode !== 0) commandFailed('docker buildx build', result)
  return digestFromDockerMetadata(readFileSync(metadataFile, 'utf8'))
}

async function buildWithBuildah(
  exec: Exec,
  plan: BuildPlan,
  dir: string,
  env: Readonly<Record<string, string | undefined>>
): Promise<string> {
  const settings = buildahSettings(env)
  const build = await exec.run('buildah', buildahBuildArgs(plan, settings), { env })
  if (build.exitCode !== 0) commandFailed('buildah bud', build)
  const digests: string[] = []
  for (const [index, reference] of imageReferences(plan).entries()) {
    const digestFile = join(dir, `digest-${index}`)
    const push = await exec.run(
      'buildah',
      buildahPushArgs(reference, digestFile, plan.insecureRegistry, settings),
      { env }
    )
    if (push.exitCode !== 0) commandFailed(`buildah push ${reference}`, push)
    digests.push(digestFromBuildahDigestFile(readFileSync(digestFile, 'utf8')))
  }
  // Every tag is the same local image, so every push must name the same manifest.
  if (new Set(digests).size > 1) {
    throw new ActionError(`buildah pushed different digests for the tags of one image: ${digests.join(', ')}`)
  }
  return digests[0] as string
}

function buildPlan(build: ImageInputs, repository: ResolvedRepository, platforms: string[]): BuildPlan {
  return {
    repository: repository.uri,
    tags: [build.imageTag, ...build.extraTags.filter(tag => tag !== build.imageTag)],
    dockerfile: build.dockerfile,
    context: build.buildContext,
    buildArgs: build.buildArgs,
    secrets: build.buildSecrets,
    ...(build.buildTarget !== undefined && { target: build.buildTarget }),
    platforms,
    cache: build.cache,
    insecureRegistry: isLoopbackRegistry(repository.registry)
  }
}

/** What buildah makes of the cache input, said when it builds (see buildahBuildArgs). */
function warnAboutBuildahCache(cache: ImageInputs['cache']): void {
  if (cache === 'registry') {
    core.warning(
      "input cache: with builder buildah, `registry` is buildah's layer cache on this machine: no cache " +
        'image is pushed to or read from ECR, so a fresh runner builds every step again. Use builder docker ' +
        'for a cache image in ECR, or cache: none to build without a cache.'
    )
  } else if (cache === 'gha') {
    core.warning(
      'input cache: `gha` is a BuildKit cache that buildah cannot use; buildah uses its layer cache on this machine'
    )
  }
}

export async function buildAndPushImage(build: ImageInputs, deps: ImageDeps): Promise<ImageResult> {
  const env = deps.env ?? process.env
  const clock = deps.clock ?? systemClock
  const mask = deps.mask ?? core.setSecret

  validateImageInputs(build, env)
  // Before anything could print them: the builder's output streams into the job log.
  for (const value of buildSecretMasks(build.buildSecrets, env)) mask(value)
  const platforms = choosePlatforms(build.platforms, deps.runtimePlatform)

  const repository = await resolveRepository(
    deps.ecr,
    deps.sts,
    parseRepositoryReference(build.ecrRepository),
    deps.region
  )
  core.info(`repository: ${repository.uri}`)
  const result = (digest: string, imageBuilt: boolean): ImageResult => ({
    imageUri: imageUriWithDigest(repository.uri, digest),
    imageDigest: digest,
    imageTag: build.imageTag,
    imageBuilt,
    builder: build.builder,
    platforms
  })

  if (build.skipBuildIfExists) {
    const existing = await digestOfTag(deps.ecr, repository, build.imageTag)
    if (existing !== undefined) {
      core.info(
        `${repository.uri}:${build.imageTag} is already in ECR (${existing}); skip-build-if-exists is on, so nothing is built`
      )
      if (build.extraTags.length > 0) {
        core.warning(
          `input extra-tags: not applied, because the build was skipped (${build.extraTags.join(', ')})`
        )
      }
      return result(existing, false)
    }
  }

  if (build.builder === 'buildah') warnAboutBuildahCache(build.cache)
  const plan = buildPlan(build, repository, platforms)
  const dockerBuilder =
    build.builder === 'docker'
      ? await chooseDockerBuilder(plan, {
          exec: deps.exec,
          env,
          recordBuilder: deps.recordBuilder ?? recordBuilder,
          ...(deps.builderName !== undefined && { newName: deps.builderName })
        })
      : undefined

  const credentials = await registryCredentials(deps.ecr, mask, repository.registryId)
  ;(deps.recordLogin ?? recordLogin)({ builder: build.builder, registry: repository.registry })
  const login = await deps.exec.run(
    build.builder,
    loginArgs(build.builder, repository.registry, plan.insecureRegistry, credentials.username),
    { input: credentials.password, env }
  )
  if (login.exitCode !== 0) commandFailed(`${build.builder} login to ${repository.registry}`, login)

  core.info(`building ${imageReferences(plan).join(', ')} for ${platforms.join(', ')} with ${build.builder}`)
  const started = clock.now()
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'ecs-ship-image-'))
  try {
    const digest =
      build.builder === 'docker'
        ? await buildWithDocker(deps.exec, plan, { dir, env, builder: dockerBuilder })
        : await buildWithBuildah(deps.exec, plan, dir, env)
    core.info(`pushed ${repository.uri}@${digest} in ${Math.round((clock.now() - started) / 1000)}s`)
    return result(digest, true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
