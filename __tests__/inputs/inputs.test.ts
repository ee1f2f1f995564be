import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getInputs, parseKeyValues, parseList, type Command } from '../../src/inputs.js'
import { ActionError } from '../../src/errors.js'
import { actionDefaults } from '../../scripts/lib/run-action.js'

const DEFAULTS = actionDefaults()
const ENV = { AWS_REGION: 'us-east-1', GITHUB_SHA: 'abc1234' }

/** Inputs as the runner gives them: action.yml defaults, then the ones a test sets. */
function inputs(
  set: Record<string, string>,
  env: NodeJS.ProcessEnv = ENV,
  parseMigrateCommands?: (t: string) => Command[]
) {
  const all: Record<string, string> = { ...DEFAULTS, service: 'web', ...set }
  return getInputs({
    read: name => (all[name] ?? '').trim(),
    env,
    mask: () => undefined,
    ...(parseMigrateCommands && { parseMigrateCommands })
  })
}

describe('getInputs', () => {
  it('builds the typed inputs from action.yml defaults', () => {
    const i = inputs({})
    expect(i).toMatchObject({
      mode: 'deploy',
      cluster: 'default',
      service: 'web',
      region: 'us-east-1',
      containerNames: [],
      waitForServiceStability: true,
      waitForMinutes: 30,
      rollbackOnFailure: true,
      forceNewDeployment: false,
      dryRun: false,
      waitUntil: 'succeeded',
      rollbackTo: 'previous',
      allowFamilyChange: false
    })
    expect(i.desiredCount).toBeUndefined()
    expect(i.image).toBeUndefined()
    expect(i.taskDefinitionPath).toBeUndefined()
    expect(i.build).toBeUndefined()
    expect(i.migrate).toBeUndefined()
    expect(i.environmentVariables.size).toBe(0)
  })

  it('masks the GitHub token before anything else can print it', () => {
    const masked: string[] = []
    // Even a run that fails on the very next input has masked the token already.
    const read = (name: string) =>
      name === 'github-token' ? 'ghs_secret' : name === 'mode' ? 'nonsense' : ''
    expect(() => getInputs({ read, env: ENV, mask: s => masked.push(s) })).toThrow('input mode')
    expect(masked).toEqual(['ghs_secret'])
  })

  it('reads lists, key=value pairs, numbers and booleans in any case', () => {
    const i = inputs({
      'container-name': 'web,\nworker , web',
      'environment-variables': 'A=1\n\n# comment\nURL=postgres://h/db?x=y\nEMPTY=\n',
      'desired-count': '0',
      'wait-for-minutes': '45',
      'dry-run': 'TRUE',
      'rollback-on-failure': 'False',
      'allow-family-change': 'True',
      image: 'nginx:1.27'
    })
    expect(i.containerNames).toEqual(['web', 'worker'])
    expect([...i.environmentVariables]).toEqual([
      ['A', '1'],
      ['URL', 'postgres://h/db?x=y'],
      ['EMPTY', '']
    ])
    expect(i.desiredCount).toBe(0)
    expect(i.waitForMinutes).toBe(45)
    expect(i.dryRun).toBe(true)
    expect(i.rollbackOnFailure).toBe(false)
    expect(i.allowFamilyChange).toBe(true)
    expect(i.image).toBe('nginx:1.27')
  })

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, and the input wins', () => {
    expect(inputs({}, { AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe('eu-west-1')
    expect(inputs({ 'aws-region': 'ap-southeast-2' }).region).toBe('ap-southeast-2')
  })

  it('builds the image inputs only when ecr-repository is set, with the commit as the tag', () => {
    const i = inputs({ 'ecr-repository': 'web', 'build-args': 'PY=3.12', 'build-secrets': 'pip=PIP_TOKEN' })
    expect(i.build).toMatchObject({
      ecrRepository: 'web',
      imageTag: 'abc1234',
      builder: 'docker',
      cache: 'registry',
      dockerfile: 'Dockerfile'
    })
    expect(i.build?.buildArgs.get('PY')).toBe('3.12')
    expect(i.build?.buildSecrets.get('pip')).toBe('PIP_TOKEN')
  })

  it('hands migrate-command to the migrate parser', () => {
    const parse = (text: string): Command[] => text.split('\n').map(line => line.split(' '))
    const i = inputs({ 'migrate-command': 'python manage.py migrate --no-input' }, ENV, parse)
    expect(i.migrate).toEqual({
      commands: [['python', 'manage.py', 'migrate', '--no-input']],
      timeoutMinutes: 30
    })
  })

  it('names migrate-command when the parser rejects a line', () => {
    const parse = (): Command[] => {
      throw new Error('line 2: unterminated quote')
    }
    expect(() => inputs({ 'migrate-command': 'a\n"b' }, ENV, parse)).toThrow(
      'input migrate-command: line 2: unterminated quote'
    )
  })

  it.each<[string, Record<string, string>, NodeJS.ProcessEnv | undefined, string]>([
    ['service', { service: '' }, undefined, 'input service: is required'],
    ['cluster', { cluster: ' ' }, undefined, 'input cluster:'],
    ['mode', { mode: 'deploy-everything' }, undefined, 'input mode: "deploy-everything" is not one of'],
    ['builder', { 'ecr-repository': 'web', builder: 'kaniko' }, undefined, 'input builder: "kaniko"'],
    ['cache', { 'ecr-repository': 'web', cache: 's3' }, undefined, 'input cache: "s3"'],
    ['wait-until', { 'wait-until': 'later' }, undefined, 'input wait-until: "later"'],
    [
      'image + ecr-repository',
      { image: 'nginx', 'ecr-repository': 'web' },
      undefined,
      'input image: cannot be combined with ecr-repository'
    ],
    [
      'wait-for-minutes text',
      { 'wait-for-minutes': 'ten' },
      undefined,
      'input wait-for-minutes: "ten" is not a whole number'
    ],
    [
      'wait-for-minutes zero',
      { 'wait-for-minutes': '0' },
      undefined,
      'input wait-for-minutes: must be 1 or more'
    ],
    ['wait-for-minutes fraction', { 'wait-for-minutes': '1.5' }, undefined, 'input wait-for-minutes:'],
    [
      'desired-count negative',
      { 'desired-count': '-1' },
      undefined,
      'input desired-count: "-1" is not a whole number'
    ],
    [
      'migrate-timeout-minutes',
      { 'migrate-timeout-minutes': '0' },
      undefined,
      'input migrate-timeout-minutes: must be 1 or more'
    ],
    [
      'wait-for-service-stability',
      { 'wait-for-service-stability': 'yes' },
      undefined,
      'input wait-for-service-stability: "yes" is not a boolean'
    ],
    ['rollback-on-failure', { 'rollback-on-failure': '1' }, undefined, 'input rollback-on-failure:'],
    ['force-new-deployment', { 'force-new-deployment': 'on' }, undefined, 'input force-new-deployment:'],
    ['dry-run', { 'dry-run': 'maybe' }, undefined, 'input dry-run:'],
    [
      'allow-family-change',
      { 'allow-family-change': 'yes' },
      undefined,
      'input allow-family-change: "yes" is not a boolean'
    ],
    [
      'skip-build-if-exists',
      { 'ecr-repository': 'web', 'skip-build-if-exists': 'y' },
      undefined,
      'input skip-build-if-exists:'
    ],
    [
      'environment-variables no =',
      { 'environment-variables': 'A=1\nBROKEN' },
      undefined,
      'input environment-variables: line 2: expected KEY=VALUE'
    ],
    [
      'environment-variables bad name',
      { 'environment-variables': '1A=x' },
      undefined,
      'input environment-variables: line 1: "1A"'
    ],
    [
      'environment-variables repeated',
      { 'environment-variables': 'A=1\nA=2' },
      undefined,
      'input environment-variables: line 2: A is given twice'
    ],
    ['aws-region missing', {}, {}, 'input aws-region: is empty'],
    ['aws-region malformed', { 'aws-region': 'Frankfurt' }, undefined, 'input aws-region: "Frankfurt"'],
    ['rollback-to', { 'rollback-to': 'last good one' }, undefined, 'input rollback-to:'],
    [
      'rollback-to arn',
      { 'rollback-to': 'arn:aws:ecs:us-east-1:1:service/x' },
      undefined,
      'input rollback-to:'
    ],
    ['image-tag', { 'ecr-repository': 'web', 'image-tag': 'feature/x' }, undefined, 'input image-tag:'],
    [
      'build-secrets',
      { 'ecr-repository': 'web', 'build-secrets': 'pip=not a name' },
      undefined,
      'input build-secrets:'
    ],
    [
      'preview-host + preview-path',
      { 'preview-host': 'pr-{id}.x.com', 'preview-path': '/pr-{id}' },
      undefined,
      'input preview-host:'
    ],
    ['listener-arn', { 'listener-arn': 'my-listener' }, undefined, 'input listener-arn:'],
    ['environment-url', { 'environment-url': 'example.com' }, undefined, 'input environment-url:'],
    ['migrate-container alone', { 'migrate-container': 'web' }, undefined, 'input migrate-container:']
  ])('rejects a bad %s and names the input', (_what, set, env, message) => {
    let thrown: unknown
    try {
      inputs(set, env ?? ENV)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ActionError)
    expect((thrown as Error).message).toContain(message)
  })
})

describe('parseList and parseKeyValues', () => {
  it('splits on commas and newlines, drops blanks and repeats', () => {
    expect(parseList(' a, b\n\nc,a ')).toEqual(['a', 'b', 'c'])
    expect(parseList('')).toEqual([])
  })

  it('keeps = inside values and empty values', () => {
    expect([...parseKeyValues('x', 'K==v=\nE=')]).toEqual([
      ['K', '=v='],
      ['E', '']
    ])
  })
})

describe('preview-id', () => {
  let dir = ''
  let eventPath = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-ship-inputs-'))
    eventPath = join(dir, 'event.json')
    writeFileSync(eventPath, JSON.stringify({ number: 31, pull_request: { number: 31 } }))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('defaults to the pull request number in preview modes', () => {
    const env = { ...ENV, GITHUB_EVENT_PATH: eventPath }
    expect(inputs({ mode: 'preview' }, env).preview.id).toBe('31')
    expect(inputs({ mode: 'preview-destroy' }, env).preview.id).toBe('31')
  })

  it('keeps the input when it is set, and stays unset outside a pull request or a preview mode', () => {
    const env = { ...ENV, GITHUB_EVENT_PATH: eventPath }
    expect(inputs({ mode: 'preview', 'preview-id': 'feature-x' }, env).preview.id).toBe('feature-x')
    expect(inputs({ mode: 'preview' }).preview.id).toBeUndefined()
    expect(inputs({ mode: 'deploy' }, env).preview.id).toBeUndefined()
  })
})

describe('getInputs: the approval modes', () => {
  it('takes modes promote and abort, with an optional deployment-id', () => {
    expect(inputs({ mode: 'promote' })).toMatchObject({ mode: 'promote' })
    expect(inputs({ mode: 'promote' }).deploymentId).toBeUndefined()
    expect(inputs({ mode: 'abort', 'deployment-id': 'd-ABC123' })).toMatchObject({
      mode: 'abort',
      deploymentId: 'd-ABC123'
    })
  })

  it('refuses deployment-id outside promote and abort, and a test-url that is not a URL', () => {
    expect(() => inputs({ 'deployment-id': 'd-ABC123' })).toThrow(
      'input deployment-id: is for modes promote and abort; mode deploy does not take it'
    )
    expect(() => inputs({ 'test-url': 'test.example.com' })).toThrow(
      'input test-url: "test.example.com" is not an http(s) URL'
    )
    expect(inputs({ 'test-url': 'http://test.example.com:8080' }).testUrl).toBe(
      'http://test.example.com:8080'
    )
  })
})
