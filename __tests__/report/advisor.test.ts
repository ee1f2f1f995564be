import { adviceLines, advise } from '../../src/report/advisor.js'
import type { RolloutTimeline } from '../../src/watch/timeline.js'

const s = 1000
/** A rollout on AWS's default target-group settings: 5 × 30 s checks, 300 s deregistration delay. */
const slow: RolloutTimeline = {
  startedAt: 0,
  tasksCreatedAt: 1 * s,
  pullStartedAt: 20 * s,
  pullStoppedAt: 45 * s,
  tasksStartedAt: 50 * s,
  healthyAt: 205 * s,
  drainFrom: 206 * s,
  drainSeenUntil: 505 * s,
  drainEndedAt: 506 * s,
  deregistrationDelayMs: 300 * s,
  healthCheck: { intervalSeconds: 30, healthyThreshold: 5 },
  healthCheckGracePeriodMs: 60 * s,
  endedAt: 507 * s
}

describe('advise (pure)', () => {
  it('names the phases, the setting behind each, the dominant one and what a leaner setting saves', () => {
    const advice = advise(slow)
    expect(advice.totalMs).toBe(507 * s)
    expect(advice.phases.map(p => [p.name, p.ms])).toEqual([
      ['task placement and provisioning', 19 * s],
      ['image pull', 25 * s],
      ['container start', 5 * s],
      ['new targets healthy', 155 * s],
      ['old targets draining', 300 * s]
    ])
    const drain = advice.phases.find(p => p.name === 'old targets draining')
    expect(drain).toMatchObject({
      dominant: true,
      setting: '300 s (target group deregistration_delay.timeout_seconds)',
      advice: 'if every request finishes within 10 s, a delay of 10 s would save about 290 s per deploy'
    })
    const health = advice.phases.find(p => p.name === 'new targets healthy')
    expect(health).toMatchObject({
      setting: '5 checks × 30 s (HealthyThresholdCount × HealthCheckIntervalSeconds)',
      advice: '2 checks × 10 s would make this about 20 s: up to 130 s less per deploy'
    })
    expect(health?.dominant).toBeUndefined()
  })

  it('gives no advice when the figures do not show the setting was the wait', () => {
    const lean = advise({
      ...slow,
      healthyAt: 72 * s,
      drainFrom: 73 * s,
      drainSeenUntil: 103 * s,
      drainEndedAt: 104 * s,
      deregistrationDelayMs: 30 * s,
      healthCheck: { intervalSeconds: 10, healthyThreshold: 2 },
      endedAt: 105 * s
    })
    // 2 × 10 s and a 30 s delay: the drain could save 20 s, the checks nothing.
    expect(lean.phases.find(p => p.name === 'new targets healthy')?.advice).toBeUndefined()
    // A drain that ended long before its delay (the tasks stopped on their own) says nothing either.
    const short = advise({ ...slow, drainSeenUntil: 216 * s, drainEndedAt: 217 * s, endedAt: 218 * s })
    expect(short.phases.find(p => p.name === 'old targets draining')?.advice).toBeUndefined()
    // No setting read (the role may not read target groups): the phase, and nothing to advise.
    const unread = advise({
      ...slow,
      healthCheck: undefined,
      deregistrationDelayMs: undefined
    } as RolloutTimeline)
    expect(unread.phases.every(p => p.advice === undefined)).toBe(true)
  })

  it('renders a table, the dominant phase in bold, and the grace period as a fact', () => {
    const lines = adviceLines(advise(slow), slow.healthCheckGracePeriodMs)
    expect(lines[0]).toBe('Rollout watched for 507 s:')
    expect(lines).toContain(
      '| **old targets draining** (dominant) | 300 s | 300 s (target group deregistration_delay.timeout_seconds) | if every request finishes within 10 s, a delay of 10 s would save about 290 s per deploy |'
    )
    expect(lines.at(-1)).toMatch(
      /grace period \(60 s, healthCheckGracePeriodSeconds\) does not slow a healthy rollout/
    )
    expect(adviceLines({ totalMs: 0, phases: [] }, 0)).toEqual([])
  })
})
