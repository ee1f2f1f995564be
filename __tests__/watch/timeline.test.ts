import { extendTimeline } from '../../src/watch/timeline.js'
import type { Observation, WatchContext } from '../../src/watch/observation.js'

const context = {
  deploymentId: 'ecs-svc/2',
  taskDefinitionArn: 'td:2',
  startedAt: 1000,
  healthCheckGracePeriodMs: 0
} as WatchContext

const task = (o: Partial<Observation['tasks'][number]> = {}) => ({
  taskArn: 't1',
  startedBy: 'ecs-svc/2',
  taskDefinitionArn: 'td:2',
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  containers: [],
  bindings: [],
  createdAt: 2000,
  pullStartedAt: 3000,
  pullStoppedAt: 6000,
  startedAt: 7000,
  ...o
})

describe('extendTimeline (pure)', () => {
  it("keeps AWS's task timestamps, the first healthy poll and the drain with its delay", () => {
    const group = (state: string, extra = {}) => ({
      arn: 'tg',
      targets: [{ id: '10.0.0.9', state, ...extra }],
      healthCheck: { intervalSeconds: 10, healthyThreshold: 2 }
    })
    const progress = (healthy: number) => ({ targetGroups: [{ healthy, expected: 1 }] })
    let t = extendTimeline(
      undefined,
      { at: 8000, deployments: [], tasks: [task()], targetGroups: [group('healthy')] },
      progress(0),
      context
    )
    t = extendTimeline(
      t,
      { at: 20_000, deployments: [], tasks: [task()], targetGroups: [group('healthy')] },
      progress(1),
      context
    )
    t = extendTimeline(
      t,
      {
        at: 22_000,
        deployments: [],
        tasks: [task(), task({ taskArn: 'old', startedBy: 'ecs-svc/1', startedAt: 1 })],
        targetGroups: [{ ...group('draining', { drainingSince: 20_000 }), deregistrationDelayMs: 30_000 }]
      },
      progress(1),
      context
    )
    t = extendTimeline(
      t,
      { at: 52_000, deployments: [], tasks: [task()], targetGroups: [group('healthy')] },
      progress(1),
      context
    )
    expect(t).toEqual({
      startedAt: 1000,
      tasksCreatedAt: 2000,
      pullStartedAt: 3000,
      pullStoppedAt: 6000,
      tasksStartedAt: 7000,
      healthyAt: 20_000,
      drainFrom: 20_000,
      drainSeenUntil: 22_000,
      drainEndedAt: 52_000,
      deregistrationDelayMs: 30_000,
      healthCheck: { intervalSeconds: 10, healthyThreshold: 2 },
      healthCheckGracePeriodMs: 0,
      endedAt: 52_000
    })
  })
})
