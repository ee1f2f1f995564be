import { cancellationMessage } from '../../src/report/cancellation.js'
import type { ReportData } from '../../src/report/summary.js'

const report: ReportData = {
  mode: 'deploy',
  cluster: 'demo',
  service: 'web',
  status: 'failed',
  timings: [],
  previousTaskDefinitionArn: 'arn:td/web:1',
  taskDefinitionArn: 'arn:td/web:2'
}

describe('cancellationMessage', () => {
  it('before the rollout: the service was not changed, and says what was registered', () => {
    expect(cancellationMessage(report, 'Migrate')).toBe(
      'cancelled during Migrate: the service web in cluster demo was not changed and still runs arn:td/web:1 (arn:td/web:2 was registered but not deployed). A new run starts from there.'
    )
  })

  it('before anything: no revision to mention', () => {
    expect(cancellationMessage({ mode: 'deploy', status: 'failed', timings: [] }, undefined)).toBe(
      'cancelled during start-up: the service ? in cluster ? was not changed. A new run starts from there.'
    )
  })

  it('during the rollout: ECS carries on, and how to follow it or roll back', () => {
    const message = cancellationMessage(report, 'Rollout')
    expect(message).toMatch(
      /^cancelled while rolling out: ECS carries on with the deployment of arn:td\/web:2/
    )
    expect(message).toContain(
      'Re-run the workflow to follow it to a verdict, or run mode: rollback to put arn:td/web:1 back.'
    )
  })

  it('during a CodeDeploy rollout: CodeDeploy carries on, and may roll back by itself', () => {
    expect(cancellationMessage({ ...report, strategy: 'codedeploy' }, 'Rollout')).toMatch(
      /^cancelled while rolling out: CodeDeploy carries on with its deployment of arn:td\/web:2 to the service web in cluster demo \(and rolls back by itself if its deployment group says so\), but nothing is watching its health now\./
    )
  })

  it('while a preview is created or destroyed: how to finish or clean up', () => {
    expect(cancellationMessage({ ...report, service: 'web-pr-7' }, 'Preview resources')).toMatch(
      /Run the preview again to finish them, or preview-destroy to remove what was created\.$/
    )
    expect(cancellationMessage(report, 'Destroy preview')).toMatch(/Run preview-destroy again/)
  })
})
