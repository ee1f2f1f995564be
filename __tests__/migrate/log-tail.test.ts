import { mockClient } from 'aws-sdk-client-mock'
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { LogTail } from '../../src/migrate/log-tail.js'

const LOCATION = { logGroupName: '/ecs/web', logStreamName: 'ecs/web/abc' }

function setup() {
  const logs = new CloudWatchLogsClient({ region: 'us-east-1' })
  return { logs, mock: mockClient(logs) }
}

const page = (messages: string[], token: string) => ({
  events: messages.map((message, i) => ({ timestamp: i, message })),
  nextForwardToken: token
})

describe('LogTail', () => {
  it('follows the forward token across empty pages until the same token comes back', async () => {
    const { logs, mock } = setup()
    mock
      .on(GetLogEventsCommand)
      .resolvesOnce(page(['a\n', 'b'], 't1'))
      .resolvesOnce(page([], 't2')) // empty, but not the end: the token moved
      .resolvesOnce(page(['c\r\n'], 't3'))
      .resolvesOnce(page([], 't3'))
      .resolves(page([], 't3'))
    const tail = new LogTail(logs, LOCATION)
    expect(await tail.poll()).toEqual(['a', 'b', 'c'])
    expect(await tail.poll()).toEqual([])
    const tokens = mock.commandCalls(GetLogEventsCommand).map(c => c.args[0].input.nextToken)
    expect(tokens).toEqual([undefined, 't1', 't2', 't3', 't3'])
    expect(mock.commandCalls(GetLogEventsCommand).every(c => c.args[0].input.startFromHead === true)).toBe(
      true
    )
  })

  it('treats a missing stream as "nothing yet", and warns once about other read errors without losing its place', async () => {
    const { logs, mock } = setup()
    const notFound = Object.assign(new Error('The specified log stream does not exist.'), {
      name: 'ResourceNotFoundException'
    })
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
    mock
      .on(GetLogEventsCommand)
      .rejectsOnce(notFound)
      .resolvesOnce(page(['one'], 't1'))
      .resolvesOnce(page([], 't1'))
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolvesOnce(page(['two'], 't2'))
      .resolves(page([], 't2'))
    const warnings: string[] = []
    const tail = new LogTail(logs, LOCATION, 20, w => warnings.push(w))
    expect(await tail.poll()).toEqual([])
    expect(await tail.poll()).toEqual(['one'])
    expect(await tail.poll()).toEqual([])
    expect(await tail.poll()).toEqual([])
    expect(await tail.poll()).toEqual(['two'])
    expect(warnings).toEqual([
      "could not read the migrate task's log from log group /ecs/web (ThrottlingException: Rate exceeded); will keep trying"
    ])
    expect(mock.commandCalls(GetLogEventsCommand).at(-2)?.args[0].input.nextToken).toBe('t1')
  })

  it('keeps only the last lines for the summary', async () => {
    const { logs, mock } = setup()
    mock
      .on(GetLogEventsCommand)
      .resolvesOnce(page(['1', '2', '3', '4', '5'], 't1'))
      .resolves(page([], 't1'))
    const tail = new LogTail(logs, LOCATION, 3)
    await tail.poll()
    expect(tail.lastLines()).toEqual(['3', '4', '5'])
    expect(tail.total).toBe(5)
  })

  it('AccessDenied: one warning naming the permission and the log group, then no more reads', async () => {
    const { logs, mock } = setup()
    mock.on(GetLogEventsCommand).rejects(
      Object.assign(
        new Error('User: arn:aws:sts::1:assumed-role/deployer/x is not authorized to perform this action'),
        {
          name: 'AccessDeniedException'
        }
      )
    )
    const warnings: string[] = []
    const tail = new LogTail(logs, LOCATION, 20, w => warnings.push(w))
    expect(await tail.poll()).toEqual([])
    expect(await tail.poll()).toEqual([])
    expect(warnings).toEqual([
      "the migrate task's log is not shown, as the role may not read log group /ecs/web (logs:GetLogEvents): AWS denied access (AccessDeniedException): User: arn:aws:sts::1:assumed-role/deployer/x is not authorized to perform this action. The role needs the permission named above. The migration is still decided by its exit code."
    ])
    expect(mock.commandCalls(GetLogEventsCommand)).toHaveLength(1)
  })

  it("expired credentials are a warning here too: the task's own poll is what stops the phase", async () => {
    const { logs, mock } = setup()
    mock
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }))
    const warnings: string[] = []
    await expect(new LogTail(logs, LOCATION, 20, w => warnings.push(w)).poll()).resolves.toEqual([])
    expect(warnings).toEqual([expect.stringContaining('the AWS credentials have expired')])
  })
})
