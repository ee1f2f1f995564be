// The simulator's ECS semantics, driven with explicit times (no HTTP, no waiting).
import type { ContainerDefinition, HealthCheck, RunTaskRequest, RunTaskResponse } from '@aws-sdk/client-ecs'
import { advance } from '../../sim/tick.js'
import { circuitBreakerThreshold } from '../../sim/runtime/service-deployments.js'
import { ecsHandlers } from '../../sim/api/ecs.js'
import { loadFixture } from '../../sim/fixtures/index.js'
import { findService, newState, type SimState, type SimTask } from '../../sim/world/model.js'
import { AwsError } from '../../sim/world/aws-error.js'

const ecs = ecsHandlers as Record<string, (s: SimState, i: unknown, n: number) => unknown>

function world(fixture = 'django-web') {
  // Time scale 1: durations are the fixture's own (health checks every 10 s, threshold 2).
  const state = newState({ timeScale: 1 })
  loadFixture(state, fixture)
  const start = Date.now()
  return { state, start }
}

function newRevision(
  state: SimState,
  image: string,
  now: number,
  family = 'web',
  change: (c: ContainerDefinition) => ContainerDefinition = c => c
): string {
  const current = (
    ecs.DescribeTaskDefinition?.(state, { taskDefinition: family }, now) as {
      taskDefinition: Record<string, unknown>
    }
  ).taskDefinition
  const {
    taskDefinitionArn: _a,
    revision: _r,
    status: _s,
    requiresAttributes: _q,
    compatibilities: _c,
    registeredAt: _t,
    registeredBy: _b,
    ...rest
  } = current
  const containers = (rest.containerDefinitions as ContainerDefinition[]).map(c => change({ ...c, image }))
  const out = ecs.RegisterTaskDefinition?.(state, { ...rest, containerDefinitions: containers }, now) as {
    taskDefinition: { taskDefinitionArn: string }
  }
  return out.taskDefinition.taskDefinitionArn
}

function web(state: SimState) {
  const svc = findService(state, 'demo', 'web')
  if (!svc) throw new Error('no web service')
  return svc
}

const activeTasks = (state: SimState) =>
  state.tasks.filter(t => t.plan.serviceName === 'web' && t.task.desiredStatus === 'RUNNING')
const targets = (state: SimState) =>
  state.targetGroups.find(t => t.group.TargetGroupName === 'web-tg')?.targets ?? []

/** Steps the world forward one simulated second at a time, calling `check` after each step. */
function run(state: SimState, from: number, seconds: number, check: (now: number) => void = () => {}) {
  for (let s = 1; s <= seconds; s++) {
    advance(state, from + s * 1000)
    check(from + s * 1000)
  }
  return from + seconds * 1000
}

describe('circuit breaker threshold', () => {
  it.each([
    [1, 3],
    [2, 3],
    [6, 3],
    [7, 4],
    [10, 5],
    [399, 200],
    [1000, 200]
  ])('desired %d → %d failed tasks', (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold)
  })
})

describe('the fixture', () => {
  it('starts deployed: one COMPLETED deployment, two RUNNING tasks, two healthy targets', () => {
    const { state } = world()
    const svc = web(state)
    expect(svc.deployments).toHaveLength(1)
    expect(svc.deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
    expect(activeTasks(state).map(t => t.task.lastStatus)).toEqual(['RUNNING', 'RUNNING'])
    expect(targets(state).map(t => t.state)).toEqual(['healthy', 'healthy'])
    expect(svc.events[0]?.message).toBe('(service web) has reached a steady state.')
  })
})

describe('rolling update', () => {
  it('never exceeds maximumPercent nor drops below minimumHealthyPercent, and completes with only new tasks', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    let maxActive = 0
    let minHealthy = Infinity
    run(state, start, 120, () => {
      maxActive = Math.max(maxActive, activeTasks(state).length)
      minHealthy = Math.min(minHealthy, targets(state).filter(t => t.state === 'healthy').length)
    })
    expect(maxActive).toBe(4) // 200% of 2
    expect(minHealthy).toBeGreaterThanOrEqual(2) // 100% of 2
    const svc = web(state)
    expect(svc.deployments.map(d => [d.deployment.status, d.deployment.rolloutState])).toEqual([
      ['PRIMARY', 'COMPLETED']
    ])
    expect(activeTasks(state).every(t => t.task.taskDefinitionArn === arn)).toBe(true)
  })

  it('with max 100% / min 50% stops an old task first to make room', () => {
    const { state, start } = world()
    ecs.UpdateService?.(
      state,
      {
        cluster: 'demo',
        service: 'web',
        deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 50 }
      },
      start
    )
    const arn = newRevision(state, 'repo/web:v3', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    let maxActive = 0
    run(state, start, 150, () => (maxActive = Math.max(maxActive, activeTasks(state).length)))
    expect(maxActive).toBe(2)
    expect(web(state).deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
  })

  it('keeps the desired count when UpdateService omits it', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    expect(web(state).service.desiredCount).toBe(2)
  })
})

describe('target health', () => {
  it('a new target is initial until healthyThreshold × interval has passed, then healthy', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    let registeredAt: number | undefined
    let healthyAt: number | undefined
    run(state, start, 60, now => {
      const fresh = targets(state).find(
        t => state.tasks.find(x => x.task.taskArn === t.taskArn)?.task.taskDefinitionArn === arn
      )
      if (fresh && registeredAt === undefined) registeredAt = now
      if (fresh?.state === 'healthy' && healthyAt === undefined) healthyAt = now
    })
    expect(registeredAt).toBeDefined()
    // interval 10 s × healthy threshold 2 = 20 s (stepping at 1 s)
    expect((healthyAt ?? 0) - (registeredAt ?? 0)).toBeGreaterThanOrEqual(20_000)
    expect((healthyAt ?? 0) - (registeredAt ?? 0)).toBeLessThanOrEqual(21_000)
  })

  it('a failing target turns unhealthy with its reason; ECS replaces the task after the grace period', () => {
    const { state, start } = world()
    state.behaviours = {
      images: { 'repo/web:bad': { kind: 'unhealthy-target', reasonCode: 'Target.Timeout' } }
    }
    const arn = newRevision(state, 'repo/web:bad', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    run(state, start, 90)
    const unhealthy = state.milestones.find(m => m.kind === 'target-unhealthy')
    expect(unhealthy?.detail.reason).toBe('Target.Timeout')
    const stopped = state.tasks.filter(
      t => t.task.taskDefinitionArn === arn && t.task.desiredStatus === 'STOPPED'
    )
    expect(stopped.length).toBeGreaterThan(0)
    expect(stopped[0]?.task.stoppedReason).toMatch(
      /^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/
    )
    // The old tasks keep serving: min healthy 100% never lets them go while the new ones fail.
    expect(targets(state).filter(t => t.state === 'healthy')).toHaveLength(2)
  })

  it('a deregistered target drains for the deregistration delay, then disappears', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    let drainingSince: number | undefined
    let goneAt: number | undefined
    run(state, start, 120, now => {
      const draining = targets(state).some(t => t.state === 'draining')
      if (draining && drainingSince === undefined) drainingSince = now
      if (!draining && drainingSince !== undefined && goneAt === undefined) goneAt = now
    })
    expect((goneAt ?? 0) - (drainingSince ?? 0)).toBeGreaterThanOrEqual(30_000) // the fixture's 30 s delay
  })
})

describe('circuit breaker', () => {
  it('marks a crash-looping deployment FAILED once the threshold of failed tasks is reached', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:crash': { kind: 'exit', exitCode: 3, afterSeconds: 2 } } }
    const arn = newRevision(state, 'repo/web:crash', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    run(state, start, 90)
    const primary = web(state).deployments[0]
    expect(primary?.deployment.rolloutState).toBe('FAILED')
    expect(primary?.deployment.failedTasks).toBeGreaterThanOrEqual(3)
    expect(primary?.deployment.rolloutStateReason).toBe(
      'ECS deployment circuit breaker: tasks failed to start.'
    )
    const crashed = state.tasks.find(t => t.task.taskDefinitionArn === arn && t.task.lastStatus === 'STOPPED')
    expect(crashed?.task.stopCode).toBe('EssentialContainerExited')
    expect(crashed?.task.containers?.[0]?.exitCode).toBe(3)
  })

  it('with rollback: ECS deploys the last completed revision and that deployment completes', () => {
    const { state, start } = world('django-web-rollback')
    const before = web(state).service.taskDefinition
    state.behaviours = { images: { 'repo/web:crash': { kind: 'exit', exitCode: 1, afterSeconds: 1 } } }
    const arn = newRevision(state, 'repo/web:crash', start)
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', taskDefinition: arn }, start)
    run(state, start, 180)
    const svc = web(state)
    expect(svc.deployments).toHaveLength(1)
    expect(svc.deployments[0]?.deployment.taskDefinition).toBe(before)
    expect(svc.deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
    expect(svc.history.map(h => h.status)).toContain('ROLLBACK_SUCCESSFUL')
    expect(state.milestones.map(m => m.kind)).toEqual(
      expect.arrayContaining(['rollout-failed', 'deployment-completed'])
    )
  })
})

describe('one-off tasks', () => {
  it('runs a command override, writes its log lines to the awslogs stream, and exits with its code', () => {
    const { state, start } = world()
    state.behaviours = {
      commands: {
        'python manage.py migrate': { exitCode: 1, runSeconds: 5, logLines: ['Applying 0001... OK', 'boom'] }
      }
    }
    const out = ecs.RunTask?.(
      state,
      {
        cluster: 'demo',
        taskDefinition: 'web',
        launchType: 'FARGATE',
        overrides: { containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate'] }] },
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } }
      },
      start
    ) as { tasks: { taskArn: string }[] }
    run(state, start, 30)
    const task = state.tasks.find(t => t.task.taskArn === out.tasks[0]?.taskArn)
    expect(task?.task.lastStatus).toBe('STOPPED')
    expect(task?.task.containers?.[0]?.exitCode).toBe(1)
    const id = out.tasks[0]?.taskArn.split('/').at(-1)
    const stream = state.logGroups.get('/ecs/web')?.streams.get(`ecs/web/${id}`)
    expect(stream?.events.map(e => e.message)).toEqual(['Applying 0001... OK', 'boom'])
  })
})

// ---------------------------------------------------------------------------------------------
// Container health checks, the task lifecycle, the breaker's bookkeeping, events, RunTask.

const CHECK: HealthCheck = {
  command: ['CMD-SHELL', 'curl -fs http://localhost:8000/health/ || exit 1'],
  interval: 5,
  retries: 2,
  startPeriod: 0,
  timeout: 2
}
const withCheck =
  (check: HealthCheck = CHECK) =>
  (c: ContainerDefinition): ContainerDefinition => ({ ...c, healthCheck: check })

const tasksOf = (state: SimState, arn: string) => state.tasks.filter(t => t.task.taskDefinitionArn === arn)
const deploy = (state: SimState, service: string, arn: string, now: number) =>
  ecs.UpdateService?.(state, { cluster: 'demo', service, taskDefinition: arn }, now)

describe('container health checks', () => {
  it('an unhealthy container never completes the deployment: its tasks are replaced and the breaker counts them', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:sick': { kind: 'unhealthy-container' } } }
    const arn = newRevision(state, 'repo/web:sick', start, 'web', withCheck())
    deploy(state, 'web', arn, start)
    const seen = new Set<string>()
    run(state, start, 300, () => {
      for (const t of tasksOf(state, arn)) seen.add(`${t.task.healthStatus}`)
      expect(web(state).deployments[0]?.deployment.rolloutState).not.toBe('COMPLETED')
    })
    // UNKNOWN while the checks are evaluated, UNHEALTHY after two failures; never HEALTHY.
    expect([...seen].sort()).toEqual(['UNHEALTHY', 'UNKNOWN'])
    const primary = web(state).deployments[0]
    expect(primary?.deployment.rolloutState).toBe('FAILED')
    // Both tasks of a pass can fail together: the count may pass the threshold of 3.
    expect(primary?.deployment.failedTasks).toBeGreaterThanOrEqual(3)
    const stopped = tasksOf(state, arn).filter(t => t.task.lastStatus === 'STOPPED')
    expect(stopped[0]?.task.stoppedReason).toBe('Task failed container health checks')
    expect(stopped[0]?.task.containers?.[0]?.healthStatus).toBe('UNHEALTHY')
    expect(web(state).events.map(e => e.message)).toContainEqual(
      expect.stringMatching(/^\(service web\) \(task [0-9a-f]{32}\) failed container health checks\.$/)
    )
    // The old revision kept serving the whole time (minimum healthy 100%).
    expect(targets(state).filter(t => t.state === 'healthy')).toHaveLength(2)
  })

  it('a passing check: UNKNOWN until the first check, then HEALTHY; the deployment waits for it', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start, 'web', withCheck({ ...CHECK, interval: 30 }))
    deploy(state, 'web', arn, start)
    let runningAt: number | undefined
    let healthyAt: number | undefined
    let completedAt: number | undefined
    run(state, start, 150, now => {
      const first = tasksOf(state, arn)[0]
      if (first?.task.lastStatus === 'RUNNING') runningAt ??= now
      if (first?.task.healthStatus === 'HEALTHY') healthyAt ??= now
      if (web(state).deployments[0]?.deployment.rolloutState === 'COMPLETED') completedAt ??= now
    })
    expect((healthyAt ?? 0) - (runningAt ?? 0)).toBe(30_000)
    // Targets are healthy ~21 s after registration; the deployment still waits for HEALTHY.
    expect(completedAt).toBeGreaterThan(healthyAt ?? Infinity)
  })

  it('a non-essential container that fails its check does not affect the task or the deployment', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/sidecar:sick': { kind: 'unhealthy-container' } } }
    const arn = newRevision(state, 'repo/web:v2', start, 'web', c => c)
    const td = state.taskDefinitions.get('web')?.at(-1)?.definition
    const web0 = td?.containerDefinitions?.[0] as ContainerDefinition
    td!.containerDefinitions = [
      web0,
      { name: 'sidecar', image: 'repo/sidecar:sick', essential: false, healthCheck: CHECK }
    ]
    deploy(state, 'web', arn, start)
    run(state, start, 150)
    expect(web(state).deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
    const task = tasksOf(state, arn).find(t => t.task.desiredStatus === 'RUNNING')
    expect(task?.task.containers?.find(c => c.name === 'sidecar')?.healthStatus).toBe('UNHEALTHY')
    // The essential container has no check: the task's own status stays UNKNOWN, and counts.
    expect(task?.task.healthStatus).toBe('UNKNOWN')
  })

  it('a slow start within the start period: no failure counts, HEALTHY at the first check after the app is up', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:slow': { kind: 'healthy', startSeconds: 22 } } }
    const slowCheck = { ...CHECK, interval: 10, retries: 2, startPeriod: 30 }
    const arn = newRevision(state, 'repo/web:slow', start, 'worker', withCheck(slowCheck))
    deploy(state, 'worker', arn, start)
    const statuses: string[] = []
    let runningAt: number | undefined
    let healthyAt: number | undefined
    run(state, start, 90, now => {
      const task = tasksOf(state, arn)[0]
      if (task?.task.lastStatus === 'RUNNING') runningAt ??= now
      if (task?.task.healthStatus === 'HEALTHY') healthyAt ??= now
      if (task) statuses.push(task.task.healthStatus ?? '')
    })
    expect(statuses).not.toContain('UNHEALTHY')
    // Checks at 10 s and 20 s fail (inside the start period), the one at 30 s passes.
    expect((healthyAt ?? 0) - (runningAt ?? 0)).toBe(30_000)
    expect(tasksOf(state, arn)).toHaveLength(1)
    const worker = findService(state, 'demo', 'worker')
    expect(worker?.deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
  })

  it('a slow start past the start period: UNHEALTHY, and replaced (counted by the breaker) when there is no grace period', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:slow': { kind: 'healthy', startSeconds: 45 } } }
    const arn = newRevision(
      state,
      'repo/web:slow',
      start,
      'worker',
      withCheck({ ...CHECK, interval: 10, retries: 2 })
    )
    deploy(state, 'worker', arn, start)
    run(state, start, 40)
    const [first] = tasksOf(state, arn)
    expect(first?.task.desiredStatus).toBe('STOPPED')
    expect(first?.task.stoppedReason).toBe('Task failed container health checks')
    expect(findService(state, 'demo', 'worker')?.deployments[0]?.deployment.failedTasks).toBe(1)
  })

  it('the service grace period covers container health: a slow task UNHEALTHY within it recovers and is kept', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:slow': { kind: 'healthy', startSeconds: 45 } } }
    ecs.UpdateService?.(
      state,
      { cluster: 'demo', service: 'worker', healthCheckGracePeriodSeconds: 60 },
      start
    )
    const arn = newRevision(
      state,
      'repo/web:slow',
      start,
      'worker',
      withCheck({ ...CHECK, interval: 10, retries: 2 })
    )
    deploy(state, 'worker', arn, start)
    const statuses = new Set<string>()
    run(state, start, 120, () => {
      for (const t of tasksOf(state, arn)) statuses.add(t.task.healthStatus ?? '')
    })
    // UNHEALTHY at 20 s (two failed checks), HEALTHY again at 50 s, inside the 60 s grace period.
    expect([...statuses]).toEqual(expect.arrayContaining(['UNKNOWN', 'UNHEALTHY', 'HEALTHY']))
    expect(tasksOf(state, arn)).toHaveLength(1)
    expect(tasksOf(state, arn)[0]?.task.desiredStatus).toBe('RUNNING')
    const worker = findService(state, 'demo', 'worker')
    expect(worker?.deployments[0]?.deployment.rolloutState).toBe('COMPLETED')
    expect(worker?.deployments[0]?.deployment.failedTasks).toBe(0)
  })

  it('after the grace period an UNHEALTHY task is replaced at once', () => {
    const { state, start } = world()
    state.behaviours = { images: { 'repo/web:sick': { kind: 'unhealthy-container' } } }
    ecs.UpdateService?.(
      state,
      { cluster: 'demo', service: 'worker', healthCheckGracePeriodSeconds: 35 },
      start
    )
    const arn = newRevision(
      state,
      'repo/web:sick',
      start,
      'worker',
      withCheck({ ...CHECK, interval: 10, retries: 2 })
    )
    deploy(state, 'worker', arn, start)
    let runningAt: number | undefined
    let stopAt: number | undefined
    run(state, start, 60, now => {
      const first = tasksOf(state, arn)[0]
      if (first?.task.lastStatus === 'RUNNING') runningAt ??= now
      if (first?.task.desiredStatus === 'STOPPED') stopAt ??= now
    })
    // UNHEALTHY at 20 s; left alone until the 35 s grace period is over.
    expect((stopAt ?? 0) - (runningAt ?? 0)).toBe(35_000)
  })
})

describe('task lifecycle', () => {
  it('PROVISIONING → PENDING → ACTIVATING → RUNNING, then DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, with the ENI attachment', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    deploy(state, 'web', arn, start)
    const old = activeTasks(state).find(t => t.task.taskDefinitionArn !== arn) as SimTask
    const lifecycle: string[] = []
    const oldStates: string[] = []
    const attachments: string[] = []
    run(state, start, 150, () => {
      const fresh = tasksOf(state, arn)[0]
      const status = `${fresh?.task.lastStatus}`
      if (fresh && lifecycle.at(-1) !== status) lifecycle.push(status)
      const attachment = `${old.task.attachments?.[0]?.status}`
      if (attachments.at(-1) !== attachment) attachments.push(attachment)
      if (oldStates.at(-1) !== old.task.lastStatus) oldStates.push(old.task.lastStatus ?? '')
    })
    expect(lifecycle).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'])
    expect(oldStates).toEqual(['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'])
    expect(attachments).toEqual(['ATTACHED', 'DETACHING', 'DELETED'])
    expect(old.task.containers?.[0]?.exitCode).toBe(143)
  })

  it('the old deployment stays ACTIVE while its tasks drain; the new one completes after they stopped', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    deploy(state, 'web', arn, start)
    let completedAt: number | undefined
    let lastOldStop = 0
    run(state, start, 150, now => {
      const oldTasks = state.tasks.filter(
        t => t.plan.serviceName === 'web' && t.task.taskDefinitionArn !== arn
      )
      if (oldTasks.some(t => t.task.lastStatus !== 'STOPPED')) lastOldStop = now
      if (web(state).deployments[0]?.deployment.rolloutState === 'COMPLETED') completedAt ??= now
      if (completedAt === undefined && lastOldStop === now && web(state).deployments.length > 1)
        expect(web(state).deployments[1]?.deployment.status).toBe('ACTIVE')
    })
    expect(completedAt).toBeGreaterThan(lastOldStop)
  })
})

describe('service events of a rolling deployment', () => {
  it('says it began draining connections and deregistered targets, as ECS words it', () => {
    const { state, start } = world()
    const arn = newRevision(state, 'repo/web:v2', start)
    deploy(state, 'web', arn, start)
    run(state, start, 150)
    const messages = web(state).events.map(e => e.message)
    const tg = state.targetGroups[0]?.group.TargetGroupArn
    expect(messages).toContainEqual(
      expect.stringMatching(/^\(service web\) has begun draining connections on [12] tasks\.$/)
    )
    expect(messages).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\(service web\\) deregistered [12] targets in \\(target-group ${tg}\\)$`)
      )
    )
    expect(messages).toContainEqual(
      expect.stringMatching(/^\(service web\) has stopped [12] running tasks: (\(task [0-9a-f]+\) ?)+\.$/)
    )
  })
})

describe('circuit breaker bookkeeping', () => {
  it('threshold configuration: COUNT and UNBOUNDED_PERCENT', () => {
    expect(
      circuitBreakerThreshold(10, {
        enable: true,
        rollback: false,
        thresholdConfiguration: { type: 'COUNT', value: 7 }
      })
    ).toBe(7)
    expect(
      circuitBreakerThreshold(1000, {
        enable: true,
        rollback: false,
        thresholdConfiguration: { type: 'UNBOUNDED_PERCENT', value: 50 }
      })
    ).toBe(500)
    expect(
      circuitBreakerThreshold(2, {
        enable: true,
        rollback: false,
        thresholdConfiguration: { type: 'BOUNDED_PERCENT', value: 100 }
      })
    ).toBe(3)
  })

  /** Deploys a revision whose first two tasks crash (2 failures, under the threshold of 3), then serve. */
  function crashThenServe(state: SimState, start: number): void {
    const arn = newRevision(state, 'repo/web:flaky', start)
    state.behaviours = {
      revisions: { [arn.split('/').at(-1) ?? '']: { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
    }
    deploy(state, 'web', arn, start)
    // The first two tasks are planned to crash 7 s in; their replacements start after that.
    run(state, start, 6)
    state.behaviours = {}
    run(state, start + 6_000, 2)
    expect(web(state).deployments[0]?.deployment.failedTasks).toBe(2)
    run(state, start + 8_000, 100)
  }

  it('a task that becomes healthy resets the failure count (resetOnHealthyTask, true by default)', () => {
    const { state, start } = world()
    crashThenServe(state, start)
    expect(web(state).deployments[0]?.deployment).toMatchObject({ failedTasks: 0, rolloutState: 'COMPLETED' })
  })

  it('without resetOnHealthyTask the count stays', () => {
    const { state, start } = world()
    const breaker = { enable: true, rollback: false, resetOnHealthyTask: false }
    const deploymentConfiguration = { deploymentCircuitBreaker: breaker }
    ecs.UpdateService?.(state, { cluster: 'demo', service: 'web', deploymentConfiguration }, start)
    crashThenServe(state, start)
    expect(web(state).deployments[0]?.deployment).toMatchObject({ failedTasks: 2, rolloutState: 'COMPLETED' })
  })

  it('the service deployment shows the breaker MONITORING, then TRIGGERED or MONITORING_COMPLETE', () => {
    const { state, start } = world()
    const good = newRevision(state, 'repo/web:v2', start)
    deploy(state, 'web', good, start)
    expect(web(state).history.at(-1)?.deploymentCircuitBreaker).toEqual({
      status: 'MONITORING',
      failureCount: 0,
      threshold: 3
    })
    run(state, start, 150)
    expect(web(state).history.at(-1)?.deploymentCircuitBreaker?.status).toBe('MONITORING_COMPLETE')
    state.behaviours = { images: { 'repo/web:crash': { kind: 'exit', exitCode: 1, afterSeconds: 1 } } }
    const bad = newRevision(state, 'repo/web:crash', start + 150_000)
    deploy(state, 'web', bad, start + 150_000)
    run(state, start + 150_000, 90)
    const failed = web(state).history.at(-1)
    expect(failed?.deploymentCircuitBreaker?.status).toBe('TRIGGERED')
    expect(failed?.deploymentCircuitBreaker?.failureCount).toBeGreaterThanOrEqual(3)
    expect(failed).toMatchObject({ status: 'STOPPED' })
    expect(failed?.stoppedAt).toBeDefined()
  })

  it('a rollback that fails too ends ROLLBACK_FAILED, and ECS starts no further rollback', () => {
    const { state, start } = world('django-web-rollback')
    const v1 = web(state).service.taskDefinition ?? ''
    state.behaviours = {
      images: { 'repo/web:crash': { kind: 'exit', exitCode: 1, afterSeconds: 1 } },
      revisions: { [v1.split('/').at(-1) ?? '']: { kind: 'exit', exitCode: 2, afterSeconds: 1 } }
    }
    const before = web(state).history.length
    const bad = newRevision(state, 'repo/web:crash', start)
    deploy(state, 'web', bad, start)
    run(state, start, 400)
    // The failed deployment and ECS's rollback, nothing more.
    const [failed, rollback, ...more] = web(state).history.slice(before)
    expect(more).toEqual([])
    expect(failed?.status).toBe('ROLLBACK_FAILED')
    expect(rollback?.status).toBe('ROLLBACK_FAILED')
    expect(web(state).deployments[0]?.deployment).toMatchObject({
      taskDefinition: v1,
      rolloutState: 'FAILED'
    })
  })
})

describe('RunTask', () => {
  const runTask = (state: SimState, input: RunTaskRequest, now: number) =>
    ecs.RunTask?.(state, input, now) as RunTaskResponse
  const network = { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } }

  it('answers failures[] and starts no task when the revision cannot be placed', () => {
    const { state, start } = world()
    state.behaviours = {
      placementFailures: {
        'web:1': {
          reason: 'RESOURCE:MEMORY',
          arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/abc'
        }
      }
    }
    const before = state.tasks.length
    const out = runTask(
      state,
      {
        cluster: 'demo',
        taskDefinition: 'web:1',
        launchType: 'FARGATE',
        networkConfiguration: network,
        count: 2
      },
      start
    )
    expect(out.tasks).toEqual([])
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/abc', reason: 'RESOURCE:MEMORY' },
      { arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/abc', reason: 'RESOURCE:MEMORY' }
    ])
    expect(state.tasks.length).toBe(before)
  })

  it('answers a command’s placement failure', () => {
    const { state, start } = world()
    state.behaviours = {
      commands: {
        'python manage.py migrate': {
          exitCode: 0,
          runSeconds: 1,
          logLines: [],
          placementFailure: { reason: 'AGENT' }
        }
      }
    }
    const out = runTask(
      state,
      {
        cluster: 'demo',
        taskDefinition: 'web',
        launchType: 'FARGATE',
        networkConfiguration: network,
        overrides: { containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate'] }] }
      },
      start
    )
    expect(out).toEqual({ tasks: [], failures: [{ reason: 'AGENT' }] })
  })

  it('without a launch type uses the cluster’s default capacity provider strategy, else EC2, which has no container instances', () => {
    const { state, start } = world()
    const out = runTask(
      state,
      { cluster: 'demo', taskDefinition: 'web', networkConfiguration: network },
      start
    )
    expect(out.tasks?.[0]).toMatchObject({ launchType: 'FARGATE', capacityProviderName: 'FARGATE' })
    ecs.CreateCluster?.(state, { clusterName: 'bare' }, start)
    expect(() =>
      runTask(state, { cluster: 'bare', taskDefinition: 'web', networkConfiguration: network }, start)
    ).toThrow(new AwsError('InvalidParameterException', 'No Container Instances were found in your cluster.'))
    expect(() =>
      runTask(
        state,
        {
          cluster: 'demo',
          taskDefinition: 'web',
          launchType: 'FARGATE',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
          networkConfiguration: network
        },
        start
      )
    ).toThrow(/Specifying both a launch type and capacity provider strategy/)
  })

  it('a missing log group fails the task at start (ResourceInitializationError), unless awslogs-create-group is true', () => {
    const { state, start } = world()
    state.logGroups.delete('/ecs/web')
    const first = runTask(
      state,
      { cluster: 'demo', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: network },
      start
    )
    run(state, start, 20)
    const failed = state.tasks.find(t => t.task.taskArn === first.tasks?.[0]?.taskArn)
    expect(failed?.task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' })
    expect(failed?.task.stoppedReason).toMatch(
      /^ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist\./
    )
    expect(failed?.task.containers?.[0]?.exitCode).toBeUndefined()

    const arn = newRevision(state, 'repo/web:v2', start, 'web', c => ({
      ...c,
      logConfiguration: {
        logDriver: 'awslogs',
        options: { ...c.logConfiguration?.options, 'awslogs-create-group': 'true' }
      }
    }))
    const second = runTask(
      state,
      { cluster: 'demo', taskDefinition: arn, launchType: 'FARGATE', networkConfiguration: network },
      start
    )
    run(state, start, 20)
    const id = second.tasks?.[0]?.taskArn?.split('/').at(-1)
    expect(state.tasks.find(t => t.task.taskArn === second.tasks?.[0]?.taskArn)?.task.lastStatus).toBe(
      'RUNNING'
    )
    expect(state.logGroups.get('/ecs/web')?.streams.has(`ecs/web/${id}`)).toBe(true)
  })

  it('runs the fixture’s Django migrate when nothing else is set, and a test’s own behaviour wins', () => {
    const { state, start } = world()
    const migrate = (now: number) =>
      runTask(
        state,
        {
          cluster: 'demo',
          taskDefinition: 'web',
          launchType: 'FARGATE',
          networkConfiguration: network,
          overrides: {
            containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate', '--no-input'] }]
          }
        },
        now
      )
        .tasks?.[0]?.taskArn?.split('/')
        .at(-1)
    const id = migrate(start)
    run(state, start, 30)
    const lines = state.logGroups
      .get('/ecs/web')
      ?.streams.get(`ecs/web/${id}`)
      ?.events.map(e => e.message)
    expect(lines?.[0]).toBe('Operations to perform:')
    expect(lines).toContain('  Applying orders.0001_initial... OK')
    state.behaviours = { defaultCommand: { exitCode: 3, runSeconds: 1, logLines: ['boom'] } }
    const other = migrate(start + 30_000)
    run(state, start + 30_000, 30)
    expect(
      state.logGroups
        .get('/ecs/web')
        ?.streams.get(`ecs/web/${other}`)
        ?.events.map(e => e.message)
    ).toEqual(['boom'])
  })
})
