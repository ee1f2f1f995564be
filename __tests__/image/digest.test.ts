import {
  checkDigest,
  digestFromBuildahDigestFile,
  digestFromDockerMetadata,
  imageUriWithDigest
} from '../../src/image/digest.js'

const DIGEST = `sha256:${'ab12'.repeat(16)}`

describe('digestFromDockerMetadata', () => {
  test('reads containerimage.digest', () => {
    const metadata = {
      'buildx.build.ref': 'builder/builder0/xyz',
      'containerimage.config.digest': `sha256:${'0'.repeat(64)}`,
      'containerimage.digest': DIGEST,
      'image.name': 'r/web:abc,r/web:latest'
    }
    expect(digestFromDockerMetadata(JSON.stringify(metadata))).toBe(DIGEST)
  })

  test.each<[string, string, RegExp]>([
    ['not JSON', '{', /is not JSON/],
    ['JSON null', 'null', /has no containerimage.digest/],
    ['no digest', '{"image.name":"x"}', /has no containerimage.digest/],
    [
      'a digest that is not sha256',
      '{"containerimage.digest":"md5:abc"}',
      /does not hold a sha256 digest: "md5:abc"/
    ]
  ])('%s is an error', (_name, text, message) => {
    expect(() => digestFromDockerMetadata(text)).toThrow(message)
  })
})

describe('digestFromBuildahDigestFile', () => {
  test.each([DIGEST, `${DIGEST}\n`, `  ${DIGEST}  `])('reads %j', text => {
    expect(digestFromBuildahDigestFile(text)).toBe(DIGEST)
  })

  test.each(['', 'sha256:short', `sha256:${'G'.repeat(64)}`])('rejects %j', text => {
    expect(() => digestFromBuildahDigestFile(text)).toThrow(
      /buildah's digest file does not hold a sha256 digest/
    )
  })
})

test('checkDigest names its source', () => {
  expect(() => checkDigest('x', 'the thing')).toThrow('the thing does not hold a sha256 digest: "x"')
})

test('imageUriWithDigest pins the repository to the digest', () => {
  expect(imageUriWithDigest('127.0.0.1:5000/web', DIGEST)).toBe(`127.0.0.1:5000/web@${DIGEST}`)
})
