// Every AWS request is authorized against the caller's identity policies before its handler runs
// (sim/iam decides, from the request and what the world says about existing resources). A denial
// is answered with AWS's own AccessDenied for the service's protocol and changes nothing. With no
// identity set (the default), nothing is evaluated and every request is allowed.
import type { CallAuthorization, CallRecord } from '../contract.js'
import { accessDeniedAnswer, authorize, isSimService, type WireAnswer } from '../iam/index.js'
import { iamWorld } from '../world/iam-world.js'
import { requestId } from './reply.js'
import type { Session } from './session.js'

/**
 * Authorizes one request and records the decision on its call-log entry; the AccessDenied answer
 * when it is denied, undefined when it may go on.
 */
export async function authorizeCall(
  session: Session,
  call: {
    readonly service: string
    readonly operation: string
    readonly input: unknown
    readonly record: CallRecord
  }
): Promise<WireAnswer | undefined> {
  const state = session.state
  const identity = state.identity
  if (identity === undefined) return undefined
  const { service, operation, input, record } = call
  if (!isSimService(service)) throw new Error(`sim/iam has no table for the service ${service}`)
  const decision = await authorize({
    service,
    operation,
    input,
    region: state.region,
    account: state.accountId,
    identity,
    world: iamWorld(state)
  })
  const authorization: CallAuthorization = {
    principalArn: identity.principalArn,
    allowed: decision.allowed,
    checks: decision.checks.map(c => ({
      action: c.result.action,
      resource: c.resource,
      ...(c.impliedBy !== undefined && { impliedBy: c.impliedBy }),
      context: c.context,
      verdict: c.result.verdict,
      allowedBy: c.result.allowedBy
    }))
  }
  const denied = decision.allowed
    ? undefined
    : accessDeniedAnswer({ service, message: decision.message, requestId: requestId() })
  // The entry is found by identity: other requests may have been logged while this one was decided.
  const index = state.calls.lastIndexOf(record)
  if (index >= 0)
    state.calls[index] = {
      ...record,
      authorization,
      ...(denied && {
        error: service === 'elbv2' || service === 'sts' ? 'AccessDenied' : 'AccessDeniedException'
      })
    }
  return denied
}
