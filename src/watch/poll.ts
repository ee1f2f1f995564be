// Adaptive polling: poll quickly while the thing we watch is changing, back off while it is
// not. ECS and ELB throttle Describe calls per account, so a long quiet wait must not hammer them.
import { ActionError } from '../errors.js'

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

/**
 * Poll settings from the environment: ECS_SHIP_POLL_MIN_MS and ECS_SHIP_POLL_MAX_MS override
 * the 2 s / 15 s defaults (tests and the demo use small ones against the simulator).
 */
export function backoffFromEnv(env: NodeJS.ProcessEnv): BackoffSettings {
  const read = (name: string, fallback: number): number => {
    const raw = env[name]
    if (raw === undefined || raw.trim() === '') return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || n < 0)
      throw new ActionError(`${name}: "${raw}" is not a number of milliseconds`)
    return Math.round(n)
  }
  const minMs = read('ECS_SHIP_POLL_MIN_MS', DEFAULT_BACKOFF.minMs)
  const maxMs = Math.max(minMs, read('ECS_SHIP_POLL_MAX_MS', Math.max(minMs, DEFAULT_BACKOFF.maxMs)))
  return { ...DEFAULT_BACKOFF, minMs, maxMs }
}
