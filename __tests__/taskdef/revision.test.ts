import { mockClient } from 'aws-sdk-client-mock'
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs'
import { activeRevisions, revisionStatus } from '../../src/taskdef/revision.js'

const td = (family: string, n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`

describe('revisionStatus', () => {
  it('reads the status DescribeTaskDefinition gives, ACTIVE when it gives none', () => {
    expect(revisionStatus({ taskDefinition: { status: 'INACTIVE' }, tags: [] })).toBe('INACTIVE')
    expect(revisionStatus({ taskDefinition: {}, tags: [] })).toBe('ACTIVE')
  })
})

describe('activeRevisions', () => {
  const ecsMock = mockClient(ECSClient)
  const ecs = new ECSClient({ region: 'us-east-1' })
  afterEach(() => ecsMock.reset())

  it('pages past other families with the same prefix and keeps the newest of the exact family', async () => {
    // Descending by family name: web-worker's revisions come before web's.
    ecsMock
      .on(ListTaskDefinitionsCommand, { nextToken: undefined })
      .resolves({ taskDefinitionArns: [td('web-worker', 9), td('web-worker', 8)], nextToken: 'p2' })
      .on(ListTaskDefinitionsCommand, { nextToken: 'p2' })
      .resolves({ taskDefinitionArns: [td('web-worker', 1), td('web', 12), td('web', 3)], nextToken: 'p3' })
      .on(ListTaskDefinitionsCommand, { nextToken: 'p3' })
      .resolves({ taskDefinitionArns: [td('web', 2)] })
    expect(await activeRevisions(ecs, 'web', 2)).toEqual([td('web', 12), td('web', 3)])
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toEqual({
      familyPrefix: 'web',
      status: 'ACTIVE',
      sort: 'DESC',
      maxResults: 100
    })
  })

  it('stops after ten pages', async () => {
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [td('web-a', 1)], nextToken: 'more' })
    expect(await activeRevisions(ecs, 'web', 5)).toEqual([])
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(10)
  })
})
