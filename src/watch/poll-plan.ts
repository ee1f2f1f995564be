// Pure: what the next poll reads, and when. A poll reads only what can change the verdict, and
// the loop sleeps to the moment the next change is due (a drain end, a grace period's end, a bake
// end), then polls the one call that shows it at a short interval for a bounded time: the hot
// window.
import type { Progress } from './verdict.js'

export interface ReadPlan {
  /** DescribeTargetHealth of every target group (else the last answer is used again). */
  readonly targetHealth: boolean
}

/** Target health is read again at least this often, even when it cannot change the verdict. */
export const TARGET_HEALTH_REFRESH_MS = 60_000

/**
 * Target health can change the verdict while any of our targets is not yet healthy, or while our
 * tasks move (a task starting registers a target, a task stopping deregisters one). Once every
 * one of our tasks is running and every target of theirs healthy, what is left (old targets
 * draining, old tasks stopping, ECS marking the rollout COMPLETED) shows in DescribeServices.
 * A target of ours that later fails its checks makes ECS replace its task, which moves the counts;
 * the refresh bound covers the rest. (Progress.targetsQuietUntil says when our targets' checks can
 * first end; reads are not skipped on it yet: under a time-scaled simulator the AWS figures it is
 * computed from overstate the wait, and a failing target would be read too late.)
 */
export function planReads(
  last: { readonly progress: Progress; readonly countsMoved: boolean } | undefined,
  targetHealthReadAt: number | undefined,
  now: number
): ReadPlan {
  if (!last || last.countsMoved) return { targetHealth: true }
  const p = last.progress
  if (p.targetGroups.length === 0) return { targetHealth: false }
  // None of our tasks runs yet: no target of ours to see (a task that starts moves the counts).
  if (p.running === 0 && p.targetGroups.every(g => g.expected === 0)) return { targetHealth: false }
  if (targetHealthReadAt === undefined) return { targetHealth: true }
  if (now - targetHealthReadAt >= TARGET_HEALTH_REFRESH_MS) return { targetHealth: true }
  const settled =
    p.running === p.desired &&
    p.pending === 0 &&
    p.targetGroups.every(g => g.expected > 0 && g.healthy === g.expected)
  return { targetHealth: !settled }
}

export interface HotWindow {
  /** The shortest sleep, even for a change due now. */
  readonly minMs: number
  /** Between polls once the change is due: the first interval, growing by `factor` up to `maxIntervalMs`. */
  readonly intervalMs: number
  readonly factor: number
  readonly maxIntervalMs: number
  /** How long after the due moment the short interval is kept. */
  readonly lengthMs: number
  /**
   * While waiting on a change due later (a drain end, health checks reaching their threshold, a
   * grace period's end), the longest sleep: one safety poll at least this often, so a task of
   * ours that stops meanwhile is seen within this long.
   */
  readonly safetyMs: number
}

export const HOT_WINDOW: HotWindow = {
  minMs: 50,
  intervalMs: 300,
  factor: 1.1,
  maxIntervalMs: 500,
  lengthMs: 20_000,
  safetyMs: 20_000
}

/**
 * The sleep toward a change due in `dueMs`: straight to it when it is within the safety interval,
 * else in equal steps no longer than that interval (the last one lands on the due moment).
 */
export function sleepToward(dueMs: number, w: HotWindow = HOT_WINDOW): number {
  const steps = Math.max(1, Math.ceil(dueMs / w.safetyMs))
  return Math.max(w.minMs, Math.round(dueMs / steps))
}

/**
 * The sleep before the next poll. `delay` is the backoff's; `dueWithinMs` the decision's hint of
 * the next change, a fact read from AWS (a timer whose length is known), not a guess: the loop
 * sleeps to it, below the backoff's minimum if need be and past the backoff's delay too, with a
 * safety poll at least every `safetyMs` on the way (sleepToward). `hotUntil` is the end of the
 * last hot window (clock ms), if one was opened. Returns the sleep and the hot window after it.
 * Bounded: a change due now opens a window only once; only a new moment in the future opens another.
 */
export function nextSleep(
  now: number,
  delay: number,
  dueWithinMs: number | undefined,
  hotUntil: number | undefined,
  w: HotWindow = HOT_WINDOW
): { readonly sleepMs: number; readonly hotUntil: number | undefined } {
  let until = hotUntil
  if (dueWithinMs !== undefined) {
    const due = Math.max(0, dueWithinMs)
    if (due > 0) {
      until = Math.max(until ?? 0, now + due + w.lengthMs)
      return { sleepMs: sleepToward(due, w), hotUntil: until }
    }
    until ??= now + w.lengthMs
  }
  if (until !== undefined && now < until) {
    // The change is due: the first polls come quickly, then a little less so (it may come late).
    const since = Math.max(0, now - (until - w.lengthMs))
    const grown = w.intervalMs * Math.pow(w.factor, Math.floor(since / w.intervalMs / 2))
    return { sleepMs: Math.min(delay, Math.round(Math.min(w.maxIntervalMs, grown))), hotUntil: until }
  }
  return { sleepMs: delay, hotUntil: until }
}
