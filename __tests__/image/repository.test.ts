import {
  isLoopbackRegistry,
  parseEcrHost,
  parseRepositoryReference,
  splitRepositoryUri
} from '../../src/image/repository.js'

describe('parseRepositoryReference', () => {
  test.each<[string, ReturnType<typeof parseRepositoryReference>]>([
    ['web', { kind: 'name', name: 'web' }],
    ['team/web-app', { kind: 'name', name: 'team/web-app' }],
    ['  web  ', { kind: 'name', name: 'web' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web',
      {
        kind: 'uri',
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        name: 'web',
        ecr: { accountId: '123456789012', region: 'eu-west-1' }
      }
    ],
    [
      '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/team/web',
      {
        kind: 'uri',
        registry: '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn',
        name: 'team/web',
        ecr: { accountId: '210987654321', region: 'cn-north-1' }
      }
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web',
      {
        kind: 'uri',
        registry: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
        name: 'web',
        ecr: { accountId: '123456789012', region: 'us-gov-west-1' }
      }
    ],
    ['127.0.0.1:5000/web', { kind: 'uri', registry: '127.0.0.1:5000', name: 'web' }],
    ['http://127.0.0.1:5000/web', { kind: 'uri', registry: '127.0.0.1:5000', name: 'web' }],
    ['localhost/web', { kind: 'uri', registry: 'localhost', name: 'web' }]
  ])('%s', (raw, expected) => {
    expect(parseRepositoryReference(raw)).toEqual(expected)
  })

  test.each<[string, RegExp]>([
    ['', /input ecr-repository: is empty/],
    ['web:v1', /has a tag; give the repository only/],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:latest', /has a tag/],
    ['web@sha256:abc', /has a digest/],
    ['Web', /"Web" is not a valid repository name/],
    ['web//app', /not a valid repository name/],
    ['127.0.0.1:5000/', /"" is not a valid repository name/]
  ])('rejects %j', (raw, message) => {
    expect(() => parseRepositoryReference(raw)).toThrow(message)
  })
})

test.each<[string, ReturnType<typeof parseEcrHost>]>([
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com', { accountId: '123456789012', region: 'us-east-1' }],
  ['12345678901.dkr.ecr.us-east-1.amazonaws.com', undefined],
  ['123456789012.dkr.ecr.us-east-1.example.com', undefined],
  ['public.ecr.aws', undefined]
])('parseEcrHost(%s)', (host, expected) => {
  expect(parseEcrHost(host)).toEqual(expected)
})

test.each<[string, ReturnType<typeof splitRepositoryUri>]>([
  [
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/web',
    { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', name: 'web' }
  ],
  ['127.0.0.1:41234/team/web', { registry: '127.0.0.1:41234', name: 'team/web' }]
])('splitRepositoryUri(%s)', (uri, expected) => {
  expect(splitRepositoryUri(uri)).toEqual(expected)
})

test('splitRepositoryUri rejects a URI without a host', () => {
  expect(() => splitRepositoryUri('web')).toThrow(/without a host/)
})

test.each<[string, boolean]>([
  ['127.0.0.1:5000', true],
  ['127.1.2.3', true],
  ['localhost:5000', true],
  ['[::1]:5000', true],
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com', false],
  ['10.0.0.1:5000', false],
  ['127.0.0.1.example.com', false]
])('isLoopbackRegistry(%s) is %s', (registry, expected) => {
  expect(isLoopbackRegistry(registry)).toBe(expected)
})
