import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand
} from '@aws-sdk/client-ecs'
import {
  familyAndRevision,
  findPreviousRevision,
  parseRollbackTo,
  previousFromFamily,
  previousFromHistory,
  repositoryOf,
  withRevision
} from '../../src/pipeline/rollback-target.js'

const td = (n: number, family = 'web') => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`
const rev = (n: number) => `arn:aws:ecs:us-east-1:123456789012:service-revision/demo/web/${n}`

describe('parseRollbackTo', () => {
  it.each([
    ['previous', { kind: 'previous' }],
    ['12', { kind: 'revision', revision: 12 }],
    [td(3), { kind: 'arn', arn: td(3) }],
    ['v1.4.2', { kind: 'image-tag', tag: 'v1.4.2' }]
  ])('%s', (value, expected) => {
    expect(parseRollbackTo(value)).toEqual(expected)
  })
})

describe('revision helpers', () => {
  it('reads family and revision, and swaps the revision', () => {
    expect(familyAndRevision(td(7))).toEqual({ family: 'web', revision: 7 })
    expect(withRevision(td(7), 5)).toBe(td(5))
    expect(() => familyAndRevision('web')).toThrow('cannot read the family and revision from web')
  })

  it('takes the repository from an image by tag, digest, or with a registry port', () => {
    expect(repositoryOf('123.dkr.ecr.us-east-1.amazonaws.com/web:v1')).toBe(
      '123.dkr.ecr.us-east-1.amazonaws.com/web'
    )
    expect(repositoryOf('registry:5000/team/web@sha256:abc')).toBe('registry:5000/team/web')
    expect(repositoryOf('registry:5000/web')).toBe('registry:5000/web')
  })
})

describe('previousFromHistory', () => {
  it('is the newest successful deployment of another revision than the current one', () => {
    const deployments = [
      { targetServiceRevisionArn: rev(3), finishedAt: new Date('2026-11-20T10:00:00Z') },
      { targetServiceRevisionArn: rev(5), finishedAt: new Date('2026-11-22T10:00:00Z') },
      { targetServiceRevisionArn: rev(4), finishedAt: new Date('2026-11-21T10:00:00Z') }
    ]
    const taskDefinitionOf = new Map([
      [rev(3), td(5)],
      [rev(4), td(6)],
      [rev(5), td(8)]
    ])
    expect(previousFromHistory(deployments, taskDefinitionOf, td(8))).toBe(td(6))
    // A revision that was never deployed (web:7) is not "previous".
    expect(previousFromHistory(deployments, taskDefinitionOf, td(9))).toBe(td(8))
  })
})

describe('previousFromFamily', () => {
  it('is the highest revision below the current one', () => {
    expect(previousFromFamily([td(9), td(8), td(6), td(2)], td(8))).toBe(td(6))
    expect(previousFromFamily([td(1)], td(1))).toBeUndefined()
  })
})

describe('findPreviousRevision', () => {
  const ecsMock = mockClient(ECSClient)
  const ecs = new ECSClient({ region: 'us-east-1' })
  afterEach(() => ecsMock.reset())

  it('uses the service deployment history when there is one, and says so', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { targetServiceRevisionArn: rev(2), finishedAt: new Date(2000) },
        { targetServiceRevisionArn: rev(1), finishedAt: new Date(1000) }
      ]
    })
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: rev(1), taskDefinition: td(4) },
        { serviceRevisionArn: rev(2), taskDefinition: td(8) }
      ]
    })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(4))
    expect(previous.source).toContain('service deployment history')
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0)
  })

  it('falls back to the family’s revisions (exact family only) and says why', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejects(Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' }))
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [td(9, 'web-worker'), td(8), td(7), td(3)] })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(7))
    expect(previous.source).toBe(
      "the family's revisions (the highest ACTIVE one below the current), because the service deployment history is not available (Unknown operation)"
    )
  })

  it('errors plainly when there is nothing to go back to', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(1)] })
    await expect(findPreviousRevision(ecs, 'demo', 'web', td(1))).rejects.toThrow(
      'rollback-to previous: the service deployment history has no successful deployment of another revision, and the family has no ACTIVE revision older than'
    )
  })

  it('does not hide a credential error behind the fallback', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
    await expect(findPreviousRevision(ecs, 'demo', 'web', td(8))).rejects.toThrow('denied')
  })
})
