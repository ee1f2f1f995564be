// CloudWatch Logs operations: the events the awslogs driver wrote for simulated containers.
import type * as W from '@aws-sdk/client-cloudwatch-logs'
import type { SimState } from './model.js'
import { AwsError } from './protocol.js'

type Handler = (state: SimState, input: never, now: number) => unknown

function group(state: SimState, name: string | undefined) {
  const found = state.logGroups.get(name ?? '')
  if (!found) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.')
  return found
}

function getLogEvents(state: SimState, input: W.GetLogEventsRequest): W.GetLogEventsResponse {
  const stream = group(state, input.logGroupName).streams.get(input.logStreamName ?? '')
  if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.')
  // Tokens are positions: `f/<n>` reads forward from event n. When nothing new has arrived the
  // same forward token comes back, which is how a follower knows it has caught up.
  const limit = Math.min(input.limit ?? 10000, 10000)
  const fromHead = input.startFromHead ?? false
  let start = input.nextToken
    ? Number(input.nextToken.slice(2))
    : fromHead
      ? 0
      : Math.max(0, stream.events.length - limit)
  if (input.startTime !== undefined && !input.nextToken)
    start = Math.max(
      start,
      stream.events.findIndex(e => e.timestamp >= (input.startTime ?? 0))
    )
  if (start < 0) start = stream.events.length
  const page = stream.events.slice(start, start + limit)
  const end = start + page.length
  return {
    events: page.map(e => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: `f/${String(end).padStart(20, '0')}`,
    nextBackwardToken: `b/${String(start).padStart(20, '0')}`
  }
}

function filterLogEvents(state: SimState, input: W.FilterLogEventsRequest): W.FilterLogEventsResponse {
  const g = group(state, input.logGroupName)
  const events: W.FilteredLogEvent[] = []
  for (const [name, stream] of g.streams) {
    if (input.logStreamNames?.length && !input.logStreamNames.includes(name)) continue
    if (input.logStreamNamePrefix && !name.startsWith(input.logStreamNamePrefix)) continue
    stream.events.forEach((e, i) => {
      if (input.startTime !== undefined && e.timestamp < input.startTime) return
      if (input.endTime !== undefined && e.timestamp > input.endTime) return
      if (input.filterPattern && !e.message.includes(input.filterPattern.replace(/^"|"$/g, ''))) return
      events.push({
        logStreamName: name,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: `${name}-${i}`
      })
    })
  }
  events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
  return { events, searchedLogStreams: [] }
}

export const logsHandlers: Record<string, Handler> = {
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  CreateLogGroup: (state, input: W.CreateLogGroupRequest, now) => {
    if (state.logGroups.has(input.logGroupName ?? ''))
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists')
    state.logGroups.set(input.logGroupName ?? '', { createdAt: now, streams: new Map() })
    return {}
  },
  DescribeLogStreams: (state, input: W.DescribeLogStreamsRequest) => ({
    logStreams: [...group(state, input.logGroupName).streams.entries()]
      .filter(([name]) => !input.logStreamNamePrefix || name.startsWith(input.logStreamNamePrefix))
      .map(([logStreamName, s]) => ({
        logStreamName,
        creationTime: s.createdAt,
        firstEventTimestamp: s.events[0]?.timestamp,
        lastEventTimestamp: s.events.at(-1)?.timestamp,
        lastIngestionTime: s.events.at(-1)?.ingestionTime
      }))
  }),
  DescribeLogGroups: (state, input: W.DescribeLogGroupsRequest) => ({
    logGroups: [...state.logGroups.entries()]
      .filter(([name]) => !input.logGroupNamePrefix || name.startsWith(input.logGroupNamePrefix))
      .map(([logGroupName, g]) => ({ logGroupName, creationTime: g.createdAt }))
  })
}

export const LOGS_MUTATING = new Set(['CreateLogGroup'])
