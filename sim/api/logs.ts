// CloudWatch Logs operations: the events the awslogs driver wrote for simulated containers.
import type * as W from '@aws-sdk/client-cloudwatch-logs'
import type { Handlers } from './handlers.js'
import type { SimState } from '../world/model.js'
import { AwsError } from '../world/aws-error.js'

/** The CloudWatch Logs operations the simulator answers, with the SDK's shapes. */
export type LogsOperations = {
  GetLogEvents: [W.GetLogEventsRequest, W.GetLogEventsResponse]
  FilterLogEvents: [W.FilterLogEventsRequest, W.FilterLogEventsResponse]
  CreateLogGroup: [W.CreateLogGroupRequest, object]
  DescribeLogStreams: [W.DescribeLogStreamsRequest, W.DescribeLogStreamsResponse]
  DescribeLogGroups: [W.DescribeLogGroupsRequest, W.DescribeLogGroupsResponse]
}

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

/**
 * A filter pattern as CloudWatch Logs reads unstructured log events: a quoted phrase matches
 * exactly; otherwise every term must appear, a term with a leading `-` must not, and `?term`
 * terms match when any one of them appears. JSON and space-delimited patterns are not modelled.
 */
export function matchesFilterPattern(pattern: string | undefined, message: string): boolean {
  const text = pattern?.trim() ?? ''
  if (!text) return true
  const quoted = /^"(.*)"$/.exec(text)
  if (quoted) return message.includes(quoted[1] ?? '')
  const terms = text.split(/\s+/)
  const optional = terms.filter(t => t.startsWith('?')).map(t => t.slice(1))
  if (optional.length > 0) return optional.some(t => message.includes(t))
  return terms.every(t => (t.startsWith('-') ? !message.includes(t.slice(1)) : message.includes(t)))
}

function filterLogEvents(state: SimState, input: W.FilterLogEventsRequest): W.FilterLogEventsResponse {
  const g = group(state, input.logGroupName)
  if (input.logStreamNames?.length && input.logStreamNamePrefix)
    throw new AwsError(
      'InvalidParameterException',
      'You cannot specify both logStreamNames and logStreamNamePrefix.'
    )
  const limit = input.limit ?? 10000
  if (limit < 1 || limit > 10000)
    throw new AwsError('InvalidParameterException', 'limit must be between 1 and 10000.')
  const events: W.FilteredLogEvent[] = []
  for (const [name, stream] of g.streams) {
    if (input.logStreamNames?.length && !input.logStreamNames.includes(name)) continue
    if (input.logStreamNamePrefix && !name.startsWith(input.logStreamNamePrefix)) continue
    stream.events.forEach((e, i) => {
      if (input.startTime !== undefined && e.timestamp < input.startTime) return
      if (input.endTime !== undefined && e.timestamp > input.endTime) return
      if (!matchesFilterPattern(input.filterPattern, e.message)) return
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
  // The token is the position of the next event in this ordering; a page that reaches the end
  // carries no token. (CloudWatch's tokens are opaque; events ingested later than the token's
  // page sort after it here, which is how a follower that keeps the token sees new events.)
  const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) || 0 : 0
  const page = events.slice(start, start + limit)
  const end = start + page.length
  return {
    events: page,
    searchedLogStreams: [],
    nextToken: end < events.length ? Buffer.from(String(end)).toString('base64url') : undefined
  }
}

export const logsHandlers: Handlers<LogsOperations> = {
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  CreateLogGroup: (state, input, now) => {
    if (state.logGroups.has(input.logGroupName ?? ''))
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists')
    state.logGroups.set(input.logGroupName ?? '', { createdAt: now, streams: new Map() })
    return {}
  },
  DescribeLogStreams: (state, input) => ({
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
  DescribeLogGroups: (state, input) => ({
    logGroups: [...state.logGroups.entries()]
      .filter(([name]) => !input.logGroupNamePrefix || name.startsWith(input.logGroupNamePrefix))
      .map(([logGroupName, g]) => ({ logGroupName, creationTime: g.createdAt }))
  })
}

export const LOGS_MUTATING: ReadonlySet<keyof LogsOperations> = new Set<keyof LogsOperations>([
  'CreateLogGroup'
])
