import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type Task
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { watchDeployment } from '../../src/watch/loop.js'
import { backoffFromEnv } from '../../src/watch/poll.js'
import { createObserver } from '../../src/watch/observe.js'
import type { DeploymentView, Observation, WatchContext } from '../../src/watch/observation.js'
import { fakeClock, type Clock } from '../../src/util/clock.js'

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const OURS = 'ecs-svc/222'
const BACKOFF = { minMs: 2000, maxMs: 15000, factor: 1.5 }

const context = (startedAt = 0): WatchContext => ({
  label: 'deployment',
  deploymentId: OURS,
  taskDefinitionArn: NEW,
  startedAt,
  timeoutMs: 30 * 60_000,
  loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 8000 }],
  networkMode: 'awsvpc',
  healthCheckGracePeriodMs: 0,
  containerHealthChecks: false,
  failureThreshold: 2
})

const ours = (o: Partial<DeploymentView> = {}): DeploymentView => ({
  id: OURS,
  status: 'PRIMARY',
  taskDefinition: NEW,
  desiredCount: 1,
  runningCount: 0,
  pendingCount: 1,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...o
})

describe('watchDeployment', () => {
  it('times out after 30 simulated minutes in milliseconds, backing off to 15 s, with the last state', async () => {
    const clock = fakeClock(0)
    const sleeps: number[] = []
    const sleep = clock.sleep
    clock.sleep = async ms => {
      sleeps.push(ms)
      await sleep(ms)
    }
    const lines: string[] = []
    let polls = 0
    const observer = {
      observe: async (): Promise<Observation> => {
        polls++
        return { at: clock.now(), deployments: [ours()], tasks: [], targetGroups: [{ arn: TG, targets: [] }] }
      }
    }
    const decision = await watchDeployment(observer, context(), {
      clock,
      log: l => lines.push(l),
      backoff: BACKOFF
    })
    expect(decision.kind).toBe('failed')
    expect(decision.reason).toMatch(
      /^timed out after 30 minutes waiting for the rollout to complete \(0\/1 running\); last state: /
    )
    expect(clock.now()).toBe(30 * 60_000)
    // Nothing changed, so the log has one progress line and the polls backed off to the ceiling.
    expect(lines).toHaveLength(1)
    expect(Math.max(...sleeps)).toBe(15_000)
    expect(sleeps[0]).toBe(2000)
    expect(polls).toBeLessThan((30 * 60) / 15 + 20)
  })

  it('polls quickly while things change and prints a line per change', async () => {
    const clock = fakeClock(0)
    const states: Observation['deployments'][] = [
      [ours()],
      [ours()],
      [ours({ runningCount: 1, pendingCount: 0 })],
      [ours({ runningCount: 1, pendingCount: 0, rolloutState: 'COMPLETED' })]
    ]
    let i = 0
    const observer = {
      observe: async (): Promise<Observation> => {
        const deployments = states[Math.min(i++, states.length - 1)] ?? []
        const running = (deployments[0]?.runningCount ?? 0) > 0
        return {
          at: clock.now(),
          deployments,
          tasks: running
            ? [
                {
                  taskArn: 't/1',
                  startedBy: OURS,
                  taskDefinitionArn: NEW,
                  lastStatus: 'RUNNING',
                  desiredStatus: 'RUNNING',
                  containers: [],
                  privateIp: '10.0.0.1',
                  bindings: []
                }
              ]
            : [],
          targetGroups: [
            { arn: TG, targets: running ? [{ id: '10.0.0.1', port: 8000, state: 'healthy' }] : [] }
          ]
        }
      }
    }
    const lines: string[] = []
    const decision = await watchDeployment(observer, context(), {
      clock,
      log: l => lines.push(l),
      backoff: BACKOFF
    })
    expect(decision.kind).toBe('done')
    expect(lines).toEqual([
      'deployment ecs-svc/222: 0/1 running, 1 pending · rollout IN_PROGRESS · web-tg 0/0 healthy',
      'deployment ecs-svc/222: 1/1 running, 0 pending · rollout IN_PROGRESS · web-tg 1/1 healthy',
      'deployment ecs-svc/222: 1/1 running, 0 pending · rollout COMPLETED · web-tg 1/1 healthy'
    ])
    // 2 s, then 3 s (no change), then 2 s after each change.
    expect(clock.now()).toBe(2000 + 3000 + 2000)
  })

  it('fails at once on a credential error, without waiting', async () => {
    const clock = fakeClock(0)
    const expired = Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredTokenException'
    })
    const observer = { observe: async (): Promise<Observation> => Promise.reject(expired) }
    await expect(watchDeployment(observer, context(), { clock, log: () => undefined })).rejects.toBe(expired)
    expect(clock.now()).toBe(0)
  })

  it('rides out a few failed polls, and gives up after five in a row', async () => {
    const clock = fakeClock(0)
    const lines: string[] = []
    let calls = 0
    const flaky = {
      observe: async (): Promise<Observation> => {
        calls++
        if (calls <= 2) throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' })
        return {
          at: clock.now(),
          deployments: [ours({ runningCount: 1, pendingCount: 0, rolloutState: 'COMPLETED' })],
          tasks: [],
          targetGroups: []
        }
      }
    }
    const ctx = { ...context(), loadBalancers: [] }
    // No tasks listed yet: waits, then we stop it with a short timeout.
    const decision = await watchDeployment(
      flaky,
      { ...ctx, timeoutMs: 60_000 },
      { clock, log: l => lines.push(l) }
    )
    expect(lines.filter(l => l.startsWith('poll failed'))).toHaveLength(2)
    expect(decision.kind).toBe('failed')

    const broken = { observe: async (): Promise<Observation> => Promise.reject(new Error('socket hang up')) }
    await expect(watchDeployment(broken, ctx, { clock: fakeClock(0), log: () => undefined })).rejects.toThrow(
      '5 polls in a row failed while watching ecs-svc/222; last error: socket hang up'
    )
  })
})

describe('backoffFromEnv', () => {
  it('reads ECS_SHIP_POLL_MIN_MS and ECS_SHIP_POLL_MAX_MS', () => {
    expect(backoffFromEnv({})).toMatchObject({ minMs: 2000, maxMs: 15000 })
    expect(backoffFromEnv({ ECS_SHIP_POLL_MIN_MS: '50', ECS_SHIP_POLL_MAX_MS: '200' })).toMatchObject({
      minMs: 50,
      maxMs: 200
    })
    expect(() => backoffFromEnv({ ECS_SHIP_POLL_MIN_MS: 'soon' })).toThrow('ECS_SHIP_POLL_MIN_MS')
  })
})

describe('createObserver (aws-sdk-client-mock)', () => {
  const ecsMock = mockClient(ECSClient)
  const elbMock = mockClient(ElasticLoadBalancingV2Client)
  afterEach(() => {
    ecsMock.reset()
    elbMock.reset()
  })

  /** The observer of deployment OURS of service web, through the mocked clients. */
  const webObserver = (clock: Clock) =>
    createObserver(
      new ECSClient({ region: 'us-east-1' }),
      new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      {
        cluster: 'demo',
        service: 'web',
        targetGroupArns: [TG],
        deploymentId: OURS,
        watchContainerHealth: false
      },
      clock
    )

  const deployment = (runningCount: number): Deployment => ({
    id: OURS,
    status: 'PRIMARY',
    taskDefinition: NEW,
    desiredCount: 1,
    runningCount,
    pendingCount: 1 - runningCount,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS'
  })
  const runningTask: Task = {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/abc',
    startedBy: OURS,
    taskDefinitionArn: NEW,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [
      { type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '10.0.1.5' }] }
    ],
    containers: [{ name: 'web', lastStatus: 'RUNNING' }]
  }

  it('makes one DescribeServices and one DescribeTargetHealth per poll, and lists tasks only when counts move', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ deployments: [deployment(1)] }] })
      .resolves({ services: [{ deployments: [deployment(1)] }] })
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolves({ taskArns: [runningTask.taskArn as string] })
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] })
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask] })
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.1.5', Port: 8000 },
          TargetHealth: { State: 'initial', Reason: 'Elb.InitialHealthChecking' }
        }
      ]
    })
    const clock = fakeClock(0)
    const observer = webObserver(clock)
    const first = await observer.observe()
    clock.advance(2000)
    const second = await observer.observe()
    expect(first.tasks[0]).toMatchObject({ privateIp: '10.0.1.5', startedBy: OURS, lastStatus: 'RUNNING' })
    expect(second.targetGroups[0]?.targets[0]).toEqual({
      id: '10.0.1.5',
      port: 8000,
      state: 'initial',
      reason: 'Elb.InitialHealthChecking'
    })
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(2)
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)).toHaveLength(2)
    // Tasks were listed on the first poll only: the counts did not move and the task is settled;
    // STOPPED ones not at all, as ECS counted no failed task.
    expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(1)
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(1)
    expect(second.tasks).toHaveLength(1)
  })
  it('lean polls: target health left out once ours are healthy, STOPPED listed only when one of ours may have stopped, older counts ignored', async () => {
    const older = (runningCount: number): Deployment => ({
      id: 'ecs-svc/111',
      status: 'ACTIVE',
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
      desiredCount: runningCount,
      runningCount,
      pendingCount: 0,
      failedTasks: 0
    })
    const answers = [
      [deployment(1), older(1)],
      [deployment(1), older(1)],
      [deployment(1), older(0)],
      [deployment(1), older(0)]
    ]
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [{ deployments: answers[poll] }] }))
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolves({ taskArns: [runningTask.taskArn as string] })
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] })
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask] })
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.5', Port: 8000 }, TargetHealth: { State: 'healthy' } }
      ]
    })
    const { decide } = await import('../../src/watch/verdict.js')
    const clock = fakeClock(0)
    const observer = webObserver(clock)
    let last
    for (; poll < answers.length; poll++) {
      const seen = await observer.observe(last)
      last = decide(seen, context()).progress
      clock.advance(1000)
    }
    // Read on the first poll and on the fourth (the older deployment's counts moved on the third,
    // with no drain event of ECS to say when); never on the second (the first poll's counts are
    // no move) nor the third.
    expect(elbMock.commandCalls(DescribeTargetHealthCommand)).toHaveLength(2)
    // Our counts never moved: tasks listed once, and STOPPED ones never (no failed task counted).
    expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(1)
    // The deregistration delay: asked once, alongside the first poll.
    expect(elbMock.commandCalls(DescribeTargetGroupAttributesCommand)).toHaveLength(1)
  })

  it('bridge tasks: their container instance is looked up once, and the target is instance + host port', async () => {
    const bridgeTask: Task = {
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/br1',
      startedBy: OURS,
      taskDefinitionArn: NEW,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-1',
      containers: [
        {
          name: 'web',
          lastStatus: 'RUNNING',
          networkBindings: [{ containerPort: 8000, hostPort: 32771, protocol: 'tcp' }]
        }
      ]
    }
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ deployments: [deployment(1)] }] })
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolves({ taskArns: [bridgeTask.taskArn as string] })
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] })
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [bridgeTask] })
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: bridgeTask.containerInstanceArn as string, ec2InstanceId: 'i-0abc' }
      ]
    })
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] })
    const clock = fakeClock(0)
    const observer = webObserver(clock)
    const first = await observer.observe()
    clock.advance(60_000)
    await observer.observe()
    expect(first.tasks[0]).toMatchObject({
      instanceId: 'i-0abc',
      bindings: [{ containerName: 'web', containerPort: 8000, hostPort: 32771 }]
    })
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(1)
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand)[0]?.args[0].input).toEqual({
      cluster: 'demo',
      containerInstances: [bridgeTask.containerInstanceArn]
    })
  })

  it('draining targets: first-seen time kept, the deregistration delay read once, a denied read only loses the hint', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ deployments: [deployment(1)] }] })
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.1.9', Port: 8000 },
          TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress' }
        }
      ]
    })
    elbMock
      .on(DescribeTargetGroupAttributesCommand)
      .resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] })
    const clock = fakeClock(1000)
    const observer = webObserver(clock)
    await observer.observe()
    clock.advance(5000)
    const second = await observer.observe()
    expect(second.targetGroups[0]).toMatchObject({
      deregistrationDelayMs: 30_000,
      targets: [{ id: '10.0.1.9', state: 'draining', drainingSince: 1000 }]
    })
    expect(elbMock.commandCalls(DescribeTargetGroupAttributesCommand)).toHaveLength(1)

    elbMock.reset()
    elbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.9', Port: 8000 }, TargetHealth: { State: 'draining' } }
      ]
    })
    elbMock
      .on(DescribeTargetGroupAttributesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }))
    const denied = webObserver(clock)
    const observed = await denied.observe()
    expect(observed.targetGroups[0]?.deregistrationDelayMs).toBeUndefined()
  })

  it('lists tasks again when the counts move, and never describes a STOPPED task twice', async () => {
    const stoppedTask: Task = {
      ...runningTask,
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/dead',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        { name: 'web', lastStatus: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError: Container killed' }
      ]
    }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ deployments: [deployment(0)] }] })
      .resolvesOnce({ services: [{ deployments: [{ ...deployment(0), failedTasks: 1 }] }] })
      .resolves({ services: [{ deployments: [{ ...deployment(1), failedTasks: 1 }] }] })
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'STOPPED' })
      .resolves({ taskArns: [stoppedTask.taskArn as string] })
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolvesOnce({ taskArns: [] })
      .resolves({ taskArns: [runningTask.taskArn as string] })
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [stoppedTask, runningTask].filter(t => input.tasks.includes(t.taskArn as string))
    }))
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] })
    const clock = fakeClock(0)
    const observer = webObserver(clock)
    await observer.observe()
    const second = await observer.observe()
    const third = await observer.observe()
    const dead = second.tasks.find(t => t.taskArn === stoppedTask.taskArn)
    expect(dead?.containers[0]).toMatchObject({
      exitCode: 137,
      reason: 'OutOfMemoryError: Container killed'
    })
    expect(third.tasks.map(t => t.lastStatus).sort()).toEqual(['RUNNING', 'STOPPED'])
    const described = ecsMock.commandCalls(DescribeTasksCommand).flatMap(c => c.args[0].input.tasks ?? [])
    expect(described.filter(arn => arn === stoppedTask.taskArn)).toHaveLength(1)
  })
})

describe('watchLoop', () => {
  it('does not sleep past a change the decision expects soon, however long it has been quiet', async () => {
    const { watchLoop } = await import('../../src/watch/loop.js')
    const clock = fakeClock(0)
    const sleeps: number[] = []
    const sleep = clock.sleep
    clock.sleep = async ms => {
      sleeps.push(ms)
      await sleep(ms)
    }
    const progress = (nextChangeWithinMs?: number) => ({
      running: 0,
      pending: 0,
      desired: 0,
      failedTasks: 0,
      deployments: 1,
      targetGroups: [],
      line: 'quiet',
      ...(nextChangeWithinMs !== undefined && { nextChangeWithinMs })
    })
    let polls = 0
    const decision = await watchLoop(
      async () => ++polls,
      n =>
        n < 6
          ? { kind: 'wait', reason: 'baking', progress: progress(n < 4 ? undefined : n === 4 ? 5000 : 0) }
          : { kind: 'done', reason: 'over', progress: progress() },
      { deploymentId: 'x', startedAt: 0, timeoutMs: 60 * 60_000 },
      { clock, log: () => undefined, backoff: BACKOFF }
    )
    expect(decision.kind).toBe('done')
    // Backing off while quiet (2, 3, 4.5 s), then capped at the 5 s hint, then, the change being
    // due, the hot window's short interval.
    expect(sleeps).toEqual([2000, 3000, 4500, 5000, 300])
  })

  it('sleeps to a change due sooner than the 2 s minimum, then polls it at the short interval', async () => {
    const { watchLoop } = await import('../../src/watch/loop.js')
    const clock = fakeClock(0)
    const sleeps: number[] = []
    const sleep = clock.sleep
    clock.sleep = async ms => {
      sleeps.push(ms)
      await sleep(ms)
    }
    const progress = (line: string, nextChangeWithinMs?: number) => ({
      running: 0,
      pending: 0,
      desired: 0,
      failedTasks: 0,
      deployments: 1,
      targetGroups: [],
      line,
      ...(nextChangeWithinMs !== undefined && { nextChangeWithinMs })
    })
    let polls = 0
    await watchLoop(
      async () => ++polls,
      n =>
        n < 5
          ? { kind: 'wait', reason: 'draining', progress: progress('draining', n === 1 ? 700 : 0) }
          : { kind: 'done', reason: 'over', progress: progress('done') },
      { deploymentId: 'x', startedAt: 0, timeoutMs: 60 * 60_000 },
      { clock, log: () => undefined, backoff: BACKOFF }
    )
    expect(sleeps).toEqual([700, 300, 300, 330])
  })
})
