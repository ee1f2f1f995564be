// Pure: when the migrate task's log has been read to its end. The migration is decided on the
// container's exit code; its last lines (a traceback, most often) are written just before it
// exits and reach CloudWatch Logs a moment later. So after the exit code is seen, the stream is
// read every DRAIN.intervalMs until a read that brings nothing is made at least DRAIN.marginMs
// after the container stopped, by AWS's own clock: the task's executionStoppedAt. AWS time and
// ours are compared only in the safe direction (see quietFrom). Bounded in reads and in time.

export interface DrainSettings {
  /** Between two reads of the stream. */
  readonly intervalMs: number
  /** An empty read this long after the container stopped (AWS time) ends the drain. */
  readonly marginMs: number
  /** Caps, so a container that goes on logging (a sidecar in the same stream) cannot hold the run. */
  readonly maxReads: number
  readonly maxMs: number
}

export const DRAIN: DrainSettings = { intervalMs: 250, marginMs: 1000, maxReads: 40, maxMs: 10_000 }

export interface DrainState {
  /** Our clock when the poll that showed the exit code answered. */
  readonly exitSeenAt: number
  /** The task's executionStoppedAt (AWS's clock, ms), when DescribeTasks has it. */
  readonly executionStoppedAt?: number
  /** Reads made since the exit was seen (the one of the poll that saw it included). */
  readonly reads: number
  /** The last read: when it was made (our clock) and whether it brought lines. */
  readonly lastRead?: { readonly at: number; readonly lines: number }
}

export type DrainStep =
  { readonly kind: 'read'; readonly atMs: number } | { readonly kind: 'done'; readonly capped: boolean }

/**
 * From when (our clock) an empty read proves the stream complete. The container stopped before
 * the poll that showed it stopped had answered, so executionStoppedAt can be used as it is when
 * it is earlier than that answer; when it seems later (AWS's clock ahead of ours), that answer is
 * the bound. Either way the read is at least marginMs after the stop by AWS's clock.
 */
export function quietFrom(state: Pick<DrainState, 'exitSeenAt' | 'executionStoppedAt'>, s = DRAIN): number {
  return Math.min(state.executionStoppedAt ?? state.exitSeenAt, state.exitSeenAt) + s.marginMs
}

export function nextDrainStep(state: DrainState, now: number, s = DRAIN): DrainStep {
  const quiet = quietFrom(state, s)
  const last = state.lastRead
  if (last && last.lines === 0 && last.at >= quiet) return { kind: 'done', capped: false }
  if (state.reads >= s.maxReads || now >= state.exitSeenAt + s.maxMs) return { kind: 'done', capped: true }
  if (!last) return { kind: 'read', atMs: now }
  let at = last.at + s.intervalMs
  // The read that can end the drain is made at the moment it can, not up to an interval later.
  if (last.at < quiet && quiet < at) at = quiet
  return { kind: 'read', atMs: Math.min(at, state.exitSeenAt + s.maxMs) }
}
