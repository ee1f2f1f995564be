// Errors the action reports to a person. An ActionError's message is already plain words and is
// printed as is; anything else is an unexpected failure and gets a short prefix. AWS errors that
// no amount of waiting will fix (expired or invalid credentials, access denied) are recognised
// here so the watch loop fails at once instead of polling until the timeout. An AWS SDK error
// carries the call it came from (attached by src/aws/call-errors.ts, on every client), so the
// message names the call, the resource and the tries, while the error itself stays the SDK's:
// errorName() and instanceof see what the SDK threw.

import { deniedPermission, grantAdvice } from './aws/access-denied.js'

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

/**
 * The AWS call an SDK error came from, as the middleware on every client records it: which
 * service and operation, on which resource, after how many tries, and, when the endpoint answered
 * with something that is not an AWS answer (an HTML page from a proxy), what it did answer.
 */
export interface AwsCall {
  /** How people name the service: `ECS`, `Elastic Load Balancing`. */
  readonly service: string
  readonly operation: string
  /** The IAM action the call needs: `ecs:DescribeServices`. */
  readonly iamAction: string
  /** The resource from the call's input, `service web, cluster demo`; empty when it has none. */
  readonly resource: string
  /** Tries the SDK made (its own retries included); undefined when it did not say. */
  readonly attempts?: number
  /** From the first try to the error, in ms. */
  readonly elapsedMs?: number
  readonly foreignAnswer?: ForeignAnswer
}

/** An answer in a format the protocol does not speak (not JSON, not XML): what a proxy sends. */
export interface ForeignAnswer {
  readonly status: number
  readonly contentType: string
  /** The endpoint's host name. */
  readonly host?: string
  /** The start of the body, on one line. */
  readonly firstBytes: string
}

const AWS_CALL = Symbol.for('ecs-ship.aws-call')

/** Records the call on the SDK's own error (not enumerable, so it adds nothing to a dump of it). */
export function attachAwsCall(error: unknown, call: AwsCall): void {
  if (!error || typeof error !== 'object' || !Object.isExtensible(error)) return
  Object.defineProperty(error, AWS_CALL, { value: call, enumerable: false, configurable: true })
}

/** The call an SDK error came from; undefined for any other error. */
export function awsCallOf(error: unknown): AwsCall | undefined {
  if (!error || typeof error !== 'object') return undefined
  return (error as { [AWS_CALL]?: AwsCall })[AWS_CALL]
}

/** Turns a credential error into a sentence that says what to fix. */
export function credentialErrorMessage(error: unknown): string {
  const name = errorName(error)
  const detail = error instanceof Error ? error.message : String(error)
  if (isAccessDenied(error)) {
    // AWS's message names the action it refused (RunTask may be refused iam:PassRole) and its
    // resource; else the call's own action and resource are the ones.
    const denied = deniedPermission(detail)
    const call = awsCallOf(error)
    const action = denied.action ?? call?.iamAction
    if (!action) return `AWS denied access (${name}): ${detail}. The role needs the permission named above.`
    const resource = denied.resource ?? (call?.resource || undefined)
    return `AWS denied access (${name}): ${detail}. ${grantAdvice(action, resource)} The role needs ${action}.`
  }
  if (name.startsWith('ExpiredToken')) {
    return `the AWS credentials have expired (${name}): ${detail}. Configure credentials again (or raise the role's session duration) and re-run.`
  }
  return `the AWS credentials are not valid (${name}): ${detail}. Check the role or keys given to the job.`
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 6000) / 10} min`
}

/** `ECS DescribeServices (service web, cluster demo) failed after 3 tries in 24 s`. */
export function describeAwsCall(call: AwsCall): string {
  const resource = call.resource ? ` (${call.resource})` : ''
  const tries =
    call.attempts === undefined ? '' : ` after ${call.attempts} ${call.attempts === 1 ? 'try' : 'tries'}`
  const time = call.elapsedMs !== undefined && call.elapsedMs >= 1000 ? ` in ${duration(call.elapsedMs)}` : ''
  return `${call.service} ${call.operation}${resource} failed${tries}${time}`
}

/**
 * What the SDK adds to a message that says nothing to the person reading the log: the hint it
 * appends to an answer it could not parse (the message then says what came back), and the
 * prefix it puts on a thrown value it does not recognise as an Error.
 */
const SDK_NOISE = [
  /\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\.?/,
  /^AWS SDK error wrapper for (Error: )?/
]

/** What went wrong, in words, for an error that is not a credential error. */
function failureDetail(error: unknown, call: AwsCall | undefined): string {
  const answer = call?.foreignAnswer
  if (answer) {
    const from = answer.host ? ` from ${answer.host}` : ' from the endpoint'
    const bytes = answer.firstBytes ? `; the first bytes: ${answer.firstBytes}` : ''
    return `HTTP ${answer.status}${from}, and the answer was not an AWS error (${answer.contentType}${bytes})`
  }
  const name = errorName(error)
  const message = SDK_NOISE.reduce(
    (text, noise) => text.replace(noise, ''),
    error instanceof Error ? error.message : String(error)
  )
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ETIMEDOUT' && name === 'TimeoutError') {
    const limit = /(\d+) ms requestTimeout/.exec(message)?.[1]
    return `TimeoutError: no answer within ${limit ? duration(Number(limit)) : 'the request timeout'}`
  }
  if (code === 'ECONNRESET')
    return `${name || 'ECONNRESET'}: ${message} (the connection closed before an answer)`
  return name && !message.includes(name) ? `${name}: ${message}` : message
}

/** The message a failed run shows: plain for ActionErrors, the call named for AWS errors. */
export function describeError(error: unknown): string {
  if (error instanceof ActionError) return error.message
  const call = awsCallOf(error)
  const detail = isCredentialError(error) ? credentialErrorMessage(error) : failureDetail(error, call)
  return call ? `${describeAwsCall(call)}: ${detail}` : detail
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
