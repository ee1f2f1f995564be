// `rollback-to: <image tag>`: which image the tag means, and which revision to put back for it.
// The tag is checked in ECR first (DescribeImages on the repository of the running image), because
// ECR lifecycle policies expire old tags and a revision that cannot pull its image never starts.
// Then the newest ACTIVE revision of the family whose containers ran that image (by tag, or by the
// digest the tag points to now) is preferred over registering a new one: it is what really ran,
// with the settings it ran with. Only when there is none is the running revision registered again
// with the image, by digest when ECR gave one, so what starts is what was checked.
import * as core from '@actions/core'
import type { ContainerDefinition, ECSClient } from '@aws-sdk/client-ecs'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { revisionName } from '../aws/names.js'
import { ActionError, errorName } from '../errors.js'
import { digestOfTag } from '../image/ecr.js'
import { parseEcrHost } from '../image/repository.js'
import { familyAndRevision } from '../taskdef/family.js'
import type { TaskDefinitionSource } from '../taskdef/render.js'
import { activeRevisions, describeRevision, revisionStatus } from '../taskdef/revision.js'

/** How many of the family's newest ACTIVE revisions are looked at for one that ran the image. */
export const REVISIONS_SEARCHED = 50
/** DescribeTaskDefinition calls in flight at once while searching (well inside ECS's rate limits). */
const DESCRIBE_BATCH = 5

/** `registry:5000/web:v1` or `web@sha256:…` → the repository part, without tag or digest. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

export interface EcrRepository {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` as the task definition writes it. */
  readonly uri: string
  readonly registry: string
  readonly name: string
  readonly registryId: string
  readonly region: string
}

/** The ECR repository a repository URI names, or undefined when its host is not an ECR registry. */
export function ecrRepositoryOf(repository: string): EcrRepository | undefined {
  const slash = repository.indexOf('/')
  if (slash <= 0) return undefined
  const registry = repository.slice(0, slash).toLowerCase()
  const host = parseEcrHost(registry)
  if (!host) return undefined
  return {
    uri: repository,
    registry,
    name: repository.slice(slash + 1),
    registryId: host.accountId,
    region: host.region
  }
}

/**
 * True when every named container of the definition runs one of `images` (exact references,
 * such as `<repo>:v1` and `<repo>@sha256:…`).
 */
export function runsImage(
  taskDefinition: Record<string, unknown>,
  containers: readonly string[],
  images: ReadonlySet<string>
): boolean {
  const defined = (taskDefinition.containerDefinitions ?? []) as ContainerDefinition[]
  return (
    containers.length > 0 &&
    containers.every(name => {
      const image = defined.find(c => c.name === name)?.image
      return image !== undefined && images.has(image)
    })
  )
}

/** What DescribeImages said about the tag: its digest, or why it could not be asked. */
export type TagCheck =
  | { readonly kind: 'found'; readonly digest: string; readonly repository: EcrRepository }
  | { readonly kind: 'unchecked'; readonly why: string }

/**
 * Checks that `tag` exists in the ECR repository of the running image. A missing tag or
 * repository is an ActionError naming the input, thrown before anything changes. An image from
 * another registry cannot be checked (ecs-ship has no credentials for it): that is said, not hidden.
 */
export async function checkTag(
  ecrFor: (region: string) => Promise<ECRClient>,
  repository: string,
  tag: string
): Promise<TagCheck> {
  const ecr = ecrRepositoryOf(repository)
  if (!ecr)
    return {
      kind: 'unchecked',
      why: `${repository} is not an ECR repository, so ecs-ship cannot check that the tag exists`
    }
  const where = `ECR repository ${ecr.name} (registry ${ecr.registryId}, region ${ecr.region})`
  let digest: string | undefined
  try {
    digest = await digestOfTag(await ecrFor(ecr.region), ecr, tag)
  } catch (error) {
    if (errorName(error) === 'RepositoryNotFoundException')
      throw new ActionError(
        `input rollback-to: ${where}, the repository of the running image, does not exist: DescribeImages answered RepositoryNotFoundException. Nothing was changed`
      )
    throw error
  }
  if (digest === undefined)
    throw new ActionError(
      `input rollback-to: the tag "${tag}" is not in ${where}: DescribeImages answered ImageNotFoundException (an ECR lifecycle policy may have expired it). Nothing was changed`
    )
  return { kind: 'found', digest, repository: ecr }
}

export interface RevisionThatRan {
  readonly arn: string
  readonly source: TaskDefinitionSource
}

/**
 * The newest ACTIVE revision of the family whose named containers run one of `images`, among
 * the newest REVISIONS_SEARCHED. Described a few at a time, newest first, stopping at the first hit.
 */
export async function newestRevisionThatRan(
  ecs: ECSClient,
  search: {
    readonly family: string
    readonly containers: readonly string[]
    readonly images: ReadonlySet<string>
  }
): Promise<{ found?: RevisionThatRan; searched: number }> {
  const arns = await activeRevisions(ecs, search.family, REVISIONS_SEARCHED)
  for (let start = 0; start < arns.length; start += DESCRIBE_BATCH) {
    const batch = arns.slice(start, start + DESCRIBE_BATCH)
    const described = await Promise.all(
      batch.map(async arn => ({ arn, source: await describeRevision(ecs, arn) }))
    )
    const found = described.find(
      r =>
        revisionStatus(r.source) === 'ACTIVE' &&
        runsImage(r.source.taskDefinition, search.containers, search.images)
    )
    if (found) return { found, searched: start + batch.length }
  }
  return { searched: arns.length }
}

/** The outcome of the tag form: a revision that ran the image, or the image to register anew. */
export interface TagTarget {
  /** The image reference that will run: the tag, or the digest ECR gave for it. */
  readonly image: string
  readonly existing?: RevisionThatRan
  readonly why: string
}

export async function tagTarget(
  ecs: ECSClient,
  ecrFor: (region: string) => Promise<ECRClient>,
  wanted: {
    readonly tag: string
    /** The running revision's image on the first chosen container. */
    readonly runningImage: string
    readonly running: string
    readonly containers: readonly string[]
  }
): Promise<TagTarget> {
  const { tag, running, containers } = wanted
  const repository = repositoryOf(wanted.runningImage)
  const tagged = `${repository}:${tag}`
  const check = await checkTag(ecrFor, repository, tag)
  const byDigest = check.kind === 'found' ? `${repository}@${check.digest}` : undefined
  if (check.kind === 'found') core.info(`rollback-to ${tag}: ${tagged} is in ECR, digest ${check.digest}`)
  else core.warning(`rollback-to ${tag}: ${check.why}; a tag that is not there fails the rollout`)

  const family = familyAndRevision(running).family
  const images = new Set([tagged, ...(byDigest ? [byDigest] : [])])
  const { found, searched } = await newestRevisionThatRan(ecs, { family, containers, images })
  const ran = byDigest ? `${tagged} (or its digest)` : tagged
  if (found) {
    const defined = (found.source.taskDefinition.containerDefinitions ?? []) as ContainerDefinition[]
    return {
      image: defined.find(c => c.name === containers[0])?.image ?? byDigest ?? tagged,
      existing: found,
      why: `the newest ACTIVE revision of family ${family} that ran ${ran}`
    }
  }
  return {
    image: byDigest ?? tagged,
    why: `none of the ${searched} newest ACTIVE revisions of family ${family} ran tag ${tag}${byDigest ? ' or its digest' : ''}, so the running revision ${revisionName(running)} is registered again with the image${byDigest ? ' by digest' : ''}`
  }
}
