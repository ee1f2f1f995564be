// Amazon ECR: the JSON API the simulator answers, and the registry requests (Docker Registry HTTP
// API V2) that `docker push` and `pull` make. ECR's user guide lists the actions a push needs
// (BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload,
// PutImage) and a pull (BatchGetImage, GetDownloadUrlForLayer); registryCheck pairs each with the
// registry request it stands for. The simulator's registry is reached directly today, so only the
// JSON API is authorized until a proxy in front of the registry calls registryCheck.
import { ecrRepositoryArn } from '../arns.js'
import {
  requestTagContext,
  resourceTagContext,
  str,
  strings,
  type AnyTag,
  type Check,
  type RequestScope
} from '../check.js'
import { check, onAnyResource, type ServiceTable } from './table.js'

function onRepository(action: string, scope: RequestScope, name: string, registryId?: string): Check {
  const arn = ecrRepositoryArn(scope, name, registryId)
  return check(action, arn, resourceTagContext(scope.world.tagsOf(arn), 'ecr'))
}

export const ecrTable: ServiceTable = {
  DescribeRepositories: (input, scope) => {
    const names = strings(input.repositoryNames)
    if (names.length === 0) return [check('ecr:DescribeRepositories', '*')]
    return names.map(name => onRepository('ecr:DescribeRepositories', scope, name, str(input.registryId)))
  },
  CreateRepository: (input, scope) => {
    const repository = onRepository('ecr:CreateRepository', scope, str(input.repositoryName) ?? '')
    const tags = Array.isArray(input.tags) ? (input.tags as AnyTag[]) : []
    return [{ ...repository, context: requestTagContext(tags) }]
  },
  GetAuthorizationToken: onAnyResource('ecr:GetAuthorizationToken'),
  DescribeImages: (input, scope) => [
    onRepository('ecr:DescribeImages', scope, str(input.repositoryName) ?? '', str(input.registryId))
  ],
  BatchGetImage: (input, scope) => [
    onRepository('ecr:BatchGetImage', scope, str(input.repositoryName) ?? '', str(input.registryId))
  ]
}

export interface RegistryRequest {
  readonly method: string
  /** The request path, `/v2/<repository>/…`, without the query string. */
  readonly path: string
}

/**
 * A registry request as the ECR action that authorizes it; undefined for the version check
 * (`/v2/`), which needs only the login (ecr:GetAuthorizationToken).
 */
export function registryCheck(request: RegistryRequest, scope: RequestScope): Check | undefined {
  const match = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(request.path)
  if (!match) return undefined
  const [, repository = '', kind, rest = ''] = match
  const method = request.method.toUpperCase()
  const action = registryAction(method, kind as 'manifests' | 'blobs', rest)
  return action === undefined ? undefined : onRepository(action, scope, repository)
}

function registryAction(method: string, kind: 'manifests' | 'blobs', rest: string): string | undefined {
  if (kind === 'manifests') {
    if (method === 'GET' || method === 'HEAD') return 'ecr:BatchGetImage'
    if (method === 'PUT') return 'ecr:PutImage'
    if (method === 'DELETE') return 'ecr:BatchDeleteImage'
    return undefined
  }
  if (rest.startsWith('uploads')) {
    if (method === 'POST') return 'ecr:InitiateLayerUpload'
    if (method === 'PATCH') return 'ecr:UploadLayerPart'
    if (method === 'PUT') return 'ecr:CompleteLayerUpload'
    return undefined
  }
  if (method === 'HEAD') return 'ecr:BatchCheckLayerAvailability'
  if (method === 'GET') return 'ecr:GetDownloadUrlForLayer'
  return undefined
}
