// What the ecr-repository input names, worked out without calling AWS: either a bare repository
// name (resolved later with DescribeRepositories) or a full URI whose host is the registry. An
// ECR hostname also carries the account and the region, so a repository in another region or
// account is addressed exactly as the URI says.
import { ActionError } from '../errors.js'

export interface EcrHost {
  readonly accountId: string
  readonly region: string
}

export type RepositoryReference =
  | { readonly kind: 'name'; readonly name: string }
  | {
      readonly kind: 'uri'
      /** `host[:port]`, as docker and buildah expect it (no scheme). */
      readonly registry: string
      readonly name: string
      /** Present when the host is an ECR hostname. */
      readonly ecr?: EcrHost
    }

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/
// ECR's own rule for repository names: lowercase path segments separated by `/`.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/

export function parseEcrHost(host: string): EcrHost | undefined {
  const match = ECR_HOST.exec(host)
  return match ? { accountId: match[1] as string, region: match[2] as string } : undefined
}

/** Docker's rule: the first path segment is a registry when it has a `.` or `:`, or is localhost. */
function looksLikeRegistry(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost'
}

function fail(problem: string): never {
  throw new ActionError(`input ecr-repository: ${problem}`)
}

export function parseRepositoryReference(raw: string): RepositoryReference {
  const value = raw.trim().replace(/^(?:https?:\/\/)/, '')
  if (value === '') fail('is empty')
  if (value.includes('@')) fail(`"${raw.trim()}" has a digest; give the repository only`)
  const slash = value.indexOf('/')
  const first = slash < 0 ? value : value.slice(0, slash)
  const isUri = slash > 0 && looksLikeRegistry(first)
  const name = isUri ? value.slice(slash + 1) : value
  if (/:[^/]*$/.test(name)) {
    fail(`"${raw.trim()}" has a tag; give the repository only (the tag comes from image-tag)`)
  }
  if (!REPOSITORY_NAME.test(name)) {
    fail(`"${name}" is not a valid repository name (lowercase letters, digits, and . _ - / between them)`)
  }
  if (!isUri) return { kind: 'name', name }
  const registry = first.toLowerCase()
  const ecr = parseEcrHost(registry)
  return { kind: 'uri', registry, name, ...(ecr && { ecr }) }
}

/** Splits a repositoryUri as ECR returns it (`<host>/<name>`). */
export function splitRepositoryUri(uri: string): { registry: string; name: string } {
  const value = uri.replace(/^(?:https?:\/\/)/, '')
  const slash = value.indexOf('/')
  if (slash <= 0) throw new ActionError(`ECR returned a repository URI without a host: "${uri}"`)
  return { registry: value.slice(0, slash), name: value.slice(slash + 1) }
}

/**
 * A registry on this machine's loopback is spoken to over plain HTTP, as Docker itself does for
 * 127.0.0.0/8: it is how the local simulator's registry runs. Anything else must be HTTPS.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.split(':')[0]
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? '')
}
