// The command lines of both builders, as pure functions from a plan to argv. Nothing here reads
// the environment or the disk, so every flag is covered by the tables in
// __tests__/image/argv.test.ts. Secrets only ever appear as ids and environment variable names:
// their values reach the builder through its environment.
import type { Builder, CacheMode } from '../inputs.js'

export interface BuildPlan {
  /** `<registry>/<repository>` without a tag. */
  readonly repository: string
  /** image-tag first, then the extra tags. */
  readonly tags: readonly string[]
  readonly dockerfile: string
  readonly context: string
  readonly buildArgs: ReadonlyMap<string, string>
  /** Secret id → environment variable name. */
  readonly secrets: ReadonlyMap<string, string>
  readonly target?: string
  readonly platforms: readonly string[]
  readonly cache: CacheMode
  /** The registry speaks plain HTTP (a loopback registry in tests and the demo). */
  readonly insecureRegistry: boolean
}

/** How buildah is run; each undefined field is left to buildah (its environment or its config). */
export interface BuildahSettings {
  readonly storageDriver?: string
  readonly isolation?: string
}

export const CACHE_TAG = 'buildcache'

export function imageReferences(plan: BuildPlan): string[] {
  return plan.tags.map(tag => `${plan.repository}:${tag}`)
}

function pairs(flag: string, values: Iterable<string>): string[] {
  return [...values].flatMap(value => [flag, value])
}

function commonBuildFlags(plan: BuildPlan): string[] {
  return [
    ...pairs(
      '--build-arg',
      [...plan.buildArgs].map(([name, value]) => `${name}=${value}`)
    ),
    ...pairs(
      '--secret',
      [...plan.secrets].map(([id, env]) => `id=${id},env=${env}`)
    ),
    ...(plan.target !== undefined ? ['--target', plan.target] : []),
    ...(plan.platforms.length > 0 ? ['--platform', plan.platforms.join(',')] : [])
  ]
}

export function dockerCacheFlags(repository: string, cache: CacheMode): string[] {
  switch (cache) {
    case 'registry': {
      // image-manifest + oci-mediatypes: the form of cache manifest that ECR accepts.
      const ref = `type=registry,ref=${repository}:${CACHE_TAG}`
      return ['--cache-from', ref, '--cache-to', `${ref},mode=max,image-manifest=true,oci-mediatypes=true`]
    }
    case 'gha':
      return ['--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max']
    case 'none':
      return []
  }
}

/**
 * `docker buildx build --push …`; the pushed digest is read from `metadataFile`. `builder` names
 * the buildx builder to use; without it, buildx uses the current one.
 */
export function dockerBuildArgs(plan: BuildPlan, metadataFile: string, builder?: string): string[] {
  return [
    'buildx',
    'build',
    ...(builder !== undefined ? ['--builder', builder] : []),
    '--push',
    '--file',
    plan.dockerfile,
    ...pairs('--tag', imageReferences(plan)),
    ...commonBuildFlags(plan),
    ...dockerCacheFlags(plan.repository, plan.cache),
    '--metadata-file',
    metadataFile,
    plan.context
  ]
}

/** Prints the current builder (BUILDX_BUILDER or `docker buildx use` decide which): its driver. */
export function builderInspectArgs(): string[] {
  return ['buildx', 'inspect']
}

/**
 * A BuildKit container for this run only. It is not made the current builder (no --use), so the
 * job's later steps keep theirs; every build names it with --builder. network=host lets it reach
 * what the docker daemon itself reaches, a registry on the runner's loopback included.
 */
export function builderCreateArgs(name: string): string[] {
  return ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host']
}

/** Removes the builder and its BuildKit container (and the cache that lived in it). */
export function builderRemoveArgs(name: string): string[] {
  return ['buildx', 'rm', name]
}

function buildahGlobalFlags(settings: BuildahSettings): string[] {
  return settings.storageDriver !== undefined ? ['--storage-driver', settings.storageDriver] : []
}

/**
 * Defaults that work on any Linux runner, root or not, without fuse-overlayfs or user namespaces:
 * the vfs storage driver and chroot isolation. A runner that chose otherwise keeps its choice:
 * buildah itself reads STORAGE_DRIVER and CONTAINERS_STORAGE_CONF (storage) and BUILDAH_ISOLATION,
 * so when one is set we pass nothing and let buildah read it.
 */
export function buildahSettings(env: Readonly<Record<string, string | undefined>>): BuildahSettings {
  const set = (name: string) => (env[name] ?? '') !== ''
  return {
    ...(!set('STORAGE_DRIVER') && !set('CONTAINERS_STORAGE_CONF') && { storageDriver: 'vfs' }),
    ...(!set('BUILDAH_ISOLATION') && { isolation: 'chroot' })
  }
}

/**
 * `buildah bud`: builds into local storage. The cache is buildah's layer cache in this machine's
 * storage (--layers), for `registry` and `gha` alike, and the build phase says so in a warning.
 * `gha` is a BuildKit backend that buildah cannot use. buildah does have a remote cache
 * (--cache-from/--cache-to), but it pushes every cached step as a tag of a repository: in the
 * app's own ECR repository that would bury its tags, and a separate cache repository would have
 * to exist first.
 */
export function buildahBuildArgs(plan: BuildPlan, settings: BuildahSettings): string[] {
  return [
    ...buildahGlobalFlags(settings),
    'bud',
    ...(settings.isolation !== undefined ? ['--isolation', settings.isolation] : []),
    ...(plan.cache !== 'none' ? ['--layers'] : []),
    '--file',
    plan.dockerfile,
    ...pairs('--tag', imageReferences(plan)),
    ...commonBuildFlags(plan),
    ...(plan.insecureRegistry ? ['--tls-verify=false'] : []),
    plan.context
  ]
}

/** `buildah push` of one reference; buildah writes the manifest digest to `digestFile`. */
export function buildahPushArgs(
  reference: string,
  digestFile: string,
  insecureRegistry: boolean,
  settings: BuildahSettings
): string[] {
  return [
    ...buildahGlobalFlags(settings),
    'push',
    ...(insecureRegistry ? ['--tls-verify=false'] : []),
    '--digestfile',
    digestFile,
    reference
  ]
}

/** Login reads the password from stdin: never on the command line, where `ps` would show it. */
export function loginArgs(
  builder: Builder,
  registry: string,
  insecureRegistry: boolean,
  username = 'AWS'
): string[] {
  return [
    'login',
    '--username',
    username,
    '--password-stdin',
    ...(builder === 'buildah' && insecureRegistry ? ['--tls-verify=false'] : []),
    registry
  ]
}

export function logoutArgs(registry: string): string[] {
  return ['logout', registry]
}
