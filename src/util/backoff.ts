// Adaptive polling: poll quickly while the thing we watch is changing, back off while it is
// not. ECS and ELB throttle Describe calls per account, so a long quiet wait must not hammer them.
export interface BackoffSettings {
  readonly minMs: number
  readonly maxMs: number
  readonly factor: number
}

export const DEFAULT_BACKOFF: BackoffSettings = { minMs: 2000, maxMs: 15000, factor: 1.5 }

/** The delay before the next poll, given the last delay and whether the last poll saw a change. */
export function nextPollDelay(previousMs: number | undefined, changed: boolean, s = DEFAULT_BACKOFF): number {
  if (previousMs === undefined || changed) return s.minMs
  return Math.min(s.maxMs, Math.round(previousMs * s.factor))
}
