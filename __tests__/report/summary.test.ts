import { renderSummary, type ReportData } from '../../src/report/summary.js'

const base: ReportData = {
  mode: 'deploy',
  cluster: 'demo',
  service: 'web',
  status: 'succeeded',
  previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8',
  image: 'repo/web@sha256:abc',
  timings: [
    { phase: 'Plan', durationMs: 420, outcome: 'ok' },
    { phase: 'Rollout', durationMs: 95_000, outcome: 'ok' }
  ],
  diff: [
    '~ containerDefinitions[web].image: a → b',
    '+ containerDefinitions[web].secrets DB (from arn:aws:ssm:…:parameter/db)'
  ],
  healthGate: '2/2 tasks RUNNING; every target healthy in web-tg (2/2)',
  evidence: [
    {
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/1',
      healthy: 2,
      expected: 2,
      targets: [{ task: 't1', id: '10.0.0.1', port: 8000, state: 'healthy' }]
    }
  ]
}

describe('renderSummary', () => {
  it('shows service, cluster, old → new revision, image, phases, evidence and the diff folded', () => {
    const md = renderSummary(base)
    expect(md).toContain('## ecs-ship: web — ✅ succeeded')
    expect(md).toContain('| cluster | demo |')
    expect(md).toContain('| revision | web:7 → web:8 |')
    expect(md).toContain('| image | `repo/web@sha256:abc` |')
    expect(md).toContain('| Rollout | 95 s | ok |')
    expect(md).toContain('| Plan | 0.4 s | ok |')
    expect(md).toContain('**web-tg**: 2/2 healthy')
    expect(md).toContain('| t1 | 10.0.0.1:8000 | healthy | - |')
    expect(md).toMatch(
      /<details><summary>Task definition diff \(2 changes\)<\/summary>\n\n```diff\n~ containerDefinitions\[web\]\.image: a → b/
    )
  })

  it('explains a failure with its reason, the rollback and what failed', () => {
    const md = renderSummary({
      ...base,
      status: 'rolled-back',
      reason: 'deploy failed: 2 new tasks failed | exit 3; rolled back to web:7 (healthy)',
      failureEvidence: ['task t1 stopped (EssentialContainerExited): web exited 3'],
      rollback: { deploymentId: 'ecs-svc/9', byEcs: true, healthy: true, reason: 'ok' }
    })
    expect(md).toContain('↩️ rolled back')
    expect(md).toContain('> deploy failed: 2 new tasks failed \\| exit 3; rolled back to web:7 (healthy)')
    expect(md).toContain('| rollback | by the ECS circuit breaker, deployment ecs-svc/9: healthy |')
    expect(md).toContain('- task t1 stopped (EssentialContainerExited): web exited 3')
  })

  it('renders the image and migrate sections only when present', () => {
    expect(renderSummary(base)).not.toContain('### Image')
    const md = renderSummary({
      ...base,
      imageResult: {
        imageUri: 'r/web@sha256:1',
        imageDigest: 'sha256:1',
        imageTag: 'abc',
        imageBuilt: false,
        builder: 'docker',
        platforms: ['linux/amd64']
      },
      migrateResult: {
        succeeded: false,
        tasks: [
          {
            command: ['python', 'manage.py', 'migrate'],
            exitCode: 1,
            durationMs: 3000,
            lastLogLines: ['django.db.utils.OperationalError'],
            succeeded: false,
            reason: 'exit 1'
          }
        ]
      }
    })
    expect(md).toContain('| built | no: the tag already existed, reused |')
    expect(md).toContain('| `python manage.py migrate` | 1 | 3.0 s | exit 1 |')
    expect(md).toContain('django.db.utils.OperationalError')
  })

  it('cannot be broken out of its code fence by backticks in a diff line', () => {
    const md = renderSummary({ ...base, diff: ['~ command: ```rm```'] })
    expect(md).toContain('````diff\n~ command: ```rm```\n````')
  })

  it('summarises a run that failed before it knew the service', () => {
    const md = renderSummary({
      mode: 'deploy',
      status: 'failed',
      reason: 'input service: is required',
      timings: []
    })
    expect(md).toContain('## ecs-ship — ❌ failed')
    expect(md).toContain('> input service: is required')
  })

  describe('text from outside the action stays text', () => {
    const hostile =
      'Target.Timeout <img src=x onerror=alert(1)> | [log in](https://evil.example) ![](https://t.example/p.png) `x` *y*'

    it('in the reason, a fact, a target row and what failed', () => {
      const md = renderSummary({
        ...base,
        status: 'failed',
        reason: `# ${hostile}\r::add-mask::x`,
        strategy: '<script>alert(1)</script>',
        failureEvidence: [`1. ${hostile}`, `- ${hostile}`],
        evidence: [
          {
            targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/1',
            healthy: 0,
            expected: 1,
            targets: [{ task: 't1', id: '10.0.0.1', port: 8000, state: 'unhealthy', description: hostile }]
          }
        ]
      })
      const escaped =
        'Target.Timeout \\<img src=x onerror=alert(1)\\> \\| \\[log in\\](https://evil.example) !\\[\\](https://t.example/p.png) \\`x\\` \\*y\\*'
      expect(md).toContain(`> \\# ${escaped}<br>::add-mask::x`)
      expect(md).toContain('| strategy | \\<script\\>alert(1)\\</script\\> |')
      expect(md).toContain(`| t1 | 10.0.0.1:8000 | unhealthy | ${escaped} |`)
      expect(md).toContain(`- 1\\. ${escaped}`)
      expect(md).toContain(`- \\- ${escaped}`)
      // Nothing raw: no tag, no link or image syntax, no unescaped pipe inside a cell.
      expect(md).not.toMatch(/(?<!\\)<(img|script)/)
      expect(md).not.toMatch(/(?<!\\)\[log in(?<!\\)\]/)
    })

    it('as inline code that a backtick or a pipe cannot end', () => {
      const md = renderSummary({
        ...base,
        image: 'repo/web:`x`|y',
        migrateResult: {
          succeeded: true,
          tasks: [
            {
              command: ['sh', '-c', 'echo `date` | tee x'],
              exitCode: 0,
              durationMs: 1,
              lastLogLines: [],
              succeeded: true
            }
          ]
        }
      })
      expect(md).toContain('| image | ``repo/web:`x`\\|y`` |')
      expect(md).toContain('| ``sh -c echo `date` \\| tee x`` | 0 |')
    })
  })
})

describe('renderSummary: a deployment that waits for approval', () => {
  it('says what waits, until when, what happens then, how to promote or abort, and the test URL', () => {
    const md = renderSummary({
      ...base,
      status: 'ready',
      testUrl: 'http://test.example.com:8080',
      waiting: {
        deploymentId: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/1',
        hookId: 'ecs-pause-1',
        stage: 'POST_TEST_TRAFFIC_SHIFT',
        expiresAt: Date.parse('2026-12-05T06:30:00Z'),
        atExpiry: 'ROLLBACK',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8',
        previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
        green: [],
        controller: 'ECS'
      }
    })
    expect(md).toContain('## ecs-ship: web — ⏳ waiting for approval')
    expect(md).toContain('### Waiting for approval')
    expect(md).toContain(
      'ECS waits at POST\\_TEST\\_TRAFFIC\\_SHIFT for approval until 2026-12-05 06:30:00 UTC (pause hook ecs-pause-1)'
    )
    expect(md).toContain('at expiry: ECS rolls back to web:7')
    expect(md).toMatch(/to promote: run ecs-ship with mode: promote/)
    expect(md).toMatch(/to abort: run ecs-ship with mode: abort/)
    expect(md).toContain('test traffic: http://test.example.com:8080')
  })
})
