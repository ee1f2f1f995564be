// The image phase's orchestration against a mocked ECR and STS and a fake Exec: the order of what
// it does (mask before login, checks before any process), the skip path, the builder it picks,
// and the plain messages of its failures. What reaches the job log is read from stdout, the way
// the runner reads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException
} from '@aws-sdk/client-ecr'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { buildAndPushImage, type ImageDeps } from '../../src/image/build.js'
import type { RegistryLogin } from '../../src/image/logout.js'
import type { ImageInputs } from '../../src/inputs.js'
import { fakeExec, type ExecCall, type ExecResult } from '../../src/process/exec.js'
import { fixturePath } from '../../__fixtures__/load.js'
import { captureJobLog, type JobLog } from './job-log.js'

const CONTEXT = fixturePath('image/context')
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
const REPO = `${REGISTRY}/web`
const PASSWORD = 'ecr-password-0123456789abcdef'
const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64')
const BUILT = `sha256:${'b'.repeat(64)}`
const EXISTING = `sha256:${'e'.repeat(64)}`

function imageInputs(change: Partial<ImageInputs> = {}): ImageInputs {
  return {
    ecrRepository: 'web',
    imageTag: 'abc123',
    extraTags: [],
    buildContext: CONTEXT,
    dockerfile: join(CONTEXT, 'Dockerfile'),
    buildArgs: new Map(),
    buildSecrets: new Map(),
    platforms: [],
    builder: 'buildah',
    cache: 'none',
    skipBuildIfExists: true,
    ...change
  }
}

const ecr = new ECRClient({ region: 'us-east-1' })
const sts = new STSClient({ region: 'us-east-1' })
const ecrMock = mockClient(ecr)
const stsMock = mockClient(sts)

let log: JobLog
let runnerTemp: string
/** The job log and the processes, interleaved in the order they happened. */
let timeline: string[]
let logins: RegistryLogin[]
let builders: string[]

beforeEach(() => {
  ecrMock.reset()
  stsMock.reset()
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [{ repositoryName: 'web', repositoryUri: REPO, registryId: '123456789012' }]
  })
  ecrMock
    .on(DescribeImagesCommand)
    .rejects(new ImageNotFoundException({ message: 'The image does not exist', $metadata: {} }))
  ecrMock.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: TOKEN }] })
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' })
  timeline = []
  log = captureJobLog(line => timeline.push(`log ${line}`))
  runnerTemp = mkdtempSync(join(tmpdir(), 'ecs-ship-build-test-'))
  logins = []
  builders = []
})

afterEach(() => {
  log.restore()
  rmSync(runnerTemp, { recursive: true, force: true })
})

/** Answers like a builder that works: writes the digest files the real one writes. */
function workingBuilder(call: ExecCall, overrides: (call: ExecCall) => Partial<ExecResult> | undefined) {
  const override = overrides(call)
  if (override !== undefined) return override
  const metadata = call.args.indexOf('--metadata-file')
  if (metadata >= 0)
    writeFileSync(call.args[metadata + 1] as string, JSON.stringify({ 'containerimage.digest': BUILT }))
  const digestFile = call.args.indexOf('--digestfile')
  if (digestFile >= 0) writeFileSync(call.args[digestFile + 1] as string, BUILT)
  return {}
}

function setup(overrides: (call: ExecCall) => Partial<ExecResult> | undefined = () => undefined) {
  const exec = fakeExec(call => {
    timeline.push(`run ${call.command} ${call.args.join(' ')}`)
    return workingBuilder(call, overrides)
  })
  const deps: ImageDeps = {
    ecr,
    sts,
    exec,
    region: 'us-east-1',
    env: { RUNNER_TEMP: runnerTemp },
    recordLogin: login => void logins.push(login),
    recordBuilder: name => void builders.push(name),
    builderName: () => 'ecs-ship-1a2b3c4d'
  }
  return { exec, deps }
}

const ran = (line: string) => line.startsWith('run ')
const VERBS = ['login', 'bud', 'push', 'inspect', 'create', 'build']
/** What each process was asked to do: login, bud, push, … */
const verbs = (calls: readonly ExecCall[]) => calls.map(c => c.args.find(a => VERBS.includes(a)))

describe('build secrets', () => {
  test.each<ImageInputs['builder']>(['docker', 'buildah'])(
    '%s: every value passed as a build secret is masked before any process runs',
    async builder => {
      const { deps } = setup()
      const key = '-----BEGIN KEY-----\nMIIEabc\n-----END KEY-----'
      await buildAndPushImage(
        imageInputs({
          builder,
          buildSecrets: new Map([
            ['npm', 'NPM_TOKEN'],
            ['key', 'SIGNING_KEY']
          ])
        }),
        { ...deps, env: { ...deps.env, NPM_TOKEN: 'npm_s3cr3t', SIGNING_KEY: key } }
      )
      const firstRun = timeline.findIndex(ran)
      const masked = timeline.slice(0, firstRun).filter(line => line.startsWith('log ::add-mask::'))
      expect(masked).toEqual([
        'log ::add-mask::npm_s3cr3t',
        'log ::add-mask::-----BEGIN KEY-----%0AMIIEabc%0A-----END KEY-----',
        'log ::add-mask::-----BEGIN KEY-----',
        'log ::add-mask::MIIEabc',
        'log ::add-mask::-----END KEY-----',
        `log ::add-mask::${TOKEN}`,
        `log ::add-mask::${PASSWORD}`
      ])
    }
  )
})

describe('logging in', () => {
  test.each<ImageInputs['builder']>(['docker', 'buildah'])(
    '%s: the token and the password are masked before the login runs, and the password goes only to stdin',
    async builder => {
      const { exec, deps } = setup()
      await buildAndPushImage(imageInputs({ builder }), deps)

      const maskPassword = timeline.indexOf(`log ::add-mask::${PASSWORD}`)
      const maskToken = timeline.indexOf(`log ::add-mask::${TOKEN}`)
      const login = timeline.findIndex(line => line.startsWith(`run ${builder} login`))
      expect(maskToken).toBeGreaterThanOrEqual(0)
      expect(maskPassword).toBeGreaterThan(maskToken)
      expect(login).toBeGreaterThan(maskPassword)
      expect(timeline.slice(0, maskPassword).filter(ran)).toEqual([])

      const loginCall = exec.calls.find(c => c.args[0] === 'login')
      expect(loginCall?.options.input).toBe(PASSWORD)
      expect(loginCall?.args).toContain('--password-stdin')
      for (const call of exec.calls) expect(call.args.join(' ')).not.toContain(PASSWORD)
      expect(log.lines.filter(line => line.includes(PASSWORD))).toEqual([`::add-mask::${PASSWORD}`])
      expect(logins).toEqual([{ builder, registry: REGISTRY }])
    }
  )

  test('a failed login stops before the build, with what the builder said', async () => {
    const { exec, deps } = setup(call =>
      call.args[0] === 'login'
        ? { exitCode: 1, stderr: 'Error: authenticating creds: 401 Unauthorized' }
        : undefined
    )
    await expect(buildAndPushImage(imageInputs(), deps)).rejects.toThrow(
      `buildah login to ${REGISTRY} failed (exit 1):\nError: authenticating creds: 401 Unauthorized`
    )
    expect(verbs(exec.calls)).toEqual(['login'])
  })
})

describe('the tag is already in ECR', () => {
  beforeEach(() => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: EXISTING, imageTags: ['abc123'] }] })
  })

  test('nothing is built or logged in to, the skip is logged, and its digest is deployed', async () => {
    const { exec, deps } = setup()
    const result = await buildAndPushImage(imageInputs({ builder: 'docker', cache: 'registry' }), deps)
    expect(result).toEqual({
      imageUri: `${REPO}@${EXISTING}`,
      imageDigest: EXISTING,
      imageTag: 'abc123',
      imageBuilt: false,
      builder: 'docker',
      platforms: ['linux/amd64']
    })
    expect(exec.calls).toEqual([])
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0)
    expect(logins).toEqual([])
    expect(builders).toEqual([])
    expect(log.lines).toContain(
      `${REPO}:abc123 is already in ECR (${EXISTING}); skip-build-if-exists is on, so nothing is built`
    )
    expect(log.warnings()).toEqual([])
  })

  test('extra tags that cannot be applied are a warning (and a cache that is not used is not)', async () => {
    const { deps } = setup()
    await buildAndPushImage(imageInputs({ extraTags: ['latest', 'v1.2'], cache: 'registry' }), deps)
    expect(log.warnings()).toEqual([
      'input extra-tags: not applied, because the build was skipped (latest, v1.2)'
    ])
  })

  test('skip-build-if-exists off builds anyway', async () => {
    const { exec, deps } = setup()
    const result = await buildAndPushImage(imageInputs({ skipBuildIfExists: false }), deps)
    expect(result.imageBuilt).toBe(true)
    expect(result.imageDigest).toBe(BUILT)
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(0)
    expect(verbs(exec.calls)).toEqual(['login', 'bud', 'push'])
  })
})

describe('stops before any process or AWS change', () => {
  test('a platform the task definition cannot run', async () => {
    const { exec, deps } = setup()
    await expect(
      buildAndPushImage(imageInputs({ platforms: ['linux/amd64'] }), {
        ...deps,
        runtimePlatform: { cpuArchitecture: 'ARM64' }
      })
    ).rejects.toThrow(
      'input platforms: the task definition runs on ARM64 (linux/arm64), but the image would be built for linux/amd64'
    )
    expect(exec.calls).toEqual([])
    expect(ecrMock.calls()).toHaveLength(0)
    expect(stsMock.calls()).toHaveLength(0)
  })

  test('a missing repository', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(
      new RepositoryNotFoundException({
        message: "The repository with name 'web' does not exist",
        $metadata: {}
      })
    )
    const { exec, deps } = setup()
    await expect(buildAndPushImage(imageInputs(), deps)).rejects.toThrow(
      'input ecr-repository: the repository "web" does not exist in ECR (account 123456789012, region us-east-1); create it first'
    )
    expect(exec.calls).toEqual([])
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0)
  })

  test('a missing Dockerfile', async () => {
    const { exec, deps } = setup()
    await expect(
      buildAndPushImage(imageInputs({ dockerfile: join(CONTEXT, 'Containerfile') }), deps)
    ).rejects.toThrow(`input dockerfile: "${join(CONTEXT, 'Containerfile')}" does not exist`)
    expect(exec.calls).toEqual([])
    expect(ecrMock.calls()).toHaveLength(0)
  })
})

describe('a failed build', () => {
  const output = Array.from({ length: 12 }, (_, i) => `step output line ${i + 1}`).join('\n')

  test.each<[ImageInputs['builder'], string, string]>([
    ['buildah', 'bud', 'buildah bud'],
    ['docker', 'build', 'docker buildx build']
  ])(
    '%s: a plain message with the last lines of its output, and nothing pushed',
    async (builder, verb, what) => {
      const { exec, deps } = setup(call =>
        call.args.includes(verb) ? { exitCode: 2, stderr: output } : undefined
      )
      const error = await buildAndPushImage(imageInputs({ builder }), deps).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toBe(
        `${what} failed (exit 2):\n${['8', '9', '10', '11', '12'].map(n => `step output line ${n}`).join('\n')}`
      )
      expect(exec.calls.some(c => c.args.includes('push') && c.command === 'buildah')).toBe(false)
    }
  )
})

describe('the docker builder', () => {
  const DEFAULT_BUILDER = 'Name:   default\nDriver: docker\n\nNodes:\nName: default\n'

  test('cache: registry on the docker driver builds on a docker-container builder of this run', async () => {
    const { exec, deps } = setup(call =>
      call.args[1] === 'inspect' ? { stdout: DEFAULT_BUILDER } : undefined
    )
    const result = await buildAndPushImage(imageInputs({ builder: 'docker', cache: 'registry' }), deps)
    expect(result.imageDigest).toBe(BUILT)
    expect(verbs(exec.calls)).toEqual(['inspect', 'create', 'login', 'build'])
    const build = exec.calls[3]?.args ?? []
    expect(build.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'ecs-ship-1a2b3c4d'])
    expect(build).toContain(`type=registry,ref=${REPO}:buildcache`)
    expect(builders).toEqual(['ecs-ship-1a2b3c4d'])
  })

  test('cache: none on one platform runs on the current builder without inspecting it', async () => {
    const { exec, deps } = setup()
    await buildAndPushImage(imageInputs({ builder: 'docker' }), deps)
    expect(verbs(exec.calls)).toEqual(['login', 'build'])
    expect(exec.calls[1]?.args).not.toContain('--builder')
    expect(builders).toEqual([])
  })
})

describe('buildah and the cache input', () => {
  test.each<[ImageInputs['cache'], string[]]>([
    [
      'registry',
      [
        "input cache: with builder buildah, `registry` is buildah's layer cache on this machine: no cache image " +
          'is pushed to or read from ECR, so a fresh runner builds every step again. Use builder docker for a ' +
          'cache image in ECR, or cache: none to build without a cache.'
      ]
    ],
    [
      'gha',
      [
        'input cache: `gha` is a BuildKit cache that buildah cannot use; buildah uses its layer cache on this machine'
      ]
    ],
    ['none', []]
  ])('%s', async (cache, warnings) => {
    const { exec, deps } = setup()
    await buildAndPushImage(imageInputs({ cache }), deps)
    expect(log.warnings()).toEqual(warnings)
    const bud = exec.calls.find(c => c.args.includes('bud'))?.args ?? []
    expect(bud.includes('--layers')).toBe(cache !== 'none')
    expect(bud.some(a => a.startsWith('--cache-to') || a.startsWith('--cache-from'))).toBe(false)
  })
})
