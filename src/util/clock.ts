// Time is injected everywhere we wait, so a test of a 30-minute timeout runs in milliseconds.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
}

/** A clock whose sleep advances time instantly: for tests of waiting code. */
export function fakeClock(start = 0): Clock & { advance(ms: number): void } {
  let t = start
  return {
    now: () => t,
    sleep: async ms => {
      t += ms
    },
    advance: ms => {
      t += ms
    }
  }
}
