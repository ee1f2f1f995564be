// The simulator's ECS semantics, driven with explicit times (no HTTP, no waiting).
import { advance, circuitBreakerThreshold, findService } from '../../sim/engine.js'
import { ecsHandlers } from '../../sim/ecs.js'
import { loadFixture } from '../../sim/fixtures/index.js'
import { newState, type SimState } from '../../sim/model.js'

const ecs = ecsHandlers as Record<string, (s: SimState, i: unknown, n: number) => unknown>

function world(fixture = 'django-web') {
  // Time scale 1: durations are the fixture's own (health checks every 10 s, threshold 2).
  const state = newState({ timeScale: 1 })
  loadFixture(state, fixture)
  const start = Date.now()
  return { state, start }
}

function newRevision(state: SimState, image: string, now: number): string {
  const current = (
    ecs.DescribeTaskDefinition?.(state, { taskDefinition: 'web' }, now) as {
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
  const containers = (rest.containerDefinitions as { image: string }[]).map(c => ({ ...c, image }))
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
