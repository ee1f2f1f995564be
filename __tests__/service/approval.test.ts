// The words for a deployment that waits for approval: the summary's lines and the pause notice.
import { describeExpiry, pauseNotice, waitingLines, type Waiting } from '../../src/service/approval.js'

const WAITING: Waiting = {
  deploymentId: 'd-ABC123',
  stage: 'Ready',
  expiresAt: Date.parse('2026-12-05T06:30:00Z'),
  expiryEstimated: true,
  atExpiry: 'STOP',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
  previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
  green: [
    {
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-green/1',
      healthy: 2,
      expected: 2,
      targets: []
    }
  ],
  controller: 'CodeDeploy'
}

it('says where it waits, until when (about, when worked out), and what happens then', () => {
  expect(pauseNotice(WAITING)).toBe(
    'paused at Ready, waiting for approval until about 2026-12-05 06:30:00 UTC (then CodeDeploy stops the deployment and production stays on web:1)'
  )
  expect(describeExpiry({ ...WAITING, atExpiry: 'CONTINUE', controller: 'ECS' })).toBe(
    'ECS moves production traffic to the new revision by itself'
  )
})

it('tells how to promote and abort, with the deployment id the modes take', () => {
  const lines = waitingLines(WAITING)
  expect(lines[0]).toBe('web:2 serves test traffic (web-tg-green 2/2 healthy); production still runs web:1')
  expect(lines.join('\n')).toContain('mode: promote (deployment-id: d-ABC123)')
  expect(lines.join('\n')).toContain('mode: abort (deployment-id: d-ABC123)')
})
