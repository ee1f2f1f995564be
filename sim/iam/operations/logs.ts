// Amazon CloudWatch Logs: reads of a stream name the stream, everything else its log group.
import { logGroupArn, logStreamArn } from '../arns.js'
import { requestTagContext, resourceTagContext, str, type Check, type RequestScope } from '../check.js'
import { check, onAnyResource, type ServiceTable } from './table.js'

/** A request names its group by name or, in newer APIs, by `logGroupIdentifier` (name or ARN). */
function groupOf(input: Readonly<Record<string, unknown>>): string {
  return str(input.logGroupName) ?? str(input.logGroupIdentifier) ?? ''
}

function onGroup(action: string, scope: RequestScope, group: string): Check {
  const arn = logGroupArn(scope, group)
  return check(action, arn, resourceTagContext(scope.world.tagsOf(arn)))
}

export const logsTable: ServiceTable = {
  GetLogEvents: (input, scope) => [
    check('logs:GetLogEvents', logStreamArn(scope, groupOf(input), str(input.logStreamName) ?? ''))
  ],
  FilterLogEvents: (input, scope) => [onGroup('logs:FilterLogEvents', scope, groupOf(input))],
  CreateLogGroup: (input, scope) => [
    {
      ...onGroup('logs:CreateLogGroup', scope, groupOf(input)),
      context: requestTagContext((input.tags ?? undefined) as Record<string, string> | undefined)
    }
  ],
  DescribeLogStreams: (input, scope) => [onGroup('logs:DescribeLogStreams', scope, groupOf(input))],
  DescribeLogGroups: onAnyResource('logs:DescribeLogGroups')
}
