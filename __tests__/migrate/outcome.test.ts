import type { Failure, Task } from '@aws-sdk/client-ecs'
import { fixtureJson } from '../../__fixtures__/load.js'
import { decideOutcome, describeRunTaskFailures, describeStop } from '../../src/migrate/outcome.js'

const tasks = fixtureJson<Record<string, Task>>('migrate/stopped-tasks.json')
const failures = fixtureJson<Record<string, Failure[]>>('migrate/runtask-failures.json')
const task = (name: string): Task => {
  const t = tasks[name]
  if (!t) throw new Error(`no fixture task ${name}`)
  return t
}

describe('decideOutcome', () => {
  test.each<[string, boolean, number | undefined, RegExp | undefined]>([
    ['exit-0', true, 0, undefined],
    ['exit-1', false, 1, /^the command exited with code 1$/],
    ['exit-137-oom', false, 137, /exited with code 137 \(killed.*ran out of memory.*OutOfMemoryError/],
    // A non-essential sidecar's exit code does not decide: only the migrate container's does.
    ['sidecar-nonessential-failed', true, 0, undefined],
    ['sidecar-exit-0-migrate-exit-2', false, 2, /exited with code 2/],
    [
      'cannot-pull',
      false,
      undefined,
      /^the image could not be pulled.*\(ECS said: TaskFailedToStart: CannotPullContainerError/
    ],
    [
      'secrets',
      false,
      undefined,
      /^ECS could not prepare the task, most often because a secret.*ResourceInitializationError/
    ],
    [
      'user-stopped',
      false,
      undefined,
      /stopped by a person or another tool.*UserInitiated: Task stopped by user/
    ],
    ['spot', false, undefined, /capacity was taken back/],
    [
      'no-reason',
      false,
      undefined,
      /without an exit code from the migrate container \(ECS said: no reason given\)/
    ],
    ['wrong-container', false, undefined, /^the task has no container named web/]
  ])('%s', (name, succeeded, exitCode, reason) => {
    const outcome = decideOutcome(task(name), 'web')
    expect(outcome.succeeded).toBe(succeeded)
    expect(outcome.exitCode).toBe(exitCode)
    if (reason) expect(outcome.reason).toMatch(reason)
    else expect(outcome.reason).toBeUndefined()
  })

  it('judges by the named container, not by the first one', () => {
    expect(decideOutcome(task('sidecar-nonessential-failed'), 'datadog-agent')).toMatchObject({
      succeeded: false,
      exitCode: 143
    })
  })
})

describe('describeStop', () => {
  it('prefers the container reason over the task reason when it explains more', () => {
    const t: Task = { stopCode: 'TaskFailedToStart', stoppedReason: 'Task failed to start' }
    expect(describeStop(t, 'CannotPullContainerError: not found')).toMatch(/^the image could not be pulled/)
    expect(describeStop(t)).toBe(
      'the task failed to start (ECS said: TaskFailedToStart: Task failed to start)'
    )
  })
})

describe('describeRunTaskFailures', () => {
  test.each<[string, RegExp]>([
    [
      'memory',
      /^no capacity to place the task: no container instance in the cluster has enough memory free \(ECS said: RESOURCE:MEMORY/
    ],
    ['fargate-capacity', /^no capacity to place the task; try again later.*Capacity is unavailable/],
    [
      'attribute',
      /placement constraints or required attributes \(ECS said: ATTRIBUTE, ecs.cpu-architecture\)/
    ],
    ['agent', /ECS agent is disconnected/],
    ['missing', /a resource the task needs was not found \(ECS said: MISSING \(arn:aws:ecs:/],
    ['other', /^RunTask failed: SOMETHING_NEW, details$/],
    ['empty', /^RunTask started no task and gave no reason$/]
  ])('%s', (name, expected) => {
    expect(describeRunTaskFailures(failures[name] ?? [])).toMatch(expected)
  })
})
