// The real Exec runs real processes (sh), so what it promises (exit codes returned, not thrown;
// stdin; environment added to, not replaced) is checked against the operating system.
import { captureJobLog } from '../image/job-log.js'
import { readAsRunner } from '../helpers/workflow-commands.js'
import { createExec, fakeExec, lastLines } from '../../src/process/exec.js'

const exec = createExec()

describe('createExec', () => {
  test('captures stdout, stderr and a non-zero exit code without throwing', async () => {
    const result = await exec.run('sh', ['-c', 'echo out; echo err >&2; exit 3'], { silent: true })
    expect(result).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  test('writes input to stdin', async () => {
    const result = await exec.run('sh', ['-c', 'read line; echo "got:$line"'], {
      input: 'p4ss\n',
      silent: true
    })
    expect(result.stdout).toBe('got:p4ss\n')
  })

  test('adds env to the action’s environment instead of replacing it', async () => {
    const result = await exec.run('sh', ['-c', 'echo "$ECS_SHIP_TEST_VAR:${PATH:+has-path}"'], {
      env: { ECS_SHIP_TEST_VAR: 'here' },
      silent: true
    })
    expect(result.stdout).toBe('here:has-path\n')
  })

  test('runs in cwd', async () => {
    const result = await exec.run('pwd', [], { cwd: '/', silent: true })
    expect(result.stdout.trim()).toBe('/')
  })

  test('streams what the process prints to the job log, where the runner obeys none of it', async () => {
    const written: string[] = []
    const log = captureJobLog(line => written.push(line))
    let result
    try {
      const script = [
        'echo "STEP 1/2: RUN echo ::set-output name=image-digest::sha256:evil"',
        'echo "::add-mask::STEP" >&2',
        'printf "progress 50%%\\r::save-state name=isPost::false\\n"',
        'printf "no final line break ##[set-env name=A]b"'
      ].join('; ')
      result = await exec.run('sh', ['-c', script])
    } finally {
      log.restore()
    }
    expect(result.exitCode).toBe(0)
    const view = readAsRunner(written.join('\n'))
    expect(view.commands).toEqual([])
    // stdout and stderr are two pipes: their lines may arrive in either order.
    expect(view.log[0]).toMatch(/^\[command\]sh -c /)
    expect(view.log.slice(1).sort()).toEqual(
      [
        'STEP 1/2: RUN echo ::set-output name=image-digest::sha256:evil',
        '::add-mask::STEP',
        'progress 50%',
        '::save-state name=isPost::false',
        'no final line break ##[set-env name=A]b'
      ].sort()
    )
  })

  test('a command that does not exist is an error that names it', async () => {
    await expect(exec.run('ecs-ship-no-such-command', [], { silent: true })).rejects.toThrow(
      /could not run `ecs-ship-no-such-command`/
    )
  })
})

describe('fakeExec', () => {
  test('records calls and answers with what the responder gives, exit 0 by default', async () => {
    const fake = fakeExec(call =>
      call.command === 'fail' ? { exitCode: 1, stderr: 'no' } : { stdout: 'ok' }
    )
    expect(await fake.run('a', ['1'], { input: 'x' })).toEqual({ exitCode: 0, stdout: 'ok', stderr: '' })
    expect(await fake.run('fail', [])).toEqual({ exitCode: 1, stdout: '', stderr: 'no' })
    expect(fake.calls).toEqual([
      { command: 'a', args: ['1'], options: { input: 'x' } },
      { command: 'fail', args: [], options: {} }
    ])
  })
})

test.each<[string, number, string[]]>([
  ['a\nb\nc\n', 2, ['b', 'c']],
  ['a\n\n\nb  \n', 5, ['a', 'b']],
  ['', 3, []]
])('lastLines(%j, %d)', (text, count, expected) => {
  expect(lastLines(text, count)).toEqual(expected)
})
