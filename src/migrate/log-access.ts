// The plan's check that the migrate task's log can be read, before anything changes. The log
// tail reads with GetLogEvents (logs:GetLogEvents on the group's streams), so the check makes the
// same call once, on a stream of the same prefix that does not exist: "no such stream" means the
// read is allowed, AccessDenied means the log will not be shown. Either way the deploy goes on (the
// migration is decided by its exit code); the person reading the plan learns it first.
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import { describeError, errorName, isAccessDenied } from '../errors.js'
import { LOG_READ_ACTION } from './log-tail.js'
import { logLocation, type LogLocation } from './task-input.js'

/** The task id the check's stream is named after: no task has it, so no stream exists. */
const CHECK_TASK_ID = 'ecs-ship-log-access-check'

/**
 * Pure: the container that runs the migrate command, as the migrate phase chooses it:
 * migrate-container, else the first container that gets the image, else the only essential one.
 */
export function migrateContainerOf(
  taskDefinition: Pick<TaskDefinition, 'containerDefinitions'>,
  choice: { readonly migrateContainer?: string; readonly containerNames: readonly string[] }
): string | undefined {
  if (choice.migrateContainer) return choice.migrateContainer
  if (choice.containerNames[0]) return choice.containerNames[0]
  const essential = (taskDefinition.containerDefinitions ?? []).filter(c => c.essential !== false)
  return essential.length === 1 ? essential[0]?.name : undefined
}

/** Pure: where the check reads, a stream of the migrate container's prefix that no task writes. */
export function accessCheckLocation(
  taskDefinition: TaskDefinition,
  containerName: string
): LogLocation | undefined {
  return logLocation(taskDefinition, containerName, CHECK_TASK_ID)
}

export type LogAccess =
  | { readonly kind: 'readable'; readonly logGroupName: string }
  | { readonly kind: 'denied'; readonly logGroupName: string; readonly warning: string }
  | { readonly kind: 'unknown'; readonly logGroupName: string; readonly warning: string }

/** One GetLogEvents of at most one event: whether the migrate log tail will be allowed to read. */
export async function checkLogAccess(logs: CloudWatchLogsClient, location: LogLocation): Promise<LogAccess> {
  const group = location.logGroupName
  try {
    await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: location.logStreamName,
        limit: 1,
        startFromHead: true
      })
    )
    return { kind: 'readable', logGroupName: group }
  } catch (error) {
    // The stream (or, before the first task, the group) does not exist: the read was allowed.
    if (errorName(error) === 'ResourceNotFoundException') return { kind: 'readable', logGroupName: group }
    if (isAccessDenied(error)) {
      return {
        kind: 'denied',
        logGroupName: group,
        warning: `migrate-command: the migrate task's log will not be shown, as the role may not read log group ${group} (${LOG_READ_ACTION}): ${describeError(error)} The migration is still decided by its exit code.`
      }
    }
    return {
      kind: 'unknown',
      logGroupName: group,
      warning: `migrate-command: could not check that the migrate task's log in log group ${group} can be read (${describeError(error)}); the deploy goes on`
    }
  }
}
