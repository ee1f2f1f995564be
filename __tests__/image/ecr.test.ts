// The ECR calls of the image phase against a mocked ECR and STS: where the repository is, the
// login token (masked before it is returned), and whether a tag is already there.
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException
} from '@aws-sdk/client-ecr'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { digestOfTag, registryCredentials, resolveRepository } from '../../src/image/ecr.js'
import { parseRepositoryReference } from '../../src/image/repository.js'

const ecr = new ECRClient({ region: 'us-east-1' })
const sts = new STSClient({ region: 'us-east-1' })
const ecrMock = mockClient(ecr)
const stsMock = mockClient(sts)
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
const DIGEST = `sha256:${'d'.repeat(64)}`

beforeEach(() => {
  ecrMock.reset()
  stsMock.reset()
})

const notFound = () =>
  new RepositoryNotFoundException({ message: "The repository with name 'web' does not exist", $metadata: {} })

describe('resolveRepository', () => {
  test('a bare name is pushed where ECR says the repository is', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand, { repositoryNames: ['web'] })
      .resolves({ repositories: [{ repositoryUri: `${REGISTRY}/web`, registryId: '123456789012' }] })
    expect(await resolveRepository(ecr, sts, parseRepositoryReference('web'), 'us-east-1')).toEqual({
      registry: REGISTRY,
      name: 'web',
      uri: `${REGISTRY}/web`,
      registryId: '123456789012'
    })
  })

  test("a full URI keeps its host and asks about the URI's account", async () => {
    const other = '210987654321.dkr.ecr.eu-west-1.amazonaws.com'
    ecrMock
      .on(DescribeRepositoriesCommand, { repositoryNames: ['team/web'], registryId: '210987654321' })
      .resolves({ repositories: [{ repositoryUri: `${other}/team/web` }] })
    expect(
      await resolveRepository(ecr, sts, parseRepositoryReference(`${other}/team/web`), 'eu-west-1')
    ).toEqual({ registry: other, name: 'team/web', uri: `${other}/team/web`, registryId: '210987654321' })
  })

  test('a missing repository is a plain error that names the account and region', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' })
    await expect(resolveRepository(ecr, sts, parseRepositoryReference('web'), 'us-east-1')).rejects.toThrow(
      'input ecr-repository: the repository "web" does not exist in ECR (account 123456789012, region us-east-1); create it first'
    )
  })

  test('when the caller cannot be told, the message still names the region', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    stsMock.on(GetCallerIdentityCommand).rejects(new Error('no STS here'))
    await expect(resolveRepository(ecr, sts, parseRepositoryReference('web'), 'us-east-1')).rejects.toThrow(
      'input ecr-repository: the repository "web" does not exist in ECR (region us-east-1); create it first'
    )
  })

  test('any other error is passed on as it is', async () => {
    const denied = new ECRServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      message: 'not allowed',
      $metadata: {}
    })
    ecrMock.on(DescribeRepositoriesCommand).rejects(denied)
    await expect(resolveRepository(ecr, sts, parseRepositoryReference('web'), 'us-east-1')).rejects.toBe(
      denied
    )
  })
})

describe('registryCredentials', () => {
  const token = (text: string) => Buffer.from(text).toString('base64')

  test('masks the token, then the password, before returning them', async () => {
    ecrMock
      .on(GetAuthorizationTokenCommand, { registryIds: ['123456789012'] })
      .resolves({ authorizationData: [{ authorizationToken: token('AWS:pass:with:colons') }] })
    const masked: string[] = []
    const credentials = await registryCredentials(ecr, secret => void masked.push(secret), '123456789012')
    expect(credentials).toEqual({ username: 'AWS', password: 'pass:with:colons' })
    expect(masked).toEqual([token('AWS:pass:with:colons'), 'pass:with:colons'])
  })

  test.each<[string, string | undefined, string]>([
    ['no token', undefined, 'ECR returned no authorization token'],
    ['an empty token', '', 'ECR returned no authorization token'],
    ['no colon', token('AWSpassword'), 'the ECR authorization token is not "user:password" once decoded'],
    ['no password', token('AWS:'), 'the ECR authorization token is not "user:password" once decoded']
  ])(
    '%s is a plain error, and what there was is masked first',
    async (_name, authorizationToken, message) => {
      ecrMock.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [{ ...(authorizationToken !== undefined && { authorizationToken }) }]
      })
      const masked: string[] = []
      await expect(registryCredentials(ecr, secret => void masked.push(secret))).rejects.toThrow(message)
      expect(masked).toEqual(authorizationToken ? [authorizationToken] : [])
    }
  )
})

describe('digestOfTag', () => {
  const repository = { registry: REGISTRY, name: 'web', uri: `${REGISTRY}/web`, registryId: '123456789012' }

  test("the tag's digest, asked in the repository's account", async () => {
    ecrMock
      .on(DescribeImagesCommand, {
        repositoryName: 'web',
        imageIds: [{ imageTag: 'abc123' }],
        registryId: '123456789012'
      })
      .resolves({ imageDetails: [{ imageDigest: DIGEST }] })
    expect(await digestOfTag(ecr, repository, 'abc123')).toBe(DIGEST)
  })

  test('a tag that is not there', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'The image does not exist', $metadata: {} }))
    expect(await digestOfTag(ecr, repository, 'abc123')).toBeUndefined()
  })

  test('any other error is passed on', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(notFound())
    await expect(digestOfTag(ecr, repository, 'abc123')).rejects.toThrow('does not exist')
  })
})
