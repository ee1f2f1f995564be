// Errors the action reports to a person. An ActionError's message is already plain words and is
// printed as is; anything else is an unexpected failure and gets a short prefix. AWS errors that
// no amount of waiting will fix (expired or invalid credentials, access denied) are recognised
// here so the watch loop fails at once instead of polling until the timeout.

/** A failure whose message is meant for the person reading the job log, with no stack trace. */
export class ActionError extends Error {
  override readonly name = 'ActionError'
}

const CREDENTIAL_ERROR_NAMES = [
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'UnrecognizedClient',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError'
]

/** The AWS error code of an SDK error (its name, or Code/code), or '' when it has none. */
export function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown }
    for (const candidate of [e.name, e.Code, e.code]) {
      if (typeof candidate === 'string' && candidate !== 'Error') return candidate
    }
  }
  return ''
}

export function isAccessDenied(error: unknown): boolean {
  return errorName(error).startsWith('AccessDenied')
}

/** Errors that mean the credentials cannot do this at all: retrying or waiting never helps. */
export function isCredentialError(error: unknown): boolean {
  const name = errorName(error)
  return isAccessDenied(error) || CREDENTIAL_ERROR_NAMES.some(known => name.startsWith(known))
}

/** Turns a credential error into a sentence that says what to fix. */
export function credentialErrorMessage(error: unknown): string {
  const name = errorName(error)
  const detail = error instanceof Error ? error.message : String(error)
  if (isAccessDenied(error)) {
    return `AWS denied access (${name}): ${detail}. The role needs the permission named above.`
  }
  if (name.startsWith('ExpiredToken')) {
    return `the AWS credentials have expired (${name}): ${detail}. Configure credentials again (or raise the role's session duration) and re-run.`
  }
  return `the AWS credentials are not valid (${name}): ${detail}. Check the role or keys given to the job.`
}

/** The message a failed run shows: plain for ActionErrors and credential errors. */
export function describeError(error: unknown): string {
  if (error instanceof ActionError) return error.message
  if (isCredentialError(error)) return credentialErrorMessage(error)
  const name = errorName(error)
  const message = error instanceof Error ? error.message : String(error)
  return name && !message.includes(name) ? `${name}: ${message}` : message
}

/**
 * The action stopped following a deployment it had started (credentials expired or denied, polls
 * failing): the deployment goes on without it. Carries the deployment's id for the outputs.
 */
export class LostTrackError extends ActionError {
  constructor(
    message: string,
    readonly deploymentId: string
  ) {
    super(message)
  }
}
