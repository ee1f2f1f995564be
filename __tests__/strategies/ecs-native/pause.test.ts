// ECS-native pause hooks, the pure part: a pause is the verdict under wait-until ready once green
// is healthy; otherwise it is said on the progress line and waited out, never acted on.
import { awaitingHook, decidePause, pauseStagesOf } from '../../../src/strategies/ecs-native/verdict.js'
import type { ServiceDeploymentView } from '../../../src/watch/observation.js'
import type { Decision } from '../../../src/watch/verdict.js'

const ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/1'
const EXPIRES = Date.parse('2026-12-05T06:30:00Z')

function paused(status = 'AWAITING_ACTION', timeoutAction = 'ROLLBACK'): ServiceDeploymentView {
  return {
    arn: ARN,
    status: 'IN_PROGRESS',
    lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
    hooks: [{ hookId: 'ecs-pause-1', targetType: 'PAUSE', status, expiresAt: EXPIRES, timeoutAction }]
  }
}

function base(kind: 'wait' | 'failed', healthy: number): Decision {
  const progress = {
    running: 2,
    pending: 0,
    desired: 2,
    failedTasks: 0,
    deployments: 2,
    targetGroups: [
      {
        targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/1',
        healthy,
        expected: 2,
        targets: []
      }
    ],
    line: 'deployment ecs-svc/1: 2/2 running · stage POST_TEST_TRAFFIC_SHIFT'
  }
  return kind === 'wait'
    ? { kind, reason: 'ECS to finish the deployment', progress }
    : {
        kind,
        reason: 'timed out after 10 minutes waiting for ECS; last state: x',
        progress,
        failure: { cause: 'timeout', evidence: [] }
      }
}

const context = (waitUntil: 'ready' | 'succeeded') => ({
  waitUntil,
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
  previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1'
})

describe('decidePause', () => {
  it('is done under wait-until ready once paused with green healthy, and says what waits', () => {
    const { decision, waiting } = decidePause(
      { serviceDeployment: paused() },
      base('wait', 2),
      context('ready')
    )
    expect(decision.kind).toBe('done')
    expect(decision.reason).toBe(
      'paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until 2026-12-05 06:30:00 UTC (then ECS rolls back to web:1); the new revision serves test traffic with web-tg-green 2/2 healthy'
    )
    expect(waiting).toMatchObject({
      deploymentId: ARN,
      hookId: 'ecs-pause-1',
      expiresAt: EXPIRES,
      atExpiry: 'ROLLBACK'
    })
  })

  it('keeps waiting under wait-until ready while green is not healthy yet', () => {
    const { decision } = decidePause({ serviceDeployment: paused() }, base('wait', 1), context('ready'))
    expect(decision.kind).toBe('wait')
    expect(decision.reason).toMatch(/new targets to be healthy \(web-tg-green 1\/2 healthy\)/)
  })

  it('under wait-until succeeded says the pause on the progress line and waits for someone', () => {
    const { decision } = decidePause(
      { serviceDeployment: paused('AWAITING_ACTION', 'CONTINUE') },
      base('wait', 2),
      context('succeeded')
    )
    expect(decision.kind).toBe('wait')
    expect(decision.reason).toBe('someone to promote or abort it')
    expect(decision.progress.line).toMatch(
      /· paused at POST_TEST_TRAFFIC_SHIFT, waiting for approval until .* \(then ECS moves production traffic to the new revision by itself\)$/
    )
  })

  it('words a timeout as one while it waited, and hands the waiting deployment on', () => {
    const { decision, waiting } = decidePause(
      { serviceDeployment: paused() },
      base('failed', 2),
      context('succeeded')
    )
    expect(decision.kind).toBe('failed')
    expect(decision.reason).toMatch(
      /^timed out after 10 minutes waiting for ECS while it was paused at POST_TEST/
    )
    expect(waiting).toBeDefined()
  })

  it('leaves the verdict alone when no pause hook awaits action', () => {
    const b = base('wait', 2)
    expect(decidePause({ serviceDeployment: paused('SUCCEEDED') }, b, context('ready'))).toEqual({
      decision: b
    })
    const lambda: ServiceDeploymentView = {
      ...paused(),
      hooks: [{ hookId: 'h', targetType: 'AWS_LAMBDA', status: 'AWAITING_ACTION' }]
    }
    expect(awaitingHook(lambda)).toBeUndefined()
    expect(awaitingHook({ ...paused(), status: 'ROLLBACK_IN_PROGRESS' })).toBeUndefined()
  })
})

it('reads the pause stages from the service’s lifecycle hooks', () => {
  expect(
    pauseStagesOf({
      deploymentConfiguration: {
        lifecycleHooks: [
          { targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] },
          { hookTargetArn: 'arn:aws:lambda:x', lifecycleStages: ['PRE_SCALE_UP'] }
        ]
      }
    })
  ).toEqual(['POST_TEST_TRAFFIC_SHIFT'])
})
