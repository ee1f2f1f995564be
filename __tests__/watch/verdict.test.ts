import {
  decide,
  DEFAULT_FAILURE_THRESHOLD,
  expectedTarget,
  transitionPending,
  type Decision
} from '../../src/watch/verdict.js'
import type {
  DeploymentView,
  Observation,
  TargetView,
  TaskView,
  WatchContext
} from '../../src/watch/observation.js'

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123'
const TG2 = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-admin/4567'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const OURS = 'ecs-svc/222'

const context: WatchContext = {
  label: 'deployment',
  deploymentId: OURS,
  taskDefinitionArn: NEW,
  startedAt: 0,
  timeoutMs: 30 * 60_000,
  loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 8000 }],
  networkMode: 'awsvpc',
  healthCheckGracePeriodMs: 30_000,
  containerHealthChecks: false,
  failureThreshold: DEFAULT_FAILURE_THRESHOLD
}

function deployment(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id: OURS,
    status: 'PRIMARY',
    taskDefinition: NEW,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    ...overrides
  }
}
const old = (overrides: Partial<DeploymentView> = {}) =>
  deployment({
    id: 'ecs-svc/111',
    status: 'ACTIVE',
    taskDefinition: OLD,
    rolloutState: 'COMPLETED',
    ...overrides
  })

function task(n: number, overrides: Partial<TaskView> = {}): TaskView {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/task${n}`,
    startedBy: OURS,
    taskDefinitionArn: NEW,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    startedAt: 0,
    containers: [{ name: 'web', lastStatus: 'RUNNING' }],
    privateIp: `10.0.0.${n}`,
    bindings: [],
    ...overrides
  }
}
const stopped = (n: number, overrides: Partial<TaskView> = {}) =>
  task(n, {
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'web', lastStatus: 'STOPPED', exitCode: 1, reason: 'ModuleNotFoundError' }],
    ...overrides
  })
const target = (n: number, state: string, extra: Partial<TargetView> = {}): TargetView => ({
  id: `10.0.0.${n}`,
  port: 8000,
  state,
  ...extra
})

function observe(overrides: Partial<Observation> = {}): Observation {
  return {
    at: 60_000,
    deployments: [deployment()],
    tasks: [task(1), task(2)],
    targetGroups: [{ arn: TG, targets: [target(1, 'healthy'), target(2, 'healthy')] }],
    ...overrides
  }
}

type Row = [string, Observation, Partial<WatchContext>, Decision['kind'], string]

const rows: Row[] = [
  [
    'the only deployment, COMPLETED, every target healthy',
    observe(),
    {},
    'done',
    '2/2 tasks RUNNING; every target healthy in web-tg (2/2)'
  ],
  [
    'an INACTIVE older deployment still listed does not hold it up',
    observe({ deployments: [deployment(), old({ status: 'INACTIVE', runningCount: 0 })] }),
    {},
    'done',
    '2/2 tasks RUNNING'
  ],
  [
    'an older deployment still draining',
    observe({ deployments: [deployment(), old({ runningCount: 1 })] }),
    {},
    'wait',
    '1 older deployment to finish draining'
  ],
  [
    'rollout IN_PROGRESS',
    observe({ deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 })] }),
    {},
    'wait',
    'the rollout to complete (1/2 running)'
  ],
  [
    'no rolloutState but running == desired',
    observe({ deployments: [deployment({ rolloutState: undefined })] }),
    {},
    'done',
    '2/2 tasks RUNNING'
  ],
  [
    'a task still PENDING',
    observe({ tasks: [task(1), task(2, { lastStatus: 'PENDING' })] }),
    {},
    'wait',
    'tasks to be RUNNING (1/2)'
  ],
  [
    'a target still initial',
    observe({
      targetGroups: [
        {
          arn: TG,
          targets: [target(1, 'healthy'), target(2, 'initial', { reason: 'Elb.InitialHealthChecking' })]
        }
      ]
    }),
    {},
    'wait',
    'targets to be healthy (web-tg 1/2)'
  ],
  [
    'a target not registered yet',
    observe({ targetGroups: [{ arn: TG, targets: [target(1, 'healthy')] }] }),
    {},
    'wait',
    'targets to be healthy (web-tg 1/2)'
  ],
  [
    'healthy in one target group but not yet in the second',
    observe({
      targetGroups: [
        { arn: TG, targets: [target(1, 'healthy'), target(2, 'healthy')] },
        { arn: TG2, targets: [target(1, 'healthy')] }
      ]
    }),
    {
      loadBalancers: [
        { targetGroupArn: TG, containerName: 'web', containerPort: 8000 },
        { targetGroupArn: TG2, containerName: 'web', containerPort: 8000 }
      ]
    },
    'wait',
    'web-tg 2/2, web-admin 1/2'
  ],
  [
    'old tasks healthy do not count for ours',
    observe({ tasks: [task(1), task(2, { startedBy: 'ecs-svc/111', taskDefinitionArn: OLD })] }),
    {},
    'wait',
    'tasks to be RUNNING (1/2)'
  ],
  [
    'ECS marks the rollout FAILED',
    observe({
      deployments: [
        deployment({
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
        })
      ]
    }),
    {},
    'failed',
    'ECS marked deployment ecs-svc/222 FAILED: ECS deployment circuit breaker: tasks failed to start.'
  ],
  [
    'the circuit breaker rolled back (a new PRIMARY with the old revision)',
    observe({
      deployments: [
        deployment({ id: 'ecs-svc/333', taskDefinition: OLD, rolloutState: 'IN_PROGRESS' }),
        deployment({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
        })
      ]
    }),
    {},
    'failed',
    'deployment ecs-svc/222 was replaced by deployment ecs-svc/333 (web:7): ECS deployment circuit breaker: tasks failed to start.'
  ],
  [
    'our deployment gone from the service',
    observe({ deployments: [deployment({ id: 'ecs-svc/999', taskDefinition: 'x/web:9' })] }),
    {},
    'failed',
    'was replaced by deployment ecs-svc/999 (web:9)'
  ],
  [
    'one crash the scheduler replaced is not a verdict',
    observe({ tasks: [task(1), task(2), stopped(3)] }),
    {},
    'done',
    '2/2 tasks RUNNING'
  ],
  [
    'two crashes of the new revision fail with exit code and reason',
    observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 2 })],
      tasks: [stopped(3), stopped(4), task(5, { lastStatus: 'PENDING' })]
    }),
    {},
    'failed',
    '2 new tasks failed: task task3 stopped (EssentialContainerExited): Essential container in task exited; web exited 1: ModuleNotFoundError'
  ],
  [
    'tasks that cannot start',
    observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0 })],
      tasks: [1, 2].map(n =>
        stopped(n, {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull access denied',
          containers: [{ name: 'web' }]
        })
      )
    }),
    {},
    'failed',
    'task task1 stopped (TaskFailedToStart): CannotPullContainerError: pull access denied'
  ],
  [
    'stops that are not the revision’s fault (Spot, scale-in) do not count',
    observe({
      tasks: [
        task(1),
        task(2),
        stopped(3, { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }),
        stopped(4, {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/222)'
        })
      ]
    }),
    {},
    'done',
    '2/2 tasks RUNNING'
  ],
  [
    'targets of new tasks unhealthy past the grace period',
    observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' })],
      targetGroups: [
        {
          arn: TG,
          targets: [1, 2].map(n =>
            target(n, 'unhealthy', {
              reason: 'Target.ResponseCodeMismatch',
              description: 'Health checks failed with these codes: [500]'
            })
          )
        }
      ]
    }),
    {},
    'failed',
    'new tasks fail their load balancer health checks: target 10.0.0.1:8000 of task task1 is unhealthy in web-tg (Target.ResponseCodeMismatch: Health checks failed with these codes: [500])'
  ],
  [
    'unhealthy targets inside the grace period are waited out',
    observe({
      at: 20_000,
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' })],
      targetGroups: [
        { arn: TG, targets: [1, 2].map(n => target(n, 'unhealthy', { reason: 'Target.Timeout' })) }
      ]
    }),
    {},
    'wait',
    'the rollout to complete'
  ],
  [
    'one unhealthy target and one task already stopped for ELB health checks',
    observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1 })],
      tasks: [
        task(1),
        stopped(2, {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task failed ELB health checks in (target-group web-tg)',
          containers: [{ name: 'web' }]
        })
      ],
      targetGroups: [
        {
          arn: TG,
          targets: [target(1, 'unhealthy', { reason: 'Target.Timeout', description: 'Request timed out' })]
        }
      ]
    }),
    {},
    'failed',
    'new tasks fail their load balancer health checks: target 10.0.0.1:8000 of task task1 is unhealthy in web-tg (Target.Timeout: Request timed out)'
  ],
  [
    'no load balancer: done on RUNNING, and says so',
    observe({ targetGroups: [] }),
    { loadBalancers: [] },
    'done',
    'no load balancer and no container health check: gated on tasks RUNNING only'
  ],
  [
    'no load balancer, container health checks still UNKNOWN',
    observe({
      targetGroups: [],
      tasks: [task(1, { healthStatus: 'HEALTHY' }), task(2, { healthStatus: 'UNKNOWN' })]
    }),
    { loadBalancers: [], containerHealthChecks: true },
    'wait',
    'container health checks (1/2 HEALTHY)'
  ],
  [
    'no load balancer, container health checks HEALTHY',
    observe({
      targetGroups: [],
      tasks: [task(1, { healthStatus: 'HEALTHY' }), task(2, { healthStatus: 'HEALTHY' })]
    }),
    { loadBalancers: [], containerHealthChecks: true },
    'done',
    'no load balancer: gated on tasks RUNNING and their container health checks (HEALTHY)'
  ],
  [
    'bridge mode: targets are instance id and host port',
    observe({
      tasks: [1, 2].map(n =>
        task(n, {
          privateIp: undefined,
          instanceId: `i-${n}`,
          bindings: [{ containerName: 'web', containerPort: 8000, hostPort: 32768 + n }]
        })
      ),
      targetGroups: [
        {
          arn: TG,
          targets: [
            { id: 'i-1', port: 32769, state: 'healthy' },
            { id: 'i-2', port: 32770, state: 'healthy' }
          ]
        }
      ]
    }),
    { networkMode: 'bridge' },
    'done',
    'every target healthy in web-tg (2/2)'
  ],
  [
    'bridge mode: an old task healthy on the same instance, another port, does not count for ours',
    observe({
      tasks: [1, 2].map(n =>
        task(n, {
          privateIp: undefined,
          instanceId: 'i-1',
          bindings: [{ containerName: 'web', containerPort: 8000, hostPort: 32768 + n }]
        })
      ),
      targetGroups: [
        {
          arn: TG,
          targets: [
            { id: 'i-1', port: 32769, state: 'healthy' },
            { id: 'i-1', port: 32770, state: 'initial', reason: 'Elb.InitialHealthChecking' },
            { id: 'i-1', port: 32700, state: 'healthy' }
          ]
        }
      ]
    }),
    { networkMode: 'bridge' },
    'wait',
    'targets to be healthy (web-tg 1/2)'
  ],
  [
    'timeout: names what it waited for and the last state',
    observe({
      at: 30 * 60_000,
      deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 })]
    }),
    {},
    'failed',
    'timed out after 30 minutes waiting for the rollout to complete (1/2 running); last state: deployment ecs-svc/222: 1/2 running, 1 pending · rollout IN_PROGRESS · web-tg 2/2 healthy'
  ]
]

describe('decide', () => {
  it.each(rows)('%s', (_name, observation, overrides, kind, reason) => {
    const decision = decide(observation, { ...context, ...overrides })
    expect(decision.reason).toContain(reason)
    expect(decision.kind).toBe(kind)
  })

  it('hands the circuit breaker’s rollback deployment to the caller', () => {
    const rollback = deployment({ id: 'ecs-svc/333', taskDefinition: OLD, rolloutState: 'IN_PROGRESS' })
    const decision = decide(
      observe({ deployments: [rollback, deployment({ status: 'ACTIVE', rolloutState: 'FAILED' })] }),
      context
    )
    expect(decision.kind === 'failed' && decision.failure).toMatchObject({
      cause: 'replaced',
      replacedBy: { id: 'ecs-svc/333', taskDefinition: OLD }
    })
  })

  it('keeps the evidence of every failed task', () => {
    const decision = decide(
      observe({
        tasks: [
          stopped(1),
          stopped(2, { containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError' }] })
        ]
      }),
      context
    )
    expect(decision.kind).toBe('failed')
    expect(decision.kind === 'failed' && decision.failure.evidence).toEqual([
      'task task1 stopped (EssentialContainerExited): Essential container in task exited; web exited 1: ModuleNotFoundError',
      'task task2 stopped (EssentialContainerExited): Essential container in task exited; web exited 137: OutOfMemoryError'
    ])
  })

  it('describes progress in one line that changes only when something changes', () => {
    const a = decide(
      observe({
        deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }), old()]
      }),
      context
    )
    const b = decide(
      observe({
        at: 90_000,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }), old()]
      }),
      context
    )
    expect(a.progress.line).toBe(
      'deployment ecs-svc/222: 1/2 running, 1 pending · rollout IN_PROGRESS · web-tg 2/2 healthy · 1 older deployment draining (2 running)'
    )
    expect(b.progress.line).toBe(a.progress.line)
  })
})

describe('expectedTarget', () => {
  const lb = { targetGroupArn: TG, containerName: 'web', containerPort: 8000 }
  it('is undefined until the task has an address', () => {
    expect(expectedTarget(task(1, { privateIp: undefined }), lb, 'awsvpc')).toBeUndefined()
    expect(expectedTarget(task(1, { instanceId: 'i-1' }), lb, 'bridge')).toBeUndefined()
  })
})

describe('transitionPending', () => {
  const progress = (pending: number, states: string[]) => ({
    running: 2,
    pending,
    desired: 2,
    failedTasks: 0,
    deployments: 1,
    line: '',
    targetGroups: [
      {
        targetGroupArn: 'arn:tg',
        healthy: 0,
        expected: 2,
        targets: states.map((state, i) => ({ task: `t${i}`, id: `10.0.0.${i}`, port: 8000, state }))
      }
    ]
  })

  it.each([
    [0, ['healthy', 'healthy'], false],
    [1, ['healthy'], false],
    [0, ['initial', 'healthy'], true],
    [0, ['unhealthy', 'unhealthy'], false],
    [0, [], false]
  ])('pending %d with targets %j → %s', (pending, states, expected) => {
    expect(transitionPending(progress(pending, states))).toBe(expected)
  })
})

describe('a deployment replaced after it completed', () => {
  it('is done, and says what replaced it; one replaced before completing has failed', () => {
    const context = {
      label: 'deployment' as const,
      deploymentId: 'ecs-svc/1',
      taskDefinitionArn: 'arn:td/web:2',
      startedAt: 0,
      timeoutMs: 60_000,
      loadBalancers: [],
      networkMode: 'awsvpc',
      healthCheckGracePeriodMs: 0,
      containerHealthChecks: false,
      failureThreshold: 2
    }
    const deployment = (id: string, status: string, rolloutState: string, taskDefinition: string) => ({
      id,
      status,
      rolloutState,
      taskDefinition,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0
    })
    const observe = (oursState: string) => ({
      at: 1000,
      deployments: [
        deployment('ecs-svc/2', 'PRIMARY', 'IN_PROGRESS', 'arn:td/web:3'),
        deployment('ecs-svc/1', 'ACTIVE', oursState, 'arn:td/web:2')
      ],
      tasks: [],
      targetGroups: []
    })
    const completed = decide(observe('COMPLETED'), context)
    expect(completed.kind).toBe('done')
    expect(completed.reason).toBe(
      'deployment ecs-svc/1 completed, then deployment ecs-svc/2 (web:3) replaced it'
    )
    expect(decide(observe('IN_PROGRESS'), context).kind).toBe('failed')
  })
})

describe('decide: when the next change is due', () => {
  it('old targets draining: due when the last of them has drained for the deregistration delay', () => {
    const decision = decide(
      observe({
        at: 60_000,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old({ runningCount: 2 })],
        targetGroups: [
          {
            arn: TG,
            deregistrationDelayMs: 30_000,
            targets: [
              target(1, 'healthy'),
              target(2, 'healthy'),
              target(8, 'draining', { drainingSince: 40_000 }),
              target(9, 'draining', { drainingSince: 45_000 })
            ]
          }
        ]
      }),
      context
    )
    expect(decision.kind).toBe('wait')
    expect(decision.progress.nextChangeWithinMs).toBe(15_000)
  })

  it('past the delay it is due now; with the delay unknown there is no hint', () => {
    const draining = (deregistrationDelayMs?: number) =>
      observe({
        at: 100_000,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old({ runningCount: 1 })],
        targetGroups: [
          {
            arn: TG,
            ...(deregistrationDelayMs !== undefined && { deregistrationDelayMs }),
            targets: [target(1, 'healthy'), target(2, 'healthy'), target(9, 'draining', { drainingSince: 0 })]
          }
        ]
      })
    expect(decide(draining(30_000), context).progress.nextChangeWithinMs).toBe(0)
    expect(decide(draining(), context).progress.nextChangeWithinMs).toBeUndefined()
  })

  it("new targets in their initial checks: due when the group's checks can first end, counted from registration or the image pull", () => {
    const initial = (pullStoppedAt?: number) =>
      observe({
        at: 30_000,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS' })],
        tasks: [task(1, { ...(pullStoppedAt !== undefined && { pullStoppedAt }) })],
        targetGroups: [
          {
            arn: TG,
            healthCheck: { intervalSeconds: 10, healthyThreshold: 5, unhealthyThreshold: 2 },
            targets: [target(1, 'initial', { initialSince: 20_000 })]
          }
        ]
      })
    // Unhealthy after 2 × 10 s comes before healthy after 5 × 10 s: 20 s + 20 s − 30 s.
    expect(decide(initial(), context).progress.nextChangeWithinMs).toBe(10_000)
    // The target registered after its task's image pull, which AWS says ended at 24 s.
    expect(decide(initial(24_000), context).progress.nextChangeWithinMs).toBe(14_000)
    // Without the group's settings: no hint.
    const unknown = initial()
    expect(
      decide(
        {
          ...unknown,
          targetGroups: [{ arn: TG, targets: [target(1, 'initial', { initialSince: 20_000 })] }]
        },
        context
      ).progress.nextChangeWithinMs
    ).toBeUndefined()
  })

  it('older deployments with nothing running or draining are stopping their tasks: due now', () => {
    const stopping = observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old({ runningCount: 0 })]
    })
    expect(decide(stopping, context).progress.nextChangeWithinMs).toBe(0)
    const stillServing = observe({
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old({ runningCount: 2 })]
    })
    expect(decide(stillServing, context).progress.nextChangeWithinMs).toBeUndefined()
  })

  it('a new target unhealthy within the grace period: due when the grace period ends', () => {
    const inGrace = observe({
      at: 20_000,
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' })],
      tasks: [task(1, { startedAt: 5_000 }), task(2, { startedAt: 8_000 })],
      targetGroups: [
        {
          arn: TG,
          targets: [
            target(1, 'unhealthy', { reason: 'Target.ResponseCodeMismatch' }),
            target(2, 'unhealthy', { reason: 'Target.ResponseCodeMismatch' })
          ]
        }
      ]
    })
    const decision = decide(inGrace, context)
    expect(decision.kind).toBe('wait')
    // Task 1's grace period (30 s from 5 s) ends first, at 35 s.
    expect(decision.progress.nextChangeWithinMs).toBe(15_000)
  })
})

describe("decide: ECS's drain event and targets not read yet", () => {
  it("old targets' drain, from ECS's event (AWS time), with no read of target health showing it", () => {
    const drained = (drainsBegunAt: readonly number[], deregistrationDelayMs?: number) =>
      observe({
        at: 60_000,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), old({ runningCount: 0 })],
        targetGroups: [
          {
            arn: TG,
            ...(deregistrationDelayMs !== undefined && { deregistrationDelayMs }),
            targets: [target(1, 'healthy'), target(2, 'healthy')]
          }
        ],
        drainsBegunAt
      })
    // Began at 50 s, 30 s of delay: due at 80 s; not "due now" although nothing shows draining.
    expect(decide(drained([50_000], 30_000), context).progress.nextChangeWithinMs).toBe(20_000)
    // An event from before the watch began is another deployment's: due now, as without one.
    expect(decide(drained([context.startedAt - 1], 30_000), context).progress.nextChangeWithinMs).toBe(0)
    // The delay unknown: no hint from the event.
    expect(decide(drained([50_000]), context).progress.nextChangeWithinMs).toBe(0)
  })

  it('a running task of ours whose target no read has shown: checks counted from its pull; target health quiet until then', () => {
    const running = observe({
      at: 10_000,
      deployments: [deployment({ rolloutState: 'IN_PROGRESS' })],
      tasks: [task(1, { pullStoppedAt: 5_000 })],
      targetGroups: [
        {
          arn: TG,
          healthCheck: { intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
          targets: []
        }
      ]
    })
    const p = decide(running, context).progress
    expect(p.nextChangeWithinMs).toBe(15_000)
    expect(p.targetsQuietUntil).toBe(25_000)
    // Once a target of ours is healthy, its health can change any time: no quiet moment.
    const healthy = decide(
      {
        ...running,
        targetGroups: [{ ...running.targetGroups[0]!, targets: [target(1, 'healthy')] }]
      },
      context
    ).progress
    expect(healthy.targetsQuietUntil).toBeUndefined()
  })
})
