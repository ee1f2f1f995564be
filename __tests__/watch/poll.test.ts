import { nextPollDelay, DEFAULT_BACKOFF } from '../../src/watch/poll.js'

describe('nextPollDelay', () => {
  it('starts quick and returns to quick whenever something changed', () => {
    expect(nextPollDelay(undefined, false)).toBe(DEFAULT_BACKOFF.minMs)
    expect(nextPollDelay(12_000, true)).toBe(DEFAULT_BACKOFF.minMs)
  })

  it('backs off while nothing changes, never past the ceiling', () => {
    let delay: number | undefined
    const seen: number[] = []
    for (let i = 0; i < 12; i++) {
      delay = nextPollDelay(delay, false)
      seen.push(delay)
    }
    expect(seen[1]).toBeGreaterThan(seen[0] ?? 0)
    expect(Math.max(...seen)).toBe(DEFAULT_BACKOFF.maxMs)
  })
})
