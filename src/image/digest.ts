// Reading the digest a builder pushed. Both files are written by the builder itself: docker's
// --metadata-file (JSON with `containerimage.digest`) and buildah's --digestfile (the digest
// alone). What they hold is checked, because a wrong digest would deploy the wrong image.
import { ActionError } from '../errors.js'

const DIGEST = /^sha256:[0-9a-f]{64}$/

export function checkDigest(value: string, source: string): string {
  const digest = value.trim()
  if (!DIGEST.test(digest)) throw new ActionError(`${source} does not hold a sha256 digest: "${digest}"`)
  return digest
}

export function digestFromDockerMetadata(text: string): string {
  let metadata: unknown
  try {
    metadata = JSON.parse(text)
  } catch {
    throw new ActionError('the build metadata file written by docker buildx is not JSON')
  }
  const digest = (metadata as Record<string, unknown> | null)?.['containerimage.digest']
  if (typeof digest !== 'string') {
    throw new ActionError('the build metadata file written by docker buildx has no containerimage.digest')
  }
  return checkDigest(digest, 'containerimage.digest in the build metadata')
}

export function digestFromBuildahDigestFile(text: string): string {
  return checkDigest(text, "buildah's digest file")
}

/** What the task definition gets: the exact manifest that was pushed. */
export function imageUriWithDigest(repository: string, digest: string): string {
  return `${repository}@${digest}`
}
