import {
  DEFAULT_PACE,
  hasStarted,
  logReadDue,
  nextTaskPoll,
  paceFor,
  type MigratePace
} from '../../src/migrate/pace.js'
import { DEFAULT_BACKOFF } from '../../src/watch/poll.js'

describe('migrate pace (pure)', () => {
  const p = DEFAULT_PACE

  it.each([
    [undefined, undefined, false],
    ['PROVISIONING', undefined, false],
    ['PENDING', undefined, false],
    ['PENDING', new Date(0), true],
    ['ACTIVATING', undefined, true],
    ['RUNNING', undefined, true],
    ['DEACTIVATING', undefined, true],
    ['STOPPED', undefined, true]
  ])(
    'a task %s (image pulled at %s) may have started its command: %s',
    (lastStatus, pullStoppedAt, started) => {
      expect(
        hasStarted(
          lastStatus === undefined ? undefined : { lastStatus, ...(pullStoppedAt && { pullStoppedAt }) }
        )
      ).toBe(started)
    }
  )

  it('polls at the slow minimum while the task starts, and after StopTask', () => {
    expect(nextTaskPoll({ now: 30_000 }, p)).toBe(2000)
    expect(nextTaskPoll({ now: 30_000, startedSeenAt: 1000, stopRequested: true }, p)).toBe(2000)
  })

  it('polls every 300 ms for 10 s after the start was seen, then grows by a tenth of the time past that', () => {
    const at = (sinceStart: number) => nextTaskPoll({ now: 10_000 + sinceStart, startedSeenAt: 10_000 }, p)
    expect(at(0)).toBe(300)
    expect(at(9_999)).toBe(300)
    expect(at(10_000)).toBe(300)
    expect(at(20_000)).toBe(1300)
    expect(at(70_000)).toBe(6300)
    expect(at(10_000 + 147_000)).toBe(15_000)
    expect(at(3600_000)).toBe(15_000)
  })

  it('takes the slow and longest intervals from the poll settings, and keeps the short one no longer than their minimum', () => {
    expect(paceFor(DEFAULT_BACKOFF)).toEqual(DEFAULT_PACE)
    // The e2e tests' settings against a time-scaled simulator.
    expect(paceFor({ minMs: 100, maxMs: 500, factor: 1.5 })).toEqual<MigratePace>({
      ...DEFAULT_PACE,
      startingMs: 100,
      hotMs: 100,
      maxMs: 500,
      quietLogMs: 100
    })
    expect(paceFor({ minMs: 0, maxMs: 0, factor: 1.5 })).toMatchObject({ startingMs: 1, hotMs: 1, maxMs: 1 })
  })

  it('reads no log before the container starts; then a log that brought lines on the next poll, and a quiet one after 2 s or two task intervals', () => {
    const due = (
      last: { at: number; lines: number } | undefined,
      now: number,
      taskDelayMs: number,
      status = 'RUNNING'
    ) => logReadDue({ task: { lastStatus: status }, last, now, taskDelayMs }, p)
    expect(due(undefined, 0, 2000, 'PROVISIONING')).toBe(false)
    expect(due(undefined, 0, 2000, 'PENDING')).toBe(false)
    expect(due(undefined, 0, 300)).toBe(true)
    expect(due({ at: 1000, lines: 3 }, 1300, 300)).toBe(true)
    expect(due({ at: 1000, lines: 0 }, 2900, 300)).toBe(false)
    expect(due({ at: 1000, lines: 0 }, 3000, 300)).toBe(true)
    expect(due({ at: 1000, lines: 0 }, 6000, 5000)).toBe(false)
    expect(due({ at: 1000, lines: 0 }, 11_000, 5000)).toBe(true)
    // At the longest interval, every poll.
    expect(due({ at: 1000, lines: 0 }, 16_000, 15_000)).toBe(true)
  })

  it('keeps a migration of several minutes well under 1 call per second', () => {
    // 40 s of PROVISIONING and PENDING (Fargate), then a 5-minute migration: DescribeTasks on
    // every poll, GetLogEvents when due, the log quiet throughout (the fewest reads that are due).
    let now = 0
    let startedSeenAt: number | undefined
    let lastRead: { at: number; lines: number } | undefined
    let delay = p.startingMs
    let calls = 0
    while (now < 340_000) {
      calls++
      const status = now >= 40_000 ? 'RUNNING' : 'PENDING'
      if (startedSeenAt === undefined && status === 'RUNNING') startedSeenAt = now
      if (logReadDue({ task: { lastStatus: status }, last: lastRead, now, taskDelayMs: delay }, p)) {
        calls++
        lastRead = { at: now, lines: 0 }
      }
      delay = nextTaskPoll({ now, ...(startedSeenAt !== undefined && { startedSeenAt }) }, p)
      now += delay
    }
    expect(calls / 340).toBeLessThan(0.42)
  })
})
