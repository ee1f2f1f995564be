// Whether the caller may make a request: every check the request makes (its action on each
// resource, and the actions it implies) is evaluated against the caller's identity policies. No
// identity means no policy set is in force, and everything is allowed (the simulator's default).
import { accessDeniedMessage, protocolOf } from './access-denied.js'
import type { Check, World } from './check.js'
import { evaluateCheck, type CheckResult, type Identity } from './evaluate.js'
import { checksFor, type SimService } from './operations/index.js'

export interface AuthorizeRequest {
  readonly service: SimService
  readonly operation: string
  /** The request as the wire delivered it (JSON body, or the parsed awsQuery form). */
  readonly input: unknown
  readonly region: string
  readonly account: string
  /** The caller and its policies; undefined when no policy set is in force. */
  readonly identity: Identity | undefined
  readonly world: World
}

export interface DecidedCheck extends Check {
  readonly result: CheckResult
}

export type Decision =
  | { readonly allowed: true; readonly checks: readonly DecidedCheck[] }
  | {
      readonly allowed: false
      readonly action: string
      readonly resource: string
      /** AWS's wording for the denial of this service's protocol. */
      readonly message: string
      readonly explicit: boolean
      /** The checks evaluated, up to and including the denied one. */
      readonly checks: readonly DecidedCheck[]
    }

export async function authorize(request: AuthorizeRequest): Promise<Decision> {
  const { service, operation, identity } = request
  if (identity === undefined) return { allowed: true, checks: [] }
  const checks = checksFor(service, operation, request.input, request)
  if (checks === undefined)
    throw new Error(`sim/iam has no entry for ${service}:${operation}; add it to sim/iam/operations/`)
  const decided: DecidedCheck[] = []
  for (const check of checks) {
    const result = await evaluateCheck({ check, identity, region: request.region, account: request.account })
    decided.push({ ...check, result })
    if (result.verdict !== 'Allowed') {
      const explicit = result.verdict === 'ExplicitlyDenied'
      return {
        allowed: false,
        action: result.action,
        resource: check.resource,
        explicit,
        message: accessDeniedMessage({
          principalArn: identity.principalArn,
          action: result.action,
          resource: check.resource,
          explicit,
          protocol: protocolOf(service)
        }),
        checks: decided
      }
    }
  }
  return { allowed: true, checks: decided }
}
