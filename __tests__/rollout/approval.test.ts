// The pure decisions of modes promote and abort: what they refuse, and when; and what a deploy
// with wait-until ready refuses in the plan, from the service's pause hooks.
import {
  afterProductionShift,
  decideAbort,
  decidePromote,
  refuseReadyPauses
} from '../../src/rollout/approval.js'
import type { Waiting, WaitingLookup } from '../../src/rollout/contract.js'
import type { TargetGroupEvidence } from '../../src/watch/verdict.js'

const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/1'
const NOW = Date.parse('2026-12-05T06:00:00Z')

function green(healthy: number, expected = 2): TargetGroupEvidence {
  return {
    targetGroupArn: GREEN,
    healthy,
    expected,
    targets: [
      { task: '-', id: '10.0.0.1', port: 8000, state: 'healthy' },
      {
        task: '-',
        id: '10.0.0.2',
        port: 8000,
        state: healthy >= 2 ? 'healthy' : 'unhealthy',
        ...(healthy < 2 && { reason: 'Target.ResponseCodeMismatch' })
      }
    ]
  }
}

function waiting(overrides: Partial<Waiting> = {}): Waiting {
  return {
    deploymentId: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/1',
    hookId: 'ecs-pause-1',
    stage: 'POST_TEST_TRAFFIC_SHIFT',
    expiresAt: NOW + 60_000,
    atExpiry: 'ROLLBACK',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
    previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    green: [green(2)],
    controller: 'ECS',
    ...overrides
  }
}

const found = (w: Waiting): WaitingLookup => ({ kind: 'waiting', waiting: w })

describe('decidePromote', () => {
  it('promotes a waiting deployment whose new targets are all healthy', () => {
    const w = waiting()
    expect(decidePromote(found(w), NOW)).toEqual({ kind: 'promote', waiting: w })
  })

  it('refuses while a new target is unhealthy, naming it and its reason', () => {
    const decision = decidePromote(found(waiting({ green: [green(1)] })), NOW)
    expect(decision.kind).toBe('refuse')
    expect(decision.kind === 'refuse' && decision.reason).toMatch(
      /not all healthy \(web-tg-green 1\/2 healthy; 10\.0\.0\.2:8000 unhealthy \(Target\.ResponseCodeMismatch\)\)/
    )
  })

  it('refuses with no target group to check, or none expected', () => {
    expect(decidePromote(found(waiting({ green: [] })), NOW).kind).toBe('refuse')
    expect(decidePromote(found(waiting({ green: [green(0, 0)] })), NOW).kind).toBe('refuse')
  })

  it('refuses once the controller says the wait ran out, and says what it does then', () => {
    const decision = decidePromote(found(waiting({ expiresAt: NOW - 1 })), NOW)
    expect(decision.kind === 'refuse' && decision.reason).toMatch(
      /waited for approval until 2026-12-05 05:59:59 UTC, and that has passed: ECS rolls back to web:1/
    )
  })

  it('never refuses on an estimated expiry (CodeDeploy): its status decides', () => {
    const w = waiting({
      expiresAt: NOW - 1,
      expiryEstimated: true,
      controller: 'CodeDeploy',
      atExpiry: 'STOP'
    })
    expect(decidePromote(found(w), NOW).kind).toBe('promote')
  })

  it('says already promoted rather than refusing a second promote', () => {
    const decision = decidePromote(
      { kind: 'promoted', deploymentId: 'd-1', taskDefinitionArn: 'web:2', reason: 'it Succeeded' },
      NOW
    )
    expect(decision).toEqual({
      kind: 'already-promoted',
      deploymentId: 'd-1',
      taskDefinitionArn: 'web:2',
      reason: 'it Succeeded'
    })
  })

  it('refuses when nothing waits, or it expired, with the strategy’s reason', () => {
    expect(decidePromote({ kind: 'none', reason: 'it is SUCCESSFUL' }, NOW)).toEqual({
      kind: 'refuse',
      reason: 'nothing waits for approval, so nothing was promoted: it is SUCCESSFUL'
    })
    expect(decidePromote({ kind: 'expired', deploymentId: 'd-1', reason: 'it ran out' }, NOW)).toEqual({
      kind: 'refuse',
      reason: 'nothing to be promoted: it ran out'
    })
  })
})

describe('decideAbort', () => {
  it('aborts a waiting deployment even when its new targets are unhealthy', () => {
    const w = waiting({ green: [green(0)] })
    expect(decideAbort(found(w), NOW)).toEqual({ kind: 'abort', waiting: w })
  })

  it('refuses when nothing waits, when it was promoted, or after the wait ran out', () => {
    expect(decideAbort({ kind: 'none', reason: 'x' }, NOW).kind).toBe('refuse')
    expect(
      decideAbort({ kind: 'promoted', deploymentId: 'd', taskDefinitionArn: 't', reason: 'r' }, NOW).kind
    ).toBe('refuse')
    expect(decideAbort(found(waiting({ expiresAt: NOW })), NOW).kind).toBe('refuse')
  })
})

describe('a pause after production traffic moved', () => {
  it('is refused by promote and abort, naming the stage and the CLI call that moves it on', () => {
    const late = waiting({ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT' })
    const promote = decidePromote(found(late), NOW)
    const abort = decideAbort(found(late), NOW)
    expect(promote.kind === 'refuse' && promote.reason).toMatch(
      /paused at POST_PRODUCTION_TRAFFIC_SHIFT, after production traffic moved.*--hook-id ecs-pause-1 --action CONTINUE$/
    )
    expect(abort.kind === 'refuse' && abort.reason).toMatch(/--action ROLLBACK$/)
  })

  it('does not touch pauses before production moves, nor CodeDeploy Ready', () => {
    for (const stage of ['POST_SCALE_UP', 'POST_TEST_TRAFFIC_SHIFT'])
      expect(decidePromote(found(waiting({ stage })), NOW).kind).toBe('promote')
    expect(decideAbort(found(waiting({ stage: 'Ready', controller: 'CodeDeploy' })), NOW).kind).toBe('abort')
  })
})

describe('refuseReadyPauses: wait-until ready on an ECS-native service, from its PAUSE hooks', () => {
  it.each([['PRODUCTION_TRAFFIC_SHIFT'], ['POST_PRODUCTION_TRAFFIC_SHIFT'], ['BAKE_TIME']])(
    'refuses when the only pause is at %s, naming the input, the service and the stage',
    stage => {
      expect(refuseReadyPauses('web', [stage])).toMatch(
        new RegExp(
          `^input wait-until: \`ready\` .* service web pauses only at ${stage}, after production traffic moved to the new revision, where promote and abort cannot act; nothing was changed`
        )
      )
    }
  )

  it('names every late stage once when several hooks pause after production moves', () => {
    expect(
      refuseReadyPauses('web', [
        'PRODUCTION_TRAFFIC_SHIFT',
        'POST_PRODUCTION_TRAFFIC_SHIFT',
        'POST_PRODUCTION_TRAFFIC_SHIFT'
      ])
    ).toMatch(/pauses only at PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT, after/)
  })

  it('refuses a service with no PAUSE hook', () => {
    expect(refuseReadyPauses('web', [])).toMatch(
      /^input wait-until: `ready` .* service web has no PAUSE hook/
    )
  })

  it('accepts a pause before production moves, alone or beside a later one', () => {
    for (const stages of [
      ['POST_TEST_TRAFFIC_SHIFT'],
      ['POST_SCALE_UP'],
      ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
      ['POST_PRODUCTION_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT']
    ])
      expect(refuseReadyPauses('web', stages)).toBeUndefined()
  })

  it('draws the line where promote and abort draw it', () => {
    for (const stage of ['POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']) {
      const refusedByDeploy = refuseReadyPauses('web', [stage]) !== undefined
      const refusedByPromote = decidePromote(found(waiting({ stage })), NOW).kind === 'refuse'
      expect(refusedByDeploy).toBe(refusedByPromote)
      expect(afterProductionShift(stage)).toBe(refusedByPromote)
    }
  })
})
