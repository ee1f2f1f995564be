// Faults set per operation through the control API: throttling, server errors, latency, dropped
// connections, expired credentials, access denied. Random choices come from a seeded generator,
// so a run with the same faults and the same calls fails the same calls.
import type { FaultSpec } from '../contract.js'
import { scaled, type SimState } from '../world/model.js'

export interface FaultError {
  readonly code: string
  /** The awsQuery spelling where it differs (ELB and STS say `Throttling`, `ExpiredToken`). */
  readonly queryCode?: string
  readonly message: string
  readonly status: number
  readonly type: 'Sender' | 'Receiver'
}

export interface FaultDecision {
  readonly latencyMs?: number
  readonly drop?: boolean
  readonly error?: FaultError
}

/** `*`, an exact `service:Operation`, or a prefix ending in `*` such as `ecs:*` or `ecs:Describe*`. */
export function matches(pattern: string, operation: string): boolean {
  if (pattern === '*' || pattern === operation) return true
  return pattern.endsWith('*') && operation.startsWith(pattern.slice(0, -1))
}

function random(state: SimState): number {
  state.counter = (state.counter * 1103515245 + 12345) % 2147483648
  return state.counter / 2147483648
}

function errorFor(spec: FaultSpec, state: SimState, now: number, setAt: number): FaultError | undefined {
  if (spec.accessDenied)
    return {
      code: 'AccessDeniedException',
      queryCode: 'AccessDenied',
      message:
        'User: arn:aws:sts::123456789012:assumed-role/deployer/ecs-ship is not authorized to perform this action',
      status: 400,
      type: 'Sender'
    }
  if (
    spec.expireCredentialsAfterSeconds !== undefined &&
    now - setAt >= scaled(state, spec.expireCredentialsAfterSeconds)
  )
    return {
      code: 'ExpiredTokenException',
      queryCode: 'ExpiredToken',
      message: 'The security token included in the request is expired',
      status: 400,
      type: 'Sender'
    }
  if (spec.throttleRatio && random(state) < spec.throttleRatio)
    return {
      code: 'ThrottlingException',
      queryCode: 'Throttling',
      message: 'Rate exceeded',
      status: 400,
      type: 'Sender'
    }
  if (spec.serverErrorRatio && random(state) < spec.serverErrorRatio) {
    const unavailable = random(state) < 0.5
    return unavailable
      ? {
          code: 'ServiceUnavailableException',
          queryCode: 'ServiceUnavailable',
          message: 'Service is unavailable',
          status: 503,
          type: 'Receiver'
        }
      : {
          code: 'ServerException',
          queryCode: 'InternalFailure',
          message: 'An internal error occurred',
          status: 500,
          type: 'Receiver'
        }
  }
  return undefined
}

export function pickFault(
  state: SimState,
  operation: string,
  now: number,
  _json: boolean
): FaultDecision | undefined {
  let latencyMs = 0
  for (const { spec, setAt } of state.faults) {
    if (!matches(spec.operation, operation)) continue
    latencyMs = Math.max(latencyMs, spec.latencyMs ?? 0)
    if (spec.dropRatio && random(state) < spec.dropRatio) return { latencyMs, drop: true }
    const error = errorFor(spec, state, now, setAt)
    if (error) return { latencyMs, error }
  }
  return latencyMs ? { latencyMs } : undefined
}
