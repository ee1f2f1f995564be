import { mockClient } from 'aws-sdk-client-mock'
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { checkTag, ecrRepositoryOf, repositoryOf, runsImage } from '../../src/pipeline/rollback-image.js'

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web'
const DIGEST = 'sha256:' + 'b'.repeat(64)

describe('repositoryOf', () => {
  it('takes the repository from an image by tag, digest, or with a registry port', () => {
    expect(repositoryOf('123.dkr.ecr.us-east-1.amazonaws.com/web:v1')).toBe(
      '123.dkr.ecr.us-east-1.amazonaws.com/web'
    )
    expect(repositoryOf('registry:5000/team/web@sha256:abc')).toBe('registry:5000/team/web')
    expect(repositoryOf('registry:5000/web')).toBe('registry:5000/web')
  })
})

describe('ecrRepositoryOf', () => {
  it('reads the account, region and name of an ECR repository', () => {
    expect(ecrRepositoryOf(REPO)).toEqual({
      uri: REPO,
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      name: 'team/web',
      registryId: '123456789012',
      region: 'eu-west-1'
    })
  })

  it.each(['ghcr.io/acme/web', 'nginx', 'registry:5000/web', '127.0.0.1:5000/web'])(
    '%s is not ECR',
    repository => {
      expect(ecrRepositoryOf(repository)).toBeUndefined()
    }
  )
})

describe('runsImage', () => {
  const definition = {
    containerDefinitions: [
      { name: 'web', image: `${REPO}@${DIGEST}` },
      { name: 'worker', image: `${REPO}:v1` },
      { name: 'proxy', image: 'nginx:1.27' }
    ]
  }
  const images = new Set([`${REPO}:v1`, `${REPO}@${DIGEST}`])

  it('is true when every named container runs the tag or its digest', () => {
    expect(runsImage(definition, ['web'], images)).toBe(true)
    expect(runsImage(definition, ['web', 'worker'], images)).toBe(true)
  })

  it('is false when one of them runs something else, is missing, or none is named', () => {
    expect(runsImage(definition, ['web', 'proxy'], images)).toBe(false)
    expect(runsImage(definition, ['api'], images)).toBe(false)
    expect(runsImage(definition, [], images)).toBe(false)
  })
})

describe('checkTag', () => {
  const ecrMock = mockClient(ECRClient)
  const regions: string[] = []
  const ecrFor = async (region: string) => {
    regions.push(region)
    return new ECRClient({ region })
  }
  afterEach(() => {
    ecrMock.reset()
    regions.length = 0
  })

  it('finds the digest in the repository’s own account and region', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] })
    const check = await checkTag(ecrFor, REPO, 'v1')
    expect(check).toMatchObject({ kind: 'found', digest: DIGEST })
    expect(regions).toEqual(['eu-west-1'])
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'team/web',
      imageIds: [{ imageTag: 'v1' }],
      registryId: '123456789012'
    })
  })

  it('a missing tag or repository is refused naming the input and the call', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ImageNotFoundException' }))
    await expect(checkTag(ecrFor, REPO, 'v0')).rejects.toThrow(
      'input rollback-to: the tag "v0" is not in ECR repository team/web (registry 123456789012, region eu-west-1): DescribeImages answered ImageNotFoundException (an ECR lifecycle policy may have expired it). Nothing was changed'
    )
    ecrMock.reset()
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'RepositoryNotFoundException' }))
    await expect(checkTag(ecrFor, REPO, 'v0')).rejects.toThrow(
      'input rollback-to: ECR repository team/web (registry 123456789012, region eu-west-1), the repository of the running image, does not exist: DescribeImages answered RepositoryNotFoundException'
    )
  })

  it('another registry cannot be checked, and says so without calling ECR', async () => {
    const check = await checkTag(ecrFor, 'ghcr.io/acme/web', 'v1')
    expect(check).toEqual({
      kind: 'unchecked',
      why: 'ghcr.io/acme/web is not an ECR repository, so ecs-ship cannot check that the tag exists'
    })
    expect(regions).toEqual([])
  })

  it('passes other errors through (access denied is not "missing")', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
    await expect(checkTag(ecrFor, REPO, 'v1')).rejects.toThrow('denied')
  })
})
