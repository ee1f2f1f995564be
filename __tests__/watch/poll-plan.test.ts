import {
  HOT_WINDOW,
  nextSleep,
  planReads,
  sleepToward,
  TARGET_HEALTH_REFRESH_MS
} from '../../src/watch/poll-plan.js'
import type { Progress } from '../../src/watch/verdict.js'

const progress = (p: Partial<Progress> = {}): Progress => ({
  running: 2,
  pending: 0,
  desired: 2,
  failedTasks: 0,
  deployments: 2,
  targetGroups: [{ targetGroupArn: 'tg', healthy: 2, expected: 2, targets: [] }],
  line: '',
  ...p
})

describe('planReads (pure)', () => {
  it('reads target health on the first poll, when counts moved, and when it is old', () => {
    expect(planReads(undefined, undefined, 0)).toEqual({ targetHealth: true })
    expect(planReads({ progress: progress(), countsMoved: true }, 0, 1000)).toEqual({ targetHealth: true })
    expect(planReads({ progress: progress(), countsMoved: false }, 0, TARGET_HEALTH_REFRESH_MS)).toEqual({
      targetHealth: true
    })
  })

  it('skips it once every target of ours is healthy and our tasks are all running', () => {
    expect(planReads({ progress: progress(), countsMoved: false }, 0, 1000)).toEqual({ targetHealth: false })
  })

  it('reads it while a target of ours is not healthy yet, or a task is still starting', () => {
    const initial = progress({
      targetGroups: [{ targetGroupArn: 'tg', healthy: 1, expected: 2, targets: [] }]
    })
    expect(planReads({ progress: initial, countsMoved: false }, 0, 1000)).toEqual({ targetHealth: true })
    expect(
      planReads({ progress: progress({ running: 1, pending: 1 }), countsMoved: false }, 0, 1000)
    ).toEqual({
      targetHealth: true
    })
  })
})

describe('planReads: before health checks can end, and before any read', () => {
  it('reads none while no task of ours runs, even when none was read yet', () => {
    const none = progress({
      running: 0,
      pending: 2,
      targetGroups: [{ targetGroupArn: 'tg', healthy: 0, expected: 0, targets: [] }]
    })
    expect(planReads({ progress: none, countsMoved: false }, undefined, 5000)).toEqual({
      targetHealth: false
    })
    expect(planReads({ progress: progress(), countsMoved: false }, undefined, 5000)).toEqual({
      targetHealth: true
    })
  })
})

describe('nextSleep (pure)', () => {
  it('sleeps to a change due sooner than the backoff, below the 2 s minimum too', () => {
    expect(nextSleep(0, 2000, 700, undefined)).toEqual({ sleepMs: 700, hotUntil: 700 + HOT_WINDOW.lengthMs })
  })

  it('sleeps past the backoff to a known moment, with a safety poll at least every safetyMs', () => {
    // Within the safety interval: straight to it, whatever the backoff says.
    expect(nextSleep(0, 2000, 15_500, undefined).sleepMs).toBe(15_500)
    // Further: equal steps, none longer than the safety interval, the last on the due moment.
    expect(nextSleep(0, 2000, 30_000, undefined).sleepMs).toBe(15_000)
    expect(nextSleep(0, 2000, 90_000, undefined).sleepMs).toBe(18_000)
    expect(sleepToward(90_000)).toBeLessThanOrEqual(HOT_WINDOW.safetyMs)
    expect(sleepToward(1)).toBe(HOT_WINDOW.minMs)
  })

  it('polls at the short interval once the change is due, for a bounded time', () => {
    const hot = 700 + HOT_WINDOW.lengthMs
    expect(nextSleep(800, 3000, 0, hot)).toEqual({ sleepMs: HOT_WINDOW.intervalMs, hotUntil: hot })
    expect(nextSleep(800, 3000, undefined, hot)).toEqual({ sleepMs: HOT_WINDOW.intervalMs, hotUntil: hot })
    // After the window, back to the backoff, and a change "due now" does not reopen it.
    expect(nextSleep(hot, 3000, 0, hot)).toEqual({ sleepMs: 3000, hotUntil: hot })
    expect(nextSleep(hot + 60_000, 15_000, 0, hot).sleepMs).toBe(15_000)
  })

  it('a change due now opens one window when none was open', () => {
    expect(nextSleep(1000, 2000, 0, undefined)).toEqual({
      sleepMs: HOT_WINDOW.intervalMs,
      hotUntil: 1000 + HOT_WINDOW.lengthMs
    })
  })

  it('without any hint, the backoff alone', () => {
    expect(nextSleep(0, 4500, undefined, undefined)).toEqual({ sleepMs: 4500, hotUntil: undefined })
  })
})
