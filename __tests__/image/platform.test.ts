import { checkPlatformSyntax, choosePlatforms, taskPlatform } from '../../src/image/platform.js'

describe('choosePlatforms', () => {
  test.each<[string, string[], Parameters<typeof choosePlatforms>[1], string[]]>([
    ['nothing given, nothing known: linux/amd64', [], undefined, ['linux/amd64']],
    [
      'nothing given, runtimePlatform without an architecture',
      [],
      { operatingSystemFamily: 'LINUX' },
      ['linux/amd64']
    ],
    ['nothing given, ARM64 task', [], { cpuArchitecture: 'ARM64' }, ['linux/arm64']],
    ['nothing given, X86_64 task', [], { cpuArchitecture: 'X86_64' }, ['linux/amd64']],
    ['given and matching', ['linux/arm64'], { cpuArchitecture: 'ARM64' }, ['linux/arm64']],
    [
      'a multi-platform image that includes the task architecture',
      ['linux/amd64', 'linux/arm64'],
      { cpuArchitecture: 'ARM64' },
      ['linux/amd64', 'linux/arm64']
    ],
    [
      'a variant of the right architecture',
      ['linux/arm64/v8'],
      { cpuArchitecture: 'ARM64' },
      ['linux/arm64/v8']
    ],
    ['given, task does not say', ['linux/arm64'], undefined, ['linux/arm64']]
  ])('%s', (_name, requested, runtimePlatform, expected) => {
    expect(choosePlatforms(requested, runtimePlatform)).toEqual(expected)
  })

  test.each<[string[], 'ARM64' | 'X86_64', RegExp]>([
    [
      ['linux/amd64'],
      'ARM64',
      /runs on ARM64 \(linux\/arm64\), but the image would be built for linux\/amd64/
    ],
    [['linux/arm64'], 'X86_64', /runs on X86_64 \(linux\/amd64\).*set platforms to linux\/amd64/],
    [['linux/arm/v7', 'linux/386'], 'ARM64', /built for linux\/arm\/v7, linux\/386/]
  ])('%j on %s is an error before anything is built', (requested, cpuArchitecture, message) => {
    expect(() => choosePlatforms(requested, { cpuArchitecture })).toThrow(message)
  })
})

test.each<[string, boolean]>([
  ['linux/amd64', true],
  ['linux/arm/v7', true],
  ['windows/amd64', true],
  ['amd64', false],
  ['linux/', false],
  ['linux/amd64 ', false],
  ['Linux/AMD64', false]
])('checkPlatformSyntax(%j) accepts: %s', (platform, ok) => {
  const check = () => checkPlatformSyntax([platform])
  if (ok) expect(check).not.toThrow()
  else expect(check).toThrow(/input platforms: .* is not a platform/)
})

test('taskPlatform maps the ECS architectures', () => {
  expect([
    taskPlatform({ cpuArchitecture: 'ARM64' }),
    taskPlatform({ cpuArchitecture: 'X86_64' }),
    taskPlatform(undefined)
  ]).toEqual(['linux/arm64', 'linux/amd64', undefined])
})
