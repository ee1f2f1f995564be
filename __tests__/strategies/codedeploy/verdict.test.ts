import { appSpecRevision, parseAppSpec, renderAppSpec } from '../../../src/strategies/codedeploy/appspec.js'
import {
  decideCodeDeploy,
  type CodeDeployContext,
  type CodeDeployObservation
} from '../../../src/strategies/codedeploy/verdict.js'
import { createHash } from 'node:crypto'

const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/4567'

const APPSPEC_YAML = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 8000
Hooks:
  - AfterAllowTestTraffic: smoke-test
`

describe('AppSpec', () => {
  it('fills the new revision into the file and passes the hooks through', () => {
    const spec = renderAppSpec(NEW, parseAppSpec(APPSPEC_YAML, 'appspec.yaml'), undefined)
    const service = spec.Resources[0]?.TargetService
    expect(service?.Properties?.TaskDefinition).toBe(NEW)
    expect(service?.Properties?.LoadBalancerInfo).toEqual({ ContainerName: 'web', ContainerPort: 8000 })
    expect(spec.Hooks).toEqual([{ AfterAllowTestTraffic: 'smoke-test' }])
  })

  it("generates one from the service's load balancer when there is no file", () => {
    const spec = renderAppSpec(NEW, undefined, {
      targetGroupArn: GREEN,
      containerName: 'web',
      containerPort: 8000
    })
    expect(spec).toEqual({
      version: 0.0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: NEW,
              LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8000 }
            }
          }
        }
      ]
    })
  })

  it('sends the content as JSON with its sha256', () => {
    const revision = appSpecRevision(renderAppSpec(NEW, parseAppSpec(APPSPEC_YAML, 'a.yaml'), undefined))
    expect(revision.revisionType).toBe('AppSpecContent')
    expect(JSON.parse(revision.appSpecContent.content).Hooks).toHaveLength(1)
    expect(revision.appSpecContent.sha256).toBe(
      createHash('sha256').update(revision.appSpecContent.content).digest('hex')
    )
  })

  it.each([
    [
      'a syntax error, with its line',
      'version: 0.0\nResources: [\n',
      /input codedeploy-appspec: appspec.yaml:\d+: /
    ],
    ['no Resources', 'version: 0.0\n', /Resources must list exactly one TargetService/],
    [
      'a resource that is not an ECS service',
      'Resources:\n  - T:\n      Type: AWS::Lambda::Function\n',
      /must have Type AWS::ECS::Service/
    ],
    [
      'no container port',
      'Resources:\n  - T:\n      Type: AWS::ECS::Service\n      Properties:\n        LoadBalancerInfo:\n          ContainerName: web\n',
      /LoadBalancerInfo needs ContainerName and ContainerPort/
    ]
  ])('refuses %s, naming the input and the file', (_name, text, message) => {
    expect(() => parseAppSpec(text, 'appspec.yaml')).toThrow(message)
  })
})

const context: CodeDeployContext = {
  label: 'deployment',
  deploymentId: 'd-ABC123',
  waitUntil: 'succeeded',
  targetGroupArn: GREEN,
  startedAt: 0,
  timeoutMs: 60_000,
  failureThreshold: 2
}

function observation(overrides: Partial<CodeDeployObservation> = {}): CodeDeployObservation {
  return {
    at: 10_000,
    status: 'InProgress',
    lifecycleEvents: [
      { name: 'BeforeInstall', status: 'Succeeded' },
      { name: 'Install', status: 'InProgress' },
      { name: 'AfterInstall', status: 'Pending' }
    ],
    taskSets: [
      { label: 'Blue', desiredCount: 2, runningCount: 2, pendingCount: 0, trafficWeight: 100 },
      { label: 'Green', desiredCount: 2, runningCount: 2, pendingCount: 0, trafficWeight: 0 }
    ],
    targetGroup: {
      arn: GREEN,
      targets: [
        { id: '10.0.0.1', port: 8000, state: 'healthy' },
        { id: '10.0.0.2', port: 8000, state: 'healthy' }
      ]
    },
    stoppedTasks: [],
    ...overrides
  }
}

describe('decideCodeDeploy', () => {
  it('waits while CodeDeploy works, and prints the event and the task sets', () => {
    const decision = decideCodeDeploy(observation(), context)
    expect(decision.kind).toBe('wait')
    expect(decision.progress.line).toBe(
      'deployment d-ABC123: InProgress · event Install 1/3 done · Blue 2/2 running, 100% traffic · Green 2/2 running, 0% traffic · web-tg-green 2/2 healthy'
    )
  })

  it('is done at Succeeded with the replacement healthy, or at Ready when asked', () => {
    expect(decideCodeDeploy(observation({ status: 'Succeeded' }), context).kind).toBe('done')
    const waiting = decideCodeDeploy(observation({ status: 'Ready' }), context)
    expect(waiting.kind).toBe('wait')
    expect(waiting.progress.line).toContain('waiting for the production reroute (ContinueDeployment)')
    const ready = decideCodeDeploy(observation({ status: 'Ready' }), { ...context, waitUntil: 'ready' })
    expect(ready.kind).toBe('done')
    expect(ready.reason).toContain('Ready: the replacement serves test traffic')
  })

  it('names the failing hook, with its diagnostics, as soon as the event fails', () => {
    const decision = decideCodeDeploy(
      observation({
        lifecycleEvents: [
          {
            name: 'AfterAllowTestTraffic',
            status: 'Failed',
            diagnostics: {
              errorCode: 'ScriptFailed',
              scriptName: 'smoke-test',
              message: 'GET /health/ returned 500',
              logTail: 'line 1\nline 2'
            }
          }
        ]
      }),
      context
    )
    expect(decision.kind).toBe('failed')
    expect(decision.reason).toBe(
      'lifecycle event AfterAllowTestTraffic Failed (ScriptFailed: hook smoke-test: GET /health/ returned 500)'
    )
    if (decision.kind === 'failed') expect(decision.failure.evidence).toEqual(['line 1', 'line 2'])
  })

  it("reports CodeDeploy's own failure with its error code", () => {
    const decision = decideCodeDeploy(
      observation({ status: 'Failed', errorCode: 'ECS_UPDATE_ERROR', errorMessage: 'tasks failed to start' }),
      context
    )
    expect(decision.reason).toBe(
      'CodeDeploy deployment d-ABC123 Failed: ECS_UPDATE_ERROR: tasks failed to start'
    )
  })

  it('fails fast on unhealthy replacement targets, before CodeDeploy gives up', () => {
    const decision = decideCodeDeploy(
      observation({
        targetGroup: {
          arn: GREEN,
          targets: [
            { id: '10.0.0.1', port: 8000, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' },
            { id: '10.0.0.2', port: 8000, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }
          ]
        }
      }),
      context
    )
    expect(decision.kind).toBe('failed')
    if (decision.kind === 'failed') expect(decision.failure.cause).toBe('targets-unhealthy')
  })

  it('times out with the last state', () => {
    const decision = decideCodeDeploy(observation({ at: 60_000 }), context)
    expect(decision.reason).toMatch(
      /^timed out after 1 minute waiting for CodeDeploy deployment d-ABC123; last state: /
    )
  })
})
