// The builders' command lines, as tables of plan → argv. Each row changes one thing from BASE so a
// failing row names the flag that broke.
import {
  buildahBuildArgs,
  buildahPushArgs,
  buildahSettings,
  builderCreateArgs,
  builderInspectArgs,
  builderRemoveArgs,
  dockerBuildArgs,
  dockerCacheFlags,
  imageReferences,
  loginArgs,
  logoutArgs,
  type BuildPlan
} from '../../src/image/argv.js'

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web'
const META = '/tmp/x/metadata.json'

const BASE: BuildPlan = {
  repository: REPO,
  tags: ['abc123'],
  dockerfile: 'Dockerfile',
  context: '.',
  buildArgs: new Map(),
  secrets: new Map(),
  platforms: ['linux/amd64'],
  cache: 'none',
  insecureRegistry: false
}

const REGISTRY_CACHE = [
  '--cache-from',
  `type=registry,ref=${REPO}:buildcache`,
  '--cache-to',
  `type=registry,ref=${REPO}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`
]

describe('dockerBuildArgs', () => {
  test.each<[string, Partial<BuildPlan>, string[]]>([
    [
      'the smallest build',
      {},
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'extra tags, image-tag first',
      { tags: ['abc123', 'latest', 'v1.2'] },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--tag',
        `${REPO}:latest`,
        '--tag',
        `${REPO}:v1.2`,
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'build args keep their order, and a value with = and spaces stays one argument',
      {
        buildArgs: new Map([
          ['NODE_ENV', 'production'],
          ['OPTS', 'a=b c']
        ])
      },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--build-arg',
        'NODE_ENV=production',
        '--build-arg',
        'OPTS=a=b c',
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'an empty build-arg value',
      { buildArgs: new Map([['EMPTY', '']]) },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--build-arg',
        'EMPTY=',
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'secrets name the environment variable, never a value',
      {
        secrets: new Map([
          ['npm', 'NPM_TOKEN'],
          ['pip.conf', 'PIP_CONF']
        ])
      },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--secret',
        'id=npm,env=NPM_TOKEN',
        '--secret',
        'id=pip.conf,env=PIP_CONF',
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'a target stage',
      { target: 'runtime' },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--target',
        'runtime',
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'two platforms in one flag',
      { platforms: ['linux/amd64', 'linux/arm64'] },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64,linux/arm64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'no platform: no flag',
      { platforms: [] },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'registry cache in the same repository',
      { cache: 'registry' },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        ...REGISTRY_CACHE,
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'gha cache',
      { cache: 'gha' },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'a Dockerfile and context elsewhere',
      { dockerfile: 'docker/web.Dockerfile', context: 'app' },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'docker/web.Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        'app'
      ]
    ],
    [
      'an insecure loopback registry needs no flag (docker trusts 127.0.0.0/8 as plain HTTP)',
      { repository: '127.0.0.1:5000/web', insecureRegistry: true },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        '127.0.0.1:5000/web:abc123',
        '--platform',
        'linux/amd64',
        '--metadata-file',
        META,
        '.'
      ]
    ],
    [
      'everything at once',
      {
        tags: ['abc123', 'latest'],
        buildArgs: new Map([['A', '1']]),
        secrets: new Map([['s', 'S']]),
        target: 't',
        platforms: ['linux/arm64'],
        cache: 'registry'
      },
      [
        'buildx',
        'build',
        '--push',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--tag',
        `${REPO}:latest`,
        '--build-arg',
        'A=1',
        '--secret',
        'id=s,env=S',
        '--target',
        't',
        '--platform',
        'linux/arm64',
        ...REGISTRY_CACHE,
        '--metadata-file',
        META,
        '.'
      ]
    ]
  ])('%s', (_name, change, expected) => {
    expect(dockerBuildArgs({ ...BASE, ...change }, META)).toEqual(expected)
  })
})

describe('dockerBuildArgs with a builder of this run', () => {
  test('--builder comes right after `build`, and nothing else changes', () => {
    const plan: BuildPlan = { ...BASE, cache: 'registry' }
    const [buildx, build, ...rest] = dockerBuildArgs(plan, META)
    expect(dockerBuildArgs(plan, META, 'ecs-ship-1a2b3c4d')).toEqual([
      buildx,
      build,
      '--builder',
      'ecs-ship-1a2b3c4d',
      ...rest
    ])
  })
})

describe('buildx builder commands', () => {
  test.each<[string, string[], string[]]>([
    ['inspect the current builder', builderInspectArgs(), ['buildx', 'inspect']],
    [
      'create a docker-container builder, without making it the current one',
      builderCreateArgs('ecs-ship-1a2b3c4d'),
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
    ],
    ['remove it', builderRemoveArgs('ecs-ship-1a2b3c4d'), ['buildx', 'rm', 'ecs-ship-1a2b3c4d']]
  ])('%s', (_name, argv, expected) => {
    expect(argv).toEqual(expected)
    expect(argv).not.toContain('--use')
  })
})

describe('dockerCacheFlags', () => {
  test.each<[BuildPlan['cache'], string[]]>([
    ['registry', REGISTRY_CACHE],
    ['gha', ['--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max']],
    ['none', []]
  ])('%s', (cache, expected) => {
    expect(dockerCacheFlags(REPO, cache)).toEqual(expected)
  })
})

describe('buildahBuildArgs', () => {
  const VFS = { storageDriver: 'vfs', isolation: 'chroot' }
  test.each<[string, Partial<BuildPlan>, Parameters<typeof buildahBuildArgs>[1], string[]]>([
    [
      'the smallest build, with the portable defaults',
      {},
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'settings left to buildah (its environment) add no flags',
      {},
      {},
      ['bud', '--file', 'Dockerfile', '--tag', `${REPO}:abc123`, '--platform', 'linux/amd64', '.']
    ],
    [
      'another storage driver and isolation',
      {},
      { storageDriver: 'overlay', isolation: 'rootless' },
      [
        '--storage-driver',
        'overlay',
        'bud',
        '--isolation',
        'rootless',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'registry cache becomes the local layer cache',
      { cache: 'registry' },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--layers',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'gha cache too',
      { cache: 'gha' },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--layers',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'every tag is applied at build time',
      { tags: ['abc123', 'latest'] },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--tag',
        `${REPO}:latest`,
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'build args, secrets by env, target',
      { buildArgs: new Map([['A', 'x y']]), secrets: new Map([['npm', 'NPM_TOKEN']]), target: 'prod' },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--file',
        'Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--build-arg',
        'A=x y',
        '--secret',
        'id=npm,env=NPM_TOKEN',
        '--target',
        'prod',
        '--platform',
        'linux/amd64',
        '.'
      ]
    ],
    [
      'a plain-HTTP loopback registry (pulls of FROM images from it)',
      { repository: '127.0.0.1:5000/web', insecureRegistry: true },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--file',
        'Dockerfile',
        '--tag',
        '127.0.0.1:5000/web:abc123',
        '--platform',
        'linux/amd64',
        '--tls-verify=false',
        '.'
      ]
    ],
    [
      'an arm64 build elsewhere',
      { platforms: ['linux/arm64'], dockerfile: 'd/Dockerfile', context: 'd' },
      VFS,
      [
        '--storage-driver',
        'vfs',
        'bud',
        '--isolation',
        'chroot',
        '--file',
        'd/Dockerfile',
        '--tag',
        `${REPO}:abc123`,
        '--platform',
        'linux/arm64',
        'd'
      ]
    ]
  ])('%s', (_name, change, settings, expected) => {
    expect(buildahBuildArgs({ ...BASE, ...change }, settings)).toEqual(expected)
  })
})

describe('buildahPushArgs', () => {
  test.each<[string, boolean, Parameters<typeof buildahPushArgs>[3], string[]]>([
    [
      'ECR over HTTPS',
      false,
      { storageDriver: 'vfs' },
      ['--storage-driver', 'vfs', 'push', '--digestfile', '/d', `${REPO}:abc123`]
    ],
    [
      'a loopback registry over HTTP',
      true,
      { storageDriver: 'vfs' },
      ['--storage-driver', 'vfs', 'push', '--tls-verify=false', '--digestfile', '/d', `${REPO}:abc123`]
    ],
    ['storage left to buildah', false, {}, ['push', '--digestfile', '/d', `${REPO}:abc123`]]
  ])('%s', (_name, insecure, settings, expected) => {
    expect(buildahPushArgs(`${REPO}:abc123`, '/d', insecure, settings)).toEqual(expected)
  })
})

describe('buildahSettings', () => {
  test.each<[string, Record<string, string>, ReturnType<typeof buildahSettings>]>([
    ['nothing set: vfs and chroot', {}, { storageDriver: 'vfs', isolation: 'chroot' }],
    ['STORAGE_DRIVER is read by buildah itself', { STORAGE_DRIVER: 'overlay' }, { isolation: 'chroot' }],
    ['so is a storage.conf', { CONTAINERS_STORAGE_CONF: '/etc/s.conf' }, { isolation: 'chroot' }],
    ['and BUILDAH_ISOLATION', { BUILDAH_ISOLATION: 'oci' }, { storageDriver: 'vfs' }],
    [
      'empty values count as unset',
      { STORAGE_DRIVER: '', BUILDAH_ISOLATION: '' },
      { storageDriver: 'vfs', isolation: 'chroot' }
    ]
  ])('%s', (_name, env, expected) => {
    expect(buildahSettings(env)).toEqual(expected)
  })
})

describe('login and logout', () => {
  test.each<[string, Parameters<typeof loginArgs>, string[]]>([
    [
      'docker to ECR',
      ['docker', 'r.example', false],
      ['login', '--username', 'AWS', '--password-stdin', 'r.example']
    ],
    [
      'docker to a loopback registry',
      ['docker', '127.0.0.1:5000', true],
      ['login', '--username', 'AWS', '--password-stdin', '127.0.0.1:5000']
    ],
    [
      'buildah to ECR',
      ['buildah', 'r.example', false],
      ['login', '--username', 'AWS', '--password-stdin', 'r.example']
    ],
    [
      'buildah to a loopback registry',
      ['buildah', '127.0.0.1:5000', true],
      ['login', '--username', 'AWS', '--password-stdin', '--tls-verify=false', '127.0.0.1:5000']
    ],
    [
      'the username from the token',
      ['docker', 'r.example', false, 'other'],
      ['login', '--username', 'other', '--password-stdin', 'r.example']
    ]
  ])('%s', (_name, args, expected) => {
    expect(loginArgs(...args)).toEqual(expected)
  })

  test('no argv ever carries a password: login reads it from stdin', () => {
    expect(loginArgs('buildah', 'r.example', true)).toContain('--password-stdin')
  })

  test('logout names the registry', () => {
    expect(logoutArgs('r.example')).toEqual(['logout', 'r.example'])
  })
})

test('imageReferences appends each tag to the repository', () => {
  expect(imageReferences({ ...BASE, tags: ['a', 'b'] })).toEqual([`${REPO}:a`, `${REPO}:b`])
})
