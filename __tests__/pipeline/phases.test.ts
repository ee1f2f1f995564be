import type { Decision, Progress, TargetGroupEvidence } from '../../src/watch/verdict.js'
import type { RolloutResult } from '../../src/rollout/contract.js'
import type { PhaseHooks, RunDeps, RunState } from '../../src/pipeline/context.js'
import { migratePhase } from '../../src/pipeline/migrate.js'
import { rolloutPhase } from '../../src/pipeline/rollout.js'
import { revisionFacts } from '../../src/taskdef/facts.js'
import type { Inputs } from '../../src/inputs.js'
import type { MigrateTaskResult } from '../../src/phases.js'
import { LostTrackError } from '../../src/errors.js'
import { renderSummary } from '../../src/report/summary.js'
import { fakeClock } from '../../src/util/clock.js'

const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7'
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/1'

const group = (healthy: number, state: string, task: string): TargetGroupEvidence => ({
  targetGroupArn: TG,
  healthy,
  expected: 2,
  targets: [{ task, id: '10.0.0.1', port: 8000, state }]
})
const progress = (targetGroups: TargetGroupEvidence[]): Progress => ({
  running: 2,
  pending: 0,
  desired: 2,
  failedTasks: 0,
  deployments: 1,
  targetGroups,
  line: 'line'
})

const failedDecision: Decision = {
  kind: 'failed',
  reason: 'new tasks fail their load balancer health checks',
  progress: progress([group(0, 'unhealthy', 'new-1')]),
  failure: { cause: 'targets-unhealthy', evidence: ['new-1: Target.ResponseCodeMismatch'] }
}
const healthyDecision: Decision = {
  kind: 'done',
  reason: '2/2 tasks RUNNING; every target healthy in web-tg (2/2)',
  progress: progress([group(2, 'healthy', 'old-1')])
}

function newState(): RunState {
  const state: RunState = { timings: [], report: { mode: 'deploy', status: 'failed', timings: [] } }
  state.report.timings = state.timings
  state.report.previousTaskDefinitionArn = OLD
  return state
}

describe('revisionFacts', () => {
  it('gates on container health only when an essential container has a check', () => {
    const sidecarOnly = {
      networkMode: 'awsvpc',
      containerDefinitions: [
        { name: 'web', essential: true },
        { name: 'log-router', essential: false, healthCheck: { command: ['CMD', 'true'] } }
      ]
    }
    expect(revisionFacts(NEW, sidecarOnly).containerHealthChecks).toBe(false)
    const essentialChecked = {
      containerDefinitions: [{ name: 'web', healthCheck: { command: ['CMD', 'true'] } }]
    }
    expect(revisionFacts(NEW, essentialChecked)).toEqual({
      arn: NEW,
      networkMode: 'bridge',
      containerHealthChecks: true
    })
  })
})

describe('rolloutPhase', () => {
  it('a rolled-back deploy: Rollout failed and Rollback ok in the phases; both revisions and both evidences kept', async () => {
    const clock = fakeClock(0)
    const state = newState()
    const result: RolloutResult = {
      status: 'rolled-back',
      deploymentId: 'ecs-svc/new',
      taskDefinitionArn: OLD,
      rolledBack: true,
      reason: `deploy failed: new tasks fail their load balancer health checks; rolled back to ${OLD} (healthy)`,
      decision: failedDecision,
      rollbackDurationMs: 40_000,
      rollback: { deploymentId: 'ecs-svc/back', decision: healthyDecision, byEcs: false }
    }
    await rolloutPhase({ state, deps: { clock } }, NEW, async () => {
      await clock.sleep(100_000)
      return result
    })
    expect(state.timings).toEqual([
      { phase: 'Rollout', durationMs: 60_000, outcome: 'failed' },
      { phase: 'Rollback', durationMs: 40_000, outcome: 'ok' }
    ])
    const report = state.report
    expect(report).toMatchObject({
      status: 'rolled-back',
      attemptedTaskDefinitionArn: NEW,
      taskDefinitionArn: OLD,
      failureEvidence: ['new-1: Target.ResponseCodeMismatch']
    })
    // The failed deployment's targets are the health evidence; the rollback's are its own.
    expect(report.evidence?.[0]?.targets[0]?.task).toBe('new-1')
    expect(report.rollback?.evidence?.[0]?.targets[0]?.task).toBe('old-1')

    const md = renderSummary(report)
    expect(md).toContain('| revision | web:7 → web:8; the service is back on web:7 |')
    expect(md).toContain('| Rollout | 60 s | failed |')
    expect(md).toContain('| Rollback | 40 s | ok |')
    expect(md).toContain('### Rollback health: healthy')
    expect(md).toContain('| new-1 | 10.0.0.1:8000 | unhealthy | - |')
    expect(md).toContain('| old-1 | 10.0.0.1:8000 | healthy | - |')
  })

  it('a failed rollback is a failed Rollback row', async () => {
    const state = newState()
    await rolloutPhase({ state, deps: { clock: fakeClock(0) } }, NEW, async () => ({
      status: 'failed',
      deploymentId: 'ecs-svc/new',
      taskDefinitionArn: NEW,
      rolledBack: false,
      decision: failedDecision,
      rollbackDurationMs: 0,
      rollback: { deploymentId: 'ecs-svc/back', decision: failedDecision, byEcs: true }
    }))
    expect(state.timings.map(t => `${t.phase} ${t.outcome}`)).toEqual(['Rollout failed', 'Rollback failed'])
    expect(renderSummary(state.report)).toContain('### Rollback health: FAILED')
  })

  it('a deployment it stopped following keeps its id in the report', async () => {
    const state = newState()
    const lost = new LostTrackError('stopped following deployment ecs-svc/new', 'ecs-svc/new')
    await expect(
      rolloutPhase({ state, deps: { clock: fakeClock(0) } }, NEW, async () => {
        throw lost
      })
    ).rejects.toBe(lost)
    expect(state.report.deploymentId).toBe('ecs-svc/new')
    expect(state.timings).toEqual([{ phase: 'Rollout', durationMs: 0, outcome: 'failed' }])
  })
})

describe('migratePhase', () => {
  const task = (succeeded: boolean): MigrateTaskResult => ({
    command: ['python', 'manage.py', 'migrate'],
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/m1',
    ...(succeeded ? { exitCode: 0 } : { exitCode: 1, reason: 'exit 1' }),
    durationMs: 1000,
    lastLogLines: [],
    succeeded
  })
  const inputs = { migrate: { commands: [] } } as unknown as Inputs
  const context = {} as Parameters<typeof migratePhase>[2]['context']
  const deps = (runMigrations: PhaseHooks['runMigrations']): RunDeps => ({
    clock: fakeClock(0),
    env: {},
    clients: () => {
      throw new Error('not used')
    },
    hooks: { runMigrations }
  })

  it('a failed migration is a failed Migrate row, and the run fails saying the service was not changed', async () => {
    const state = newState()
    await expect(
      migratePhase(
        inputs,
        { state, deps: deps(async () => ({ tasks: [task(false)], succeeded: false })) },
        { context, unchanged: 'the service' }
      )
    ).rejects.toThrow('migration failed: python manage.py migrate: exit 1; the service was not changed')
    expect(state.timings).toEqual([{ phase: 'Migrate', durationMs: 0, outcome: 'failed' }])
    expect(state.report.migrateResult?.tasks).toHaveLength(1)
  })

  it('a phase stopped half-way (credentials) still reports what ran', async () => {
    const state = newState()
    const aborted = Object.assign(new Error('the AWS credentials have expired'), {
      migrateResult: { tasks: [task(true)], succeeded: false }
    })
    await expect(
      migratePhase(
        inputs,
        {
          state,
          deps: deps(async () => {
            throw aborted
          })
        },
        { context, unchanged: 'the service' }
      )
    ).rejects.toBe(aborted)
    expect(state.report.migrateResult?.tasks[0]?.taskArn).toBe(
      'arn:aws:ecs:us-east-1:123456789012:task/demo/m1'
    )
  })
})
