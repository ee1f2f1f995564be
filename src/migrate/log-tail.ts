// Follows one awslogs stream with GetLogEvents. The forward token is what makes it exact: each
// call continues where the previous one stopped, so lines come in order and never twice, however
// often we poll. The stream appears only once the container has started and written something,
// so ResourceNotFoundException early on is normal and means "nothing yet".
//
// The log is a convenience: the migration is decided by the task's exit code. So a read never
// throws. A refusal (AccessDenied) is said once, naming the permission and the log group, and
// the tail stops asking; any other failure is said once and the next poll tries again from the
// same place.
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { describeError, errorName, isAccessDenied } from '../errors.js'
import type { LogLocation } from './task-input.js'

/** The IAM action a log tail needs, on the log group's streams. */
export const LOG_READ_ACTION = 'logs:GetLogEvents'

/** Pure: the one warning for a log group the role may not read. */
export function logAccessDeniedWarning(logGroupName: string, error: unknown): string {
  return `the migrate task's log is not shown, as the role may not read log group ${logGroupName} (${LOG_READ_ACTION}): ${describeError(error)} The migration is still decided by its exit code.`
}

/** Pages read per poll at most (a page holds up to 10,000 events), so one poll stays bounded. */
const MAX_PAGES_PER_POLL = 20

export class LogTail {
  private token: string | undefined
  private readonly recent: string[] = []
  private warned = false
  /** Set once AWS refused the read: asking again would only be refused again. */
  private denied = false
  /** Lines read so far (all of them, for tests and counts; only the last ones are kept in recent). */
  total = 0

  constructor(
    private readonly logs: CloudWatchLogsClient,
    readonly location: LogLocation,
    private readonly keep = 20,
    private readonly warn: (message: string) => void = () => {}
  ) {}

  /** Reads every line written since the last call, in order. */
  async poll(): Promise<string[]> {
    const lines: string[] = []
    for (let page = 0; page < MAX_PAGES_PER_POLL && !this.denied; page++) {
      let answer
      try {
        answer = await this.logs.send(
          new GetLogEventsCommand({
            logGroupName: this.location.logGroupName,
            logStreamName: this.location.logStreamName,
            startFromHead: true,
            ...(this.token !== undefined && { nextToken: this.token })
          })
        )
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') break
        if (isAccessDenied(error)) {
          this.denied = true
          this.warn(logAccessDeniedWarning(this.location.logGroupName, error))
          break
        }
        // Throttling, a 5xx, expired credentials (the task's own polls fail on those and say
        // so): the token is kept, so the next poll continues from the same place.
        if (!this.warned) {
          this.warned = true
          this.warn(
            `could not read the migrate task's log from log group ${this.location.logGroupName} (${describeError(error)}); will keep trying`
          )
        }
        break
      }
      for (const event of answer.events ?? []) {
        const line = (event.message ?? '').replace(/\r?\n$/, '')
        lines.push(line)
      }
      const next = answer.nextForwardToken
      // The end of the stream is the same token coming back. An empty page with a new token is
      // not the end: CloudWatch may return empty pages while more events lie further on.
      const atEnd = next === undefined || next === this.token
      if (next !== undefined) this.token = next
      if (atEnd) break
    }
    this.total += lines.length
    this.recent.push(...lines)
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep)
    return lines
  }

  /** The last lines read (up to `keep`), oldest first. */
  lastLines(): readonly string[] {
    return [...this.recent]
  }
}
