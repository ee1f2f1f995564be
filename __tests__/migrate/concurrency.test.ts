import type { Task } from '@aws-sdk/client-ecs'
import { startedBefore } from '../../src/migrate/concurrency.js'

const at = (ms: number | undefined, id: string): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/${id}`,
  ...(ms !== undefined && { createdAt: new Date(ms) })
})

describe('startedBefore: the order both deploys apply to decide which migration goes on', () => {
  test.each<[string, Task, Task, boolean]>([
    ['earlier createdAt first', at(1000, 'b'), at(2000, 'a'), true],
    ['later createdAt second', at(2000, 'a'), at(1000, 'b'), false],
    ['same millisecond: the lower ARN first', at(1000, 'a'), at(1000, 'b'), true],
    ['same millisecond, the other way round', at(1000, 'b'), at(1000, 'a'), false],
    ['unknown createdAt counts as the earliest', at(undefined, 'z'), at(1000, 'a'), true],
    ['a known createdAt is after an unknown one', at(1000, 'a'), at(undefined, 'z'), false],
    ['a task is not before itself', at(1000, 'a'), at(1000, 'a'), false]
  ])('%s', (_, a, b, expected) => {
    expect(startedBefore(a, b)).toBe(expected)
  })

  it('puts exactly one of any two different tasks first', () => {
    const tasks = [at(1000, 'a'), at(1000, 'b'), at(999, 'c'), at(undefined, 'd')]
    for (const a of tasks)
      for (const b of tasks)
        if (a !== b) expect(Number(startedBefore(a, b)) + Number(startedBefore(b, a))).toBe(1)
  })
})
