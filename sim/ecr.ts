// Amazon ECR operations. With a real OCI registry behind it (Debian's docker-registry on
// 127.0.0.1), repository URIs point at that registry, so `buildah push` really pushes there, and
// image questions are answered from the registry's own v2 API. Without one, images live in memory.
import type * as R from '@aws-sdk/client-ecr'
import type { SimRepository, SimState } from './model.js'
import { AwsError } from './protocol.js'

type Handler = (state: SimState, input: never, now: number) => unknown | Promise<unknown>

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

/** The password GetAuthorizationToken hands out (docker-registry here runs without auth). */
export const ECR_PASSWORD = 'sim-ecr-password-not-a-secret-of-anyone'

function registryHost(state: SimState): string {
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
    images: new Map()
  }
  state.repositories.set(name, repo)
  return repo
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
    imageTagMutability: 'MUTABLE'
  }
}

async function registryDigest(
  state: SimState,
  repo: string,
  reference: string
): Promise<{ digest: string; size: number; mediaType?: string } | undefined> {
  const res = await fetch(`${state.registryUrl}/v2/${repo}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { Accept: MANIFEST_TYPES },
    signal: AbortSignal.timeout(5000)
  })
  if (res.status === 404) return undefined
  if (!res.ok) throw new AwsError('ServerException', `registry answered ${res.status}`, 500, 'Receiver')
  return {
    digest: res.headers.get('docker-content-digest') ?? '',
    size: Number(res.headers.get('content-length') ?? 0),
    mediaType: res.headers.get('content-type') ?? undefined
  }
}

async function registryTags(state: SimState, repo: string): Promise<string[]> {
  const res = await fetch(`${state.registryUrl}/v2/${repo}/tags/list`, { signal: AbortSignal.timeout(5000) })
  if (res.status === 404) return []
  const body = (await res.json()) as { tags?: string[] | null }
  return body.tags ?? []
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
  const details: R.ImageDetail[] = []
  const ids: R.ImageIdentifier[] = input.imageIds?.length
    ? input.imageIds
    : state.registryUrl
      ? (await registryTags(state, repo.name)).map(imageTag => ({ imageTag }))
      : [...repo.images.keys()].map(imageTag => ({ imageTag }))
  for (const id of ids) {
    const reference = id.imageDigest ?? id.imageTag ?? ''
    if (state.registryUrl) {
      const found = await registryDigest(state, repo.name, reference)
      if (!found) throw notFound(state, repo.name, id)
      details.push({
        registryId: state.accountId,
        repositoryName: repo.name,
        imageDigest: found.digest,
        imageTags: id.imageTag ? [id.imageTag] : [],
        imageSizeInBytes: found.size,
        imageManifestMediaType: found.mediaType,
        imagePushedAt: new Date()
      })
    } else {
      const entry = [...repo.images.entries()].find(
        ([tag, img]) => tag === id.imageTag || img.digest === id.imageDigest
      )
      if (!entry) throw notFound(state, repo.name, id)
      const [tag, img] = entry
      details.push({
        registryId: state.accountId,
        repositoryName: repo.name,
        imageDigest: img.digest,
        imageTags: [tag],
        imageSizeInBytes: img.size,
        imagePushedAt: img.pushedAt
      })
    }
  }
  return { imageDetails: details }
}

export const ecrHandlers: Record<string, Handler> = {
  DescribeRepositories: (state, input: R.DescribeRepositoriesRequest) => ({
    repositories: (input.repositoryNames?.length
      ? input.repositoryNames.map(n => repository(state, n))
      : [...state.repositories.values()]
    ).map(r => repositoryView(state, r))
  }),
  CreateRepository: (state, input: R.CreateRepositoryRequest, now) => {
    if (state.repositories.has(input.repositoryName ?? ''))
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${input.repositoryName}' already exists in the registry with id '${state.accountId}'`
      )
    return { repository: repositoryView(state, createRepository(state, input.repositoryName ?? '', now)) }
  },
  GetAuthorizationToken: (state, _input: R.GetAuthorizationTokenRequest, now) => ({
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
        expiresAt: new Date(now + 12 * 3600 * 1000),
        proxyEndpoint: state.registryUrl ?? `https://${registryHost(state)}`
      }
    ]
  }),
  DescribeImages: describeImages,
  BatchGetImage: async (state, input: R.BatchGetImageRequest) => {
    const repo = repository(state, input.repositoryName)
    const images: R.Image[] = []
    const failures: R.ImageFailure[] = []
    for (const id of input.imageIds ?? []) {
      try {
        const { imageDetails } = await describeImages(state, { repositoryName: repo.name, imageIds: [id] })
        images.push({
          registryId: state.accountId,
          repositoryName: repo.name,
          imageId: { imageDigest: imageDetails?.[0]?.imageDigest, imageTag: id.imageTag }
        })
      } catch {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found'
        })
      }
    }
    return { images, failures }
  }
}

export const ECR_MUTATING = new Set(['CreateRepository'])
