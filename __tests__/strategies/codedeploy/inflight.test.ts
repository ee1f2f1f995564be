import { decideEnded } from '../../../src/strategies/codedeploy/verdict.js'

describe('decideEnded', () => {
  const context = { deploymentId: 'd-OTHER', startedAt: 0, timeoutMs: 120_000 }
  it('waits while the other deployment runs or waits at Ready, and is done once it ended either way', () => {
    for (const status of ['Created', 'Queued', 'InProgress', 'Ready'])
      expect(decideEnded({ at: 1000, status }, context).kind).toBe('wait')
    for (const status of ['Succeeded', 'Failed', 'Stopped'])
      expect(decideEnded({ at: 1000, status }, context)).toMatchObject({
        kind: 'done',
        reason: `it ended ${status}`
      })
  })
  it('gives up at the timeout, with the last state', () => {
    const decision = decideEnded({ at: 120_000, status: 'Ready' }, context)
    expect(decision.kind).toBe('failed')
    expect(decision.reason).toBe(
      'timed out after 2 minutes; last state: in-flight CodeDeploy deployment d-OTHER: Ready'
    )
  })
})
