import { DRAIN, nextDrainStep, quietFrom } from '../../src/migrate/drain.js'

describe('nextDrainStep (pure)', () => {
  const seen = 10_000
  it('the margin counts from executionStoppedAt, or from the answer that showed the exit when that is earlier', () => {
    expect(quietFrom({ exitSeenAt: seen })).toBe(11_000)
    expect(quietFrom({ exitSeenAt: seen, executionStoppedAt: 9_400 })).toBe(10_400)
    // AWS's clock ahead of ours: never later than the answer plus the margin, never earlier either.
    expect(quietFrom({ exitSeenAt: seen, executionStoppedAt: 30_000 })).toBe(11_000)
  })

  it('reads every 250 ms, and at the very moment the margin ends', () => {
    const step = (at: number, lines: number, reads = 1) =>
      nextDrainStep({ exitSeenAt: seen, executionStoppedAt: 9_900, reads, lastRead: { at, lines } }, at)
    expect(step(10_000, 0)).toEqual({ kind: 'read', atMs: 10_250 })
    expect(step(10_750, 0)).toEqual({ kind: 'read', atMs: 10_900 })
    expect(step(10_900, 0)).toEqual({ kind: 'done', capped: false })
    // A read past the margin that still brought lines is not the end.
    expect(step(10_900, 2)).toEqual({ kind: 'read', atMs: 11_150 })
  })

  it('is bounded in reads and in time', () => {
    expect(
      nextDrainStep({ exitSeenAt: seen, reads: DRAIN.maxReads, lastRead: { at: 12_000, lines: 1 } }, 12_000)
    ).toEqual({ kind: 'done', capped: true })
    expect(
      nextDrainStep({ exitSeenAt: seen, reads: 3, lastRead: { at: 20_000, lines: 1 } }, seen + DRAIN.maxMs)
    ).toEqual({ kind: 'done', capped: true })
  })
})
