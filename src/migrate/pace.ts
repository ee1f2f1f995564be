// Pure: how often the migrate phase reads its task and its log. The migration is decided on the
// container's exit code, so the exit must be seen soon after it happens, but a poll paced like the
// watch loop's (2 s × 1.5 backoff) sees it seconds late. When the exit can come is what sets the
// pace:
//   - while the task is PROVISIONING or PENDING (tens of seconds on Fargate: the network
//     interface, then the image pull) no command runs yet: the poll is slow, until the pull
//     has completed;
//   - once the container has started, most migrations end within seconds (Django with nothing to
//     apply takes one or two): the poll is short for a bounded window (10 s);
//   - a migration still running past the window is a long one: the interval grows with the time
//     past the window, so the exit of a migration that ran for t seconds is seen at most about a
//     tenth of t late, and a migration of minutes costs a few calls a minute.
// The log is read less often than the task while it brings nothing: its lines are a convenience,
// and the read made on the poll that shows the exit (and the drain after it, drain.ts) misses none.
import type { BackoffSettings } from '../watch/poll.js'

export interface MigratePace {
  /** While the task is PROVISIONING or PENDING: the container cannot have exited yet. */
  readonly startingMs: number
  /** Right after the container starts, for hotWindowMs. */
  readonly hotMs: number
  readonly hotWindowMs: number
  /** Past the window, the interval grows by this share of the time past it… */
  readonly growth: number
  /** …up to this. */
  readonly maxMs: number
  /** A read of the log that brought nothing is made again after at least this long. */
  readonly quietLogMs: number
}

export const DEFAULT_PACE: MigratePace = {
  startingMs: 2000,
  hotMs: 300,
  hotWindowMs: 10_000,
  growth: 0.1,
  maxMs: 15_000,
  quietLogMs: 2000
}

/**
 * The pace under the poll settings (ECS_SHIP_POLL_MIN_MS and _MAX_MS): the slow and longest
 * intervals are theirs, and the short one never longer than their minimum (tests against a
 * time-scaled simulator set 100 ms).
 */
export function paceFor(backoff: BackoffSettings, p = DEFAULT_PACE): MigratePace {
  const hotMs = Math.max(1, Math.min(p.hotMs, backoff.minMs))
  return {
    ...p,
    startingMs: Math.max(1, backoff.minMs),
    hotMs,
    maxMs: Math.max(hotMs, backoff.maxMs),
    quietLogMs: Math.max(hotMs, Math.min(p.quietLogMs, backoff.minMs))
  }
}

/** Statuses in which the container has not started: the command cannot have run yet. */
const STARTING = new Set(['PROVISIONING', 'PENDING'])

/**
 * Whether the task (undefined: not visible yet) may have started its command: it is past
 * PROVISIONING and PENDING, or its image pull has completed (pullStoppedAt), after which the
 * containers start within moments; a migration with nothing to do can end before a slow poll
 * would show the task RUNNING.
 */
export function hasStarted(
  task: { readonly lastStatus?: string; readonly pullStoppedAt?: Date } | undefined
): boolean {
  if (task?.lastStatus === undefined) return false
  return !STARTING.has(task.lastStatus) || task.pullStoppedAt !== undefined
}

export interface PaceState {
  /** Our clock now. */
  readonly now: number
  /** Our clock when a poll first showed the task started (see hasStarted). */
  readonly startedSeenAt?: number
  /** Set once StopTask was sent (migrate-timeout-minutes): the stop takes up to stopTimeout. */
  readonly stopRequested?: boolean
}

/** How long to wait before the next DescribeTasks. */
export function nextTaskPoll(state: PaceState, p = DEFAULT_PACE): number {
  if (state.stopRequested || state.startedSeenAt === undefined) return p.startingMs
  const past = state.now - state.startedSeenAt - p.hotWindowMs
  if (past < 0) return p.hotMs
  return Math.min(p.maxMs, Math.round(p.hotMs + p.growth * past))
}

/**
 * Whether the poll made now reads the log too. Never before the container started; then always
 * when the last read brought lines (more are likely) or there was none yet; otherwise after
 * quietLogMs, or two task intervals once those are longer, so a quiet log is read at most every
 * other poll (and at least every maxMs).
 */
export function logReadDue(
  read: {
    /** The task now: before its container starts, its log stream does not exist. */
    readonly task: { readonly lastStatus?: string; readonly pullStoppedAt?: Date } | undefined
    readonly last: { readonly at: number; readonly lines: number } | undefined
    readonly now: number
    /** The task interval that led to this poll. */
    readonly taskDelayMs: number
  },
  p = DEFAULT_PACE
): boolean {
  const { last: lastRead, now, taskDelayMs } = read
  if (!hasStarted(read.task)) return false
  if (!lastRead || lastRead.lines > 0) return true
  const gap = Math.min(p.maxMs, Math.max(p.quietLogMs, 2 * taskDelayMs))
  return now - lastRead.at >= gap
}
