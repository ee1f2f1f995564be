import { markMigrationRunning, migrationInFlightMessage } from '../../src/migrate/cancel.js'

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/demo/abc'

describe('markMigrationRunning', () => {
  it('names the task a cancellation leaves running, and how to follow it', () => {
    const done = markMigrationRunning(ARN, 'demo')
    const message = migrationInFlightMessage()
    expect(message).toMatch(/cancelled while migrate task .*task\/demo\/abc was running; it is left running/)
    expect(message).toContain('aws ecs describe-tasks --cluster demo --tasks ' + ARN)
    done()
    expect(migrationInFlightMessage()).toBeUndefined()
  })

  it('a finished task does not clear the mark of the next one', () => {
    const first = markMigrationRunning(ARN, 'demo')
    markMigrationRunning(`${ARN}2`, 'demo')
    first()
    expect(migrationInFlightMessage()).toContain(`${ARN}2`)
  })
})
