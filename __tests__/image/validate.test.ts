import { join } from 'node:path'
import { validateImageInputs } from '../../src/image/validate.js'
import type { ImageInputs } from '../../src/inputs.js'
import { fixturePath } from '../../__fixtures__/load.js'

const CONTEXT = fixturePath('image/context')

const VALID: ImageInputs = {
  ecrRepository: 'web',
  imageTag: 'abc123',
  extraTags: [],
  buildContext: CONTEXT,
  dockerfile: join(CONTEXT, 'Dockerfile'),
  buildArgs: new Map(),
  buildSecrets: new Map([['npm', 'NPM_TOKEN']]),
  platforms: ['linux/amd64'],
  builder: 'buildah',
  cache: 'registry',
  skipBuildIfExists: true
}
const ENV = { NPM_TOKEN: 'secret' }

test('valid inputs pass', () => {
  expect(() => validateImageInputs(VALID, ENV)).not.toThrow()
})

test('an empty secret value counts as set (an empty token is the caller’s choice)', () => {
  expect(() => validateImageInputs(VALID, { NPM_TOKEN: '' })).not.toThrow()
})

test.each<[string, Partial<ImageInputs>, Record<string, string>, string | RegExp]>([
  [
    'a missing context',
    { buildContext: join(CONTEXT, 'nope') },
    ENV,
    `input build-context: "${join(CONTEXT, 'nope')}" does not exist`
  ],
  [
    'a context that is a file',
    { buildContext: join(CONTEXT, 'hello.txt') },
    ENV,
    /input build-context: ".*hello.txt" is not a directory/
  ],
  [
    'a missing Dockerfile',
    { dockerfile: join(CONTEXT, 'Dockerfile.prod') },
    ENV,
    /input dockerfile: ".*Dockerfile.prod" does not exist/
  ],
  [
    'a Dockerfile that is a directory',
    { dockerfile: CONTEXT },
    ENV,
    /input dockerfile: ".*context" is not a file/
  ],
  [
    'a secret whose variable is not set',
    {},
    {},
    'input build-secrets: secret "npm" reads the environment variable NPM_TOKEN, which is not set'
  ],
  ['a bad platform', { platforms: ['amd64'] }, ENV, /input platforms: "amd64" is not a platform/],
  [
    'two platforms with buildah',
    { platforms: ['linux/amd64', 'linux/arm64'] },
    ENV,
    /builder buildah builds one platform per run/
  ],
  ['a repository with a tag', { ecrRepository: 'web:1' }, ENV, /input ecr-repository: .* has a tag/]
])('%s', (_name, change, env, message) => {
  expect(() => validateImageInputs({ ...VALID, ...change }, env)).toThrow(message)
})

test('two platforms are fine with docker', () => {
  expect(() =>
    validateImageInputs({ ...VALID, builder: 'docker', platforms: ['linux/amd64', 'linux/arm64'] }, ENV)
  ).not.toThrow()
})
