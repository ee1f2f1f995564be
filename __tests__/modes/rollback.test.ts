import { rollbackReason } from '../../src/modes/rollback.js'
import type { RolloutResult } from '../../src/rollout/contract.js'

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1'
const result = (status: RolloutResult['status'], reason?: string): RolloutResult => ({
  status,
  taskDefinitionArn: ARN,
  rolledBack: status === 'rolled-back',
  ...(reason !== undefined && { reason })
})

describe('rollbackReason', () => {
  it('says nothing for a rollback that succeeded', () => {
    expect(rollbackReason(ARN, result('succeeded'))).toBeUndefined()
  })

  it('words a failed rollout as a failed rollback, keeping where the service ended', () => {
    expect(
      rollbackReason(
        ARN,
        result('rolled-back', 'deploy failed: 2 tasks stopped; rolled back to arn:…/web:2 (healthy)')
      )
    ).toBe('rollback to web:1 failed: 2 tasks stopped; rolled back to arn:…/web:2 (healthy)')
    expect(rollbackReason(ARN, result('failed', 'deploy failed: timeout (rollback-on-failure is off)'))).toBe(
      'rollback to web:1 failed: timeout (rollback-on-failure is off)'
    )
    expect(rollbackReason(ARN, result('failed', 'something else'))).toBe(
      'rollback to web:1 failed: something else'
    )
  })
})
