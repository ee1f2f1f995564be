// Choosing the buildx builder: what `docker buildx inspect` says, when a docker-container builder
// is created for the run, and its removal in the post step, which only ever warns.
import {
  chooseDockerBuilder,
  containerBuilderReason,
  parseBuilderInspect,
  parseBuilderNames,
  recordBuilder,
  removeBuilders
} from '../../src/image/buildx.js'
import { STATE_KEYS } from '../../src/state.js'

const BUILDER_STATE = STATE_KEYS.buildxBuilders
import { fakeExec, type ExecCall } from '../../src/process/exec.js'
import { captureJobLog, type JobLog } from './job-log.js'

const DEFAULT_BUILDER = `Name:          default
Driver:        docker
Last Activity: 2025-05-14 09:01:01 +0000 UTC

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.21.1
Platforms:        linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/386
`

const SETUP_BUILDX_BUILDER = `Name:          builder-5c8a1f0e
Driver:        docker-container
Last Activity: 2025-05-14 09:01:01 +0000 UTC

Nodes:
Name:                  builder-5c8a1f0e0
Endpoint:              unix:///var/run/docker.sock
Driver Options:        network="host"
Status:                running
BuildKit daemon flags: --allow-insecure-entitlement=network.host
`

let log: JobLog
beforeEach(() => {
  log = captureJobLog()
})
afterEach(() => log.restore())

describe('parseBuilderInspect', () => {
  test.each<[string, string, ReturnType<typeof parseBuilderInspect>]>([
    ['the default builder of a stock runner', DEFAULT_BUILDER, { name: 'default', driver: 'docker' }],
    [
      'a builder from docker/setup-buildx-action (its node lines and Driver Options are not the driver)',
      SETUP_BUILDX_BUILDER,
      { name: 'builder-5c8a1f0e', driver: 'docker-container' }
    ],
    ['no output', '', {}]
  ])('%s', (_name, text, expected) => {
    expect(parseBuilderInspect(text)).toEqual(expected)
  })
})

describe('containerBuilderReason', () => {
  test.each<[string, Parameters<typeof containerBuilderReason>[0], string | undefined]>([
    ['no cache, one platform: any builder', { cache: 'none', platforms: ['linux/amd64'] }, undefined],
    [
      'registry cache',
      { cache: 'registry', platforms: ['linux/amd64'] },
      'cache: registry exports a build cache'
    ],
    ['gha cache', { cache: 'gha', platforms: ['linux/amd64'] }, 'cache: gha exports a build cache'],
    [
      'several platforms',
      { cache: 'none', platforms: ['linux/amd64', 'linux/arm64'] },
      'it builds linux/amd64, linux/arm64 into one image'
    ]
  ])('%s', (_name, plan, expected) => {
    expect(containerBuilderReason(plan)).toBe(expected)
  })
})

describe('chooseDockerBuilder', () => {
  const REGISTRY_CACHE = { cache: 'registry', platforms: ['linux/amd64'] } as const
  const inspectAnswers = (inspect: string, create: { exitCode?: number; stderr?: string } = {}) =>
    fakeExec((call: ExecCall) =>
      call.args[1] === 'inspect' ? { stdout: inspect } : call.args[1] === 'create' ? create : {}
    )

  test('a build the docker driver can do runs on the current builder, without asking', async () => {
    const exec = fakeExec()
    const recorded: string[] = []
    const name = await chooseDockerBuilder(
      { cache: 'none', platforms: ['linux/amd64'] },
      { exec, recordBuilder: n => recorded.push(n) }
    )
    expect(name).toBeUndefined()
    expect(exec.calls).toEqual([])
    expect(recorded).toEqual([])
  })

  test('the docker driver with a cache export: a docker-container builder for this run, recorded', async () => {
    const exec = inspectAnswers(DEFAULT_BUILDER)
    const recorded: string[] = []
    const name = await chooseDockerBuilder(REGISTRY_CACHE, {
      exec,
      env: { BUILDX_BUILDER: '' },
      recordBuilder: n => recorded.push(n),
      newName: () => 'ecs-ship-1a2b3c4d'
    })
    expect(name).toBe('ecs-ship-1a2b3c4d')
    expect(exec.calls.map(c => c.args)).toEqual([
      ['buildx', 'inspect'],
      [
        'buildx',
        'create',
        '--name',
        'ecs-ship-1a2b3c4d',
        '--driver',
        'docker-container',
        '--driver-opt',
        'network=host'
      ]
    ])
    expect(exec.calls.every(c => c.command === 'docker' && c.options.env?.BUILDX_BUILDER === '')).toBe(true)
    expect(recorded).toEqual(['ecs-ship-1a2b3c4d'])
    expect(log.lines.join('\n')).toContain(
      'the buildx builder default (driver docker) cannot do this build, because cache: registry exports a build cache'
    )
  })

  test('a builder the user set up is used as it is', async () => {
    const exec = inspectAnswers(SETUP_BUILDX_BUILDER)
    const recorded: string[] = []
    expect(await chooseDockerBuilder(REGISTRY_CACHE, { exec, recordBuilder: n => recorded.push(n) })).toBe(
      undefined
    )
    expect(exec.calls.map(c => c.args[1])).toEqual(['inspect'])
    expect(recorded).toEqual([])
    expect(log.lines).toContain('building with the buildx builder builder-5c8a1f0e (driver docker-container)')
  })

  test('no buildx plugin: a plain error that says what to install', async () => {
    const exec = fakeExec(() => ({
      exitCode: 1,
      stderr: "docker: unknown command: docker buildx\n\nRun 'docker --help' for more information"
    }))
    await expect(chooseDockerBuilder(REGISTRY_CACHE, { exec, recordBuilder: () => {} })).rejects.toThrow(
      'docker buildx inspect failed (exit 1); builder docker builds with docker buildx, so the buildx plugin ' +
        'must be installed (docker/setup-buildx-action installs it):\n' +
        "docker: unknown command: docker buildx\nRun 'docker --help' for more information"
    )
  })

  test('a builder that could not be created is not recorded, and the error shows why', async () => {
    const exec = inspectAnswers(DEFAULT_BUILDER, { exitCode: 1, stderr: 'ERROR: permission denied' })
    const recorded: string[] = []
    await expect(
      chooseDockerBuilder(REGISTRY_CACHE, {
        exec,
        recordBuilder: n => recorded.push(n),
        newName: () => 'ecs-ship-1a2b3c4d'
      })
    ).rejects.toThrow(
      'docker buildx create --name ecs-ship-1a2b3c4d failed (exit 1):\nERROR: permission denied'
    )
    expect(recorded).toEqual([])
  })
})

describe('recordBuilder and parseBuilderNames', () => {
  test('adds each builder once to the saved list', () => {
    const saved = new Map<string, string>()
    const state = {
      get: (n: string) => saved.get(n) ?? '',
      save: (n: string, v: string) => void saved.set(n, v)
    }
    recordBuilder('a', state)
    recordBuilder('b', state)
    recordBuilder('a', state)
    expect(parseBuilderNames(saved.get(BUILDER_STATE) ?? '')).toEqual(['a', 'b'])
  })

  test.each(['', 'not json', '{"a":1}', '[1, "x", null]'])('reads %j without throwing', text => {
    expect(parseBuilderNames(text)).toEqual(text.startsWith('[') ? ['x'] : [])
  })
})

describe('removeBuilders (the post step)', () => {
  const state = (names: string[]) => (name: string) => (name === BUILDER_STATE ? JSON.stringify(names) : '')

  test('removes each builder the run created', async () => {
    const exec = fakeExec()
    await removeBuilders({ exec, getState: state(['ecs-ship-1', 'ecs-ship-2']) })
    expect(exec.calls.map(c => [c.command, ...c.args])).toEqual([
      ['docker', 'buildx', 'rm', 'ecs-ship-1'],
      ['docker', 'buildx', 'rm', 'ecs-ship-2']
    ])
    expect(log.warnings()).toEqual([])
  })

  test('a run that created none runs nothing', async () => {
    const exec = fakeExec()
    await removeBuilders({ exec, getState: () => '' })
    expect(exec.calls).toEqual([])
  })

  test('failures are warnings, and the next builder is still removed', async () => {
    const exec = fakeExec(call => {
      if (call.args[2] === 'ecs-ship-1') throw new Error('could not run `docker`: ENOENT')
      return { exitCode: 1 }
    })
    await expect(
      removeBuilders({ exec, getState: state(['ecs-ship-1', 'ecs-ship-2']) })
    ).resolves.toBeUndefined()
    expect(exec.calls).toHaveLength(2)
    expect(log.warnings()).toEqual([
      'could not remove the buildx builder ecs-ship-1: could not run `docker`: ENOENT',
      'could not remove the buildx builder ecs-ship-2 (exit 1)'
    ])
  })
})
