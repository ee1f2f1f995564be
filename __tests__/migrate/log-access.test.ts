import { mockClient } from 'aws-sdk-client-mock'
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import { accessCheckLocation, checkLogAccess, migrateContainerOf } from '../../src/migrate/log-access.js'

const awslogs = (group: string, prefix: string) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': group, 'awslogs-stream-prefix': prefix }
})
const taskDefinition: TaskDefinition = {
  family: 'web',
  containerDefinitions: [
    { name: 'web', essential: true, logConfiguration: awslogs('/ecs/web', 'ecs') },
    { name: 'worker', essential: false, logConfiguration: awslogs('/ecs/worker', 'w') }
  ]
}
const LOCATION = { logGroupName: '/ecs/web', logStreamName: 'ecs/web/ecs-ship-log-access-check' }

describe('which log the check reads', () => {
  it('the migrate container as the migrate phase chooses it', () => {
    expect(migrateContainerOf(taskDefinition, { migrateContainer: 'worker', containerNames: ['web'] })).toBe(
      'worker'
    )
    expect(migrateContainerOf(taskDefinition, { containerNames: ['worker'] })).toBe('worker')
    expect(migrateContainerOf(taskDefinition, { containerNames: [] })).toBe('web')
    const two = { containerDefinitions: [{ name: 'a' }, { name: 'b' }] }
    expect(migrateContainerOf(two, { containerNames: [] })).toBeUndefined()
  })

  it("a stream of the container's own prefix that no task writes; none without awslogs", () => {
    expect(accessCheckLocation(taskDefinition, 'web')).toEqual(LOCATION)
    expect(accessCheckLocation({ containerDefinitions: [{ name: 'web' }] }, 'web')).toBeUndefined()
  })
})

describe('checkLogAccess', () => {
  const logs = new CloudWatchLogsClient({ region: 'us-east-1' })
  const mock = mockClient(logs)
  beforeEach(() => mock.reset())
  const named = (name: string, message: string) => Object.assign(new Error(message), { name })

  it('no such stream means the read is allowed; one call of at most one event', async () => {
    mock
      .on(GetLogEventsCommand)
      .rejects(named('ResourceNotFoundException', 'The specified log stream does not exist.'))
    expect(await checkLogAccess(logs, LOCATION)).toEqual({ kind: 'readable', logGroupName: '/ecs/web' })
    expect(mock.commandCalls(GetLogEventsCommand).map(c => c.args[0].input)).toEqual([
      { ...LOCATION, limit: 1, startFromHead: true }
    ])
  })

  it('AccessDenied: a warning that names the input, the permission and the log group', async () => {
    mock.on(GetLogEventsCommand).rejects(named('AccessDeniedException', 'not authorized'))
    const access = await checkLogAccess(logs, LOCATION)
    expect(access.kind).toBe('denied')
    expect(access.kind !== 'readable' && access.warning).toBe(
      "migrate-command: the migrate task's log will not be shown, as the role may not read log group /ecs/web (logs:GetLogEvents): AWS denied access (AccessDeniedException): not authorized. The role needs the permission named above. The migration is still decided by its exit code."
    )
  })

  it('any other failure: a warning that the check could not be made', async () => {
    mock.on(GetLogEventsCommand).rejects(named('ThrottlingException', 'Rate exceeded'))
    const access = await checkLogAccess(logs, LOCATION)
    expect(access).toMatchObject({
      kind: 'unknown',
      warning: expect.stringContaining('could not check') as unknown as string
    })
  })
})
