// The ECR calls of the image phase: where the repository is, a login token, and whether a tag is
// already there. Each takes its client as a parameter; nothing here runs a process.
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient
} from '@aws-sdk/client-ecr'
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts'
import { ActionError, errorName } from '../errors.js'
import { splitRepositoryUri, type RepositoryReference } from './repository.js'

export interface ResolvedRepository {
  /** `host[:port]` to log in to. */
  readonly registry: string
  readonly name: string
  /** `<registry>/<name>`: what tags and digests are appended to. */
  readonly uri: string
  /** The account that owns it, when known (ECR's registryId). */
  readonly registryId?: string
}

async function callerAccount(sts: STSClient): Promise<string | undefined> {
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account
  } catch {
    return undefined
  }
}

/**
 * Confirms the repository exists and returns where to push. For a bare name, the repositoryUri
 * ECR returns is the registry; for a full URI the input's host is kept, so a registry reached
 * through another hostname (a pull-through alias, the local simulator) is pushed to as given.
 */
export async function resolveRepository(
  ecr: ECRClient,
  sts: STSClient,
  reference: RepositoryReference,
  region: string
): Promise<ResolvedRepository> {
  const registryId = reference.kind === 'uri' ? reference.ecr?.accountId : undefined
  let found
  try {
    const answer = await ecr.send(
      new DescribeRepositoriesCommand({
        repositoryNames: [reference.name],
        ...(registryId !== undefined && { registryId })
      })
    )
    found = answer.repositories?.[0]
  } catch (error) {
    if (errorName(error) !== 'RepositoryNotFoundException') throw error
  }
  if (found?.repositoryUri === undefined) {
    const account = registryId ?? (await callerAccount(sts))
    const where = `${account !== undefined ? `account ${account}, ` : ''}region ${region}`
    throw new ActionError(
      `input ecr-repository: the repository "${reference.name}" does not exist in ECR (${where}); create it first`
    )
  }
  const fromEcr = splitRepositoryUri(found.repositoryUri)
  const registry = reference.kind === 'uri' ? reference.registry : fromEcr.registry
  return {
    registry,
    name: reference.name,
    uri: `${registry}/${reference.name}`,
    ...((found.registryId ?? registryId) !== undefined && { registryId: found.registryId ?? registryId })
  }
}

export interface RegistryCredentials {
  readonly username: string
  readonly password: string
}

/**
 * GetAuthorizationToken, decoded. `mask` runs on the token and the password before this returns,
 * so nothing afterwards (an error, a debug line) can print them.
 */
export async function registryCredentials(
  ecr: ECRClient,
  mask: (secret: string) => void,
  registryId?: string
): Promise<RegistryCredentials> {
  const answer = await ecr.send(
    new GetAuthorizationTokenCommand(registryId !== undefined ? { registryIds: [registryId] } : {})
  )
  const token = answer.authorizationData?.[0]?.authorizationToken
  if (token === undefined || token === '') throw new ActionError('ECR returned no authorization token')
  mask(token)
  const decoded = Buffer.from(token, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new ActionError('the ECR authorization token is not "user:password" once decoded')
  }
  const password = decoded.slice(colon + 1)
  mask(password)
  return { username: decoded.slice(0, colon), password }
}

/** The digest of `tag` in the repository, or undefined when the tag is not there. */
export async function digestOfTag(
  ecr: ECRClient,
  repository: ResolvedRepository,
  tag: string
): Promise<string | undefined> {
  try {
    const answer = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repository.name,
        imageIds: [{ imageTag: tag }],
        ...(repository.registryId !== undefined && { registryId: repository.registryId })
      })
    )
    return answer.imageDetails?.[0]?.imageDigest
  } catch (error) {
    if (errorName(error) === 'ImageNotFoundException') return undefined
    throw error
  }
}
