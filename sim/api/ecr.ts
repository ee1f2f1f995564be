// Amazon ECR operations. With a real OCI registry behind it (Debian's docker-registry on
// 127.0.0.1), repository URIs point at that registry, so `buildah push` really pushes there, and
// image questions are answered from the registry's own v2 API. Without one, images live in memory,
// each with a real manifest whose sha256 is its digest.
import { createHash } from 'node:crypto'
import type * as R from '@aws-sdk/client-ecr'
import type { Handlers } from './handlers.js'
import type { SimImage, SimRepository, SimState } from '../world/model.js'
import { AwsError } from '../world/aws-error.js'

/** The ECR operations the simulator answers, with the SDK's shapes. */
export type EcrOperations = {
  DescribeRepositories: [R.DescribeRepositoriesRequest, R.DescribeRepositoriesResponse]
  CreateRepository: [R.CreateRepositoryRequest, R.CreateRepositoryResponse]
  GetAuthorizationToken: [R.GetAuthorizationTokenRequest, R.GetAuthorizationTokenResponse]
  DescribeImages: [R.DescribeImagesRequest, R.DescribeImagesResponse]
  BatchGetImage: [R.BatchGetImageRequest, R.BatchGetImageResponse]
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const MANIFEST_TYPES = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ')

/** The password GetAuthorizationToken hands out (docker-registry here runs without auth). */
export const ECR_PASSWORD = 'sim-ecr-password-not-a-secret-of-anyone'

const sha256 = (text: string) => 'sha256:' + createHash('sha256').update(text).digest('hex')

function registryHost(state: SimState): string {
  if (state.registryFront) return state.registryFront
  return state.registryUrl
    ? new URL(state.registryUrl).host
    : `${state.accountId}.dkr.ecr.${state.region}.amazonaws.com`
}

export function createRepository(state: SimState, name: string, now: number): SimRepository {
  const repo: SimRepository = {
    name,
    uri: `${registryHost(state)}/${name}`,
    arn: `arn:aws:ecr:${state.region}:${state.accountId}:repository/${name}`,
    createdAt: new Date(now),
    images: new Map(),
    firstSeen: new Map()
  }
  state.repositories.set(name, repo)
  return repo
}

/**
 * An image pushed to an in-memory repository: an OCI image manifest with one config and one
 * layer, both derived from the repository and tag, so the same tag always gets the same digest.
 */
export function putImage(repo: SimRepository, tag: string, now: number, layerSize: number): SimImage {
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { 'org.opencontainers.image.version': tag } },
    rootfs: { type: 'layers', diff_ids: [sha256(`${repo.name}:${tag}:diff`)] }
  })
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(config),
      size: config.length
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: sha256(`${repo.name}:${tag}:layer`),
        size: layerSize
      }
    ]
  })
  const image: SimImage = {
    digest: sha256(manifest),
    pushedAt: new Date(now),
    size: layerSize,
    manifest,
    mediaType: OCI_MANIFEST
  }
  repo.images.set(tag, image)
  return image
}

function repository(state: SimState, name: string | undefined): SimRepository {
  const repo = state.repositories.get(name ?? '')
  if (!repo)
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${state.accountId}'`
    )
  return repo
}

function repositoryView(state: SimState, r: SimRepository): R.Repository {
  return {
    repositoryArn: r.arn,
    registryId: state.accountId,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: r.createdAt,
    imageTagMutability: r.tagMutability ?? 'MUTABLE'
  }
}

interface FoundImage {
  readonly digest: string
  readonly manifest: string
  readonly mediaType: string
  readonly size: number
  readonly pushedAt: Date
}

interface ManifestJson {
  mediaType?: string
  layers?: { size?: number }[]
  manifests?: { digest?: string }[]
}

async function fetchManifest(
  state: SimState,
  repo: string,
  reference: string
): Promise<{ digest: string; manifest: string; mediaType: string } | undefined> {
  const res = await fetch(`${state.registryUrl}/v2/${repo}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_TYPES },
    signal: AbortSignal.timeout(5000)
  })
  if (res.status === 404) return undefined
  if (!res.ok) throw new AwsError('ServerException', `registry answered ${res.status}`, 500, 'Receiver')
  const manifest = await res.text()
  return {
    digest: res.headers.get('docker-content-digest') ?? sha256(manifest),
    manifest,
    mediaType: res.headers.get('content-type') ?? OCI_MANIFEST
  }
}

const layersSize = (manifest: ManifestJson) => (manifest.layers ?? []).reduce((n, l) => n + (l.size ?? 0), 0)

/** ECR's imageSizeInBytes: the compressed layers; for a manifest list, its largest image. */
async function imageSize(state: SimState, repo: string, manifest: string): Promise<number> {
  const parsed = JSON.parse(manifest) as ManifestJson
  if (!parsed.manifests) return layersSize(parsed)
  let largest = 0
  for (const child of parsed.manifests.slice(0, 16)) {
    const found = child.digest ? await fetchManifest(state, repo, child.digest) : undefined
    if (found) largest = Math.max(largest, layersSize(JSON.parse(found.manifest) as ManifestJson))
  }
  return largest
}

async function findImage(
  state: SimState,
  repo: SimRepository,
  id: R.ImageIdentifier
): Promise<FoundImage | undefined> {
  if (!state.registryUrl) {
    const image = [...repo.images.entries()].find(
      ([tag, img]) =>
        (id.imageTag === undefined || tag === id.imageTag) &&
        (id.imageDigest === undefined || img.digest === id.imageDigest)
    )?.[1]
    return image && { ...image }
  }
  const found = await fetchManifest(state, repo.name, id.imageDigest ?? id.imageTag ?? '')
  if (!found) return undefined
  let pushedAt = repo.firstSeen.get(found.digest)
  if (!pushedAt) {
    pushedAt = new Date()
    repo.firstSeen.set(found.digest, pushedAt)
  }
  return { ...found, size: await imageSize(state, repo.name, found.manifest), pushedAt }
}

/** Every tag of the repository with the digest it points at. */
async function allTags(state: SimState, repo: SimRepository): Promise<{ tag: string; digest: string }[]> {
  if (!state.registryUrl) return [...repo.images.entries()].map(([tag, img]) => ({ tag, digest: img.digest }))
  const res = await fetch(`${state.registryUrl}/v2/${repo.name}/tags/list`, {
    signal: AbortSignal.timeout(5000)
  })
  if (res.status === 404) return []
  const tags = ((await res.json()) as { tags?: string[] | null }).tags ?? []
  const out: { tag: string; digest: string }[] = []
  for (const tag of tags) {
    const found = await fetchManifest(state, repo.name, tag)
    if (found) out.push({ tag, digest: found.digest })
  }
  return out
}

function notFound(state: SimState, repo: string, id: R.ImageIdentifier): AwsError {
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo}' in the registry with id '${state.accountId}'`
  )
}

async function describeImages(
  state: SimState,
  input: R.DescribeImagesRequest
): Promise<R.DescribeImagesResponse> {
  const repo = repository(state, input.repositoryName)
  const tags = await allTags(state, repo)
  // One detail per image, carrying every tag that points at it (as ECR lists them).
  const ids: R.ImageIdentifier[] = input.imageIds?.length
    ? input.imageIds
    : [...new Set(tags.map(t => t.digest))].map(imageDigest => ({ imageDigest }))
  const details: R.ImageDetail[] = []
  for (const id of ids) {
    const found = await findImage(state, repo, id)
    if (!found) throw notFound(state, repo.name, id)
    details.push({
      registryId: state.accountId,
      repositoryName: repo.name,
      imageDigest: found.digest,
      imageTags: tags.filter(t => t.digest === found.digest).map(t => t.tag),
      imageSizeInBytes: found.size,
      imagePushedAt: found.pushedAt,
      imageManifestMediaType: found.mediaType
    })
  }
  return { imageDetails: details }
}

async function batchGetImage(
  state: SimState,
  input: R.BatchGetImageRequest
): Promise<R.BatchGetImageResponse> {
  const repo = repository(state, input.repositoryName)
  const images: R.Image[] = []
  const failures: R.ImageFailure[] = []
  // acceptedMediaTypes is not checked: ECR converts between the Docker and OCI manifest formats
  // on request, which the simulator does not model; it answers the manifest as stored.
  for (const id of input.imageIds ?? []) {
    const found = await findImage(state, repo, id)
    if (!found) {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' })
      continue
    }
    images.push({
      registryId: state.accountId,
      repositoryName: repo.name,
      imageId: { imageDigest: found.digest, imageTag: id.imageTag },
      imageManifest: found.manifest,
      imageManifestMediaType: found.mediaType
    })
  }
  return { images, failures }
}

export const ecrHandlers: Handlers<EcrOperations> = {
  DescribeRepositories: (state, input) => ({
    repositories: (input.repositoryNames?.length
      ? input.repositoryNames.map(n => repository(state, n))
      : [...state.repositories.values()]
    ).map(r => repositoryView(state, r))
  }),
  CreateRepository: (state, input, now) => {
    if (state.repositories.has(input.repositoryName ?? ''))
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${input.repositoryName}' already exists in the registry with id '${state.accountId}'`
      )
    return { repository: repositoryView(state, createRepository(state, input.repositoryName ?? '', now)) }
  },
  GetAuthorizationToken: (state, _input, now) => ({
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
        expiresAt: new Date(now + 12 * 3600 * 1000),
        proxyEndpoint: state.registryFront
          ? `http://${state.registryFront}`
          : (state.registryUrl ?? `https://${registryHost(state)}`)
      }
    ]
  }),
  DescribeImages: describeImages,
  BatchGetImage: batchGetImage
}

export const ECR_MUTATING: ReadonlySet<keyof EcrOperations> = new Set<keyof EcrOperations>([
  'CreateRepository'
])
