// The post step's logout: one logout per recorded login, with the builder that logged in; a
// failure is a warning and never stops the others or fails the job.
import { logoutRegistries, parseLogins, recordLogin } from '../../src/image/logout.js'
import { STATE_KEYS } from '../../src/state.js'

const LOGIN_STATE = STATE_KEYS.registryLogins
import { fakeExec } from '../../src/process/exec.js'
import { captureJobLog, type JobLog } from './job-log.js'

let log: JobLog
beforeEach(() => {
  log = captureJobLog()
})
afterEach(() => log.restore())

const state = (logins: unknown) => (name: string) => (name === LOGIN_STATE ? JSON.stringify(logins) : '')

describe('recordLogin and parseLogins', () => {
  test('each registry is recorded once per builder', () => {
    const saved = new Map<string, string>()
    const store = {
      get: (n: string) => saved.get(n) ?? '',
      save: (n: string, v: string) => void saved.set(n, v)
    }
    recordLogin({ builder: 'docker', registry: 'r.example' }, store)
    recordLogin({ builder: 'buildah', registry: 'r.example' }, store)
    recordLogin({ builder: 'docker', registry: 'r.example' }, store)
    expect(parseLogins(saved.get(LOGIN_STATE) ?? '')).toEqual([
      { builder: 'docker', registry: 'r.example' },
      { builder: 'buildah', registry: 'r.example' }
    ])
  })

  test.each(['', 'not json', '{}', '[{"builder":"podman","registry":"r"},{"builder":"docker"}]'])(
    'reads %j as no logins, without throwing',
    text => {
      expect(parseLogins(text)).toEqual([])
    }
  )
})

describe('logoutRegistries', () => {
  test('logs each builder out of its registry', async () => {
    const exec = fakeExec()
    await logoutRegistries({
      exec,
      getState: state([
        { builder: 'buildah', registry: '127.0.0.1:5000' },
        { builder: 'docker', registry: 'r.example' }
      ])
    })
    expect(exec.calls.map(c => [c.command, ...c.args])).toEqual([
      ['buildah', 'logout', '127.0.0.1:5000'],
      ['docker', 'logout', 'r.example']
    ])
    expect(log.warnings()).toEqual([])
  })

  test('nothing recorded, nothing run', async () => {
    const exec = fakeExec()
    await logoutRegistries({ exec, getState: () => '' })
    expect(exec.calls).toEqual([])
  })

  test('a logout that fails or cannot start is a warning, and the next one still runs', async () => {
    const exec = fakeExec(call => {
      if (call.command === 'buildah') throw new Error('could not run `buildah`: ENOENT')
      return { exitCode: 1, stderr: 'not logged in' }
    })
    await expect(
      logoutRegistries({
        exec,
        getState: state([
          { builder: 'buildah', registry: '127.0.0.1:5000' },
          { builder: 'docker', registry: 'r.example' }
        ])
      })
    ).resolves.toBeUndefined()
    expect(exec.calls).toHaveLength(2)
    expect(log.warnings()).toEqual([
      'could not log buildah out of 127.0.0.1:5000: could not run `buildah`: ENOENT',
      'could not log docker out of r.example (exit 1)'
    ])
  })
})
