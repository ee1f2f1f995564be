// The only place that constructs AWS SDK clients. Each client is built on first use, so a run
// that never builds an image never loads ECR's client, with the same region, retry strategy and
// user agent everywhere. Endpoints come from the SDK's own AWS_ENDPOINT_URL[_<SERVICE>]
// support, which is how tests and the demo point the action at the local simulator.
//
// Every try of a call is bounded in time (an endpoint that accepts the connection and never
// answers would otherwise hold the run until the job's own timeout), and every client carries
// the call-errors middlewares, so an error names the call, the resource and the tries
// (src/aws/call-errors.ts).
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { ECRClient } from '@aws-sdk/client-ecr'
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { STSClient } from '@aws-sdk/client-sts'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import { ACTION_NAME, ACTION_VERSION } from '../version.js'
import { addCallErrors, type ServiceNames } from './call-errors.js'

export interface AwsClients {
  readonly region: string
  ecs(): Promise<ECSClient>
  elb(): Promise<ElasticLoadBalancingV2Client>
  logs(): Promise<CloudWatchLogsClient>
  ecr(): Promise<ECRClient>
  codedeploy(): Promise<CodeDeployClient>
  sts(): Promise<STSClient>
}

/**
 * How long one try of a call may take, how many tries a call gets (the SDK retries a timed-out
 * try like any transient error) and how long it pauses between them.
 */
export interface CallLimits {
  readonly maxAttempts: number
  /** The pause before retry n is about n × this (jittered between half and one and a half of it). */
  readonly retryStepMs: number
  /** To open the connection. */
  readonly connectMs: number
  /** From sending the request to the answer's headers. */
  readonly answerMs: number
  /** The longest the socket may stay silent while the answer's body is read. */
  readonly silenceMs: number
}

/**
 * No call the action makes takes seconds when AWS is well (the largest answer, a page of log
 * events, is at most 1 MB), so 30 s without an answer means the endpoint will not answer.
 * With 3 tries, a call that never gets an answer gives up within about 90 s (3 × 30 s, and the
 * short pauses between tries).
 *
 * Throttling is answered by the SDK's standard retry strategy with a short pause (about 200 ms,
 * then 400 ms), not by its adaptive mode: after one throttle, adaptive mode's client-side token
 * bucket slows every later call of that client to about one a second, calls that were never
 * throttled included, and serialises calls made in parallel. What bounds our request rate is
 * the watch loop's poll budget; the standard strategy's retry quota (a bucket of retry tokens
 * each retry spends and each success refills) still stops a retry storm when AWS keeps failing.
 */
export const CALL_LIMITS: CallLimits = {
  maxAttempts: 3,
  retryStepMs: 200,
  connectMs: 10_000,
  answerMs: 30_000,
  silenceMs: 30_000
}

/** The pause before retry `attempt` (1 for the first retry): attempt × step, jittered ±50%. */
export function retryDelayMs(attempt: number, stepMs: number, random: () => number = Math.random): number {
  return Math.round(attempt * stepMs * (0.5 + random()))
}

/**
 * The SDK's standard retry strategy (retry quota included) with our pause between tries, for
 * every kind of error it retries: throttling, 5xx, timeouts and dropped connections.
 */
export function retryStrategy(
  limits: CallLimits,
  random: () => number = Math.random
): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(limits.maxAttempts, attempt =>
    retryDelayMs(attempt, limits.retryStepMs, random)
  )
}

export function clientConfig(region: string, limits: CallLimits = CALL_LIMITS, random?: () => number) {
  return {
    region,
    // One strategy per client, as the SDK makes one per client: its retry quota is per client.
    retryStrategy: retryStrategy(limits, random),
    maxAttempts: limits.maxAttempts,
    customUserAgent: [[ACTION_NAME, ACTION_VERSION]] as [string, string][],
    requestHandler: {
      connectionTimeout: limits.connectMs,
      requestTimeout: limits.answerMs,
      // Without it, the SDK only logs a warning when requestTimeout passes, and goes on waiting.
      throwOnRequestTimeout: true,
      socketTimeout: limits.silenceMs
    }
  }
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}

/** How each client's calls are named in messages, and their IAM prefix. */
const NAMES = {
  ecs: { service: 'ECS', iamPrefix: 'ecs' },
  elb: { service: 'Elastic Load Balancing', iamPrefix: 'elasticloadbalancing' },
  logs: { service: 'CloudWatch Logs', iamPrefix: 'logs' },
  ecr: { service: 'ECR', iamPrefix: 'ecr' },
  codedeploy: { service: 'CodeDeploy', iamPrefix: 'codedeploy' },
  sts: { service: 'STS', iamPrefix: 'sts' }
} as const satisfies Record<string, ServiceNames>

/** A client as made, with what every client carries beyond its config. */
function equipped<C>(client: C, add: (client: C) => void): C {
  add(client)
  return client
}

export function createAwsClients(
  region: string,
  limits: CallLimits = CALL_LIMITS,
  random?: () => number
): AwsClients {
  const config = () => clientConfig(region, limits, random)
  return {
    region,
    ecs: lazy(async () =>
      equipped(new (await import('@aws-sdk/client-ecs')).ECSClient(config()), c =>
        addCallErrors(c.middlewareStack, NAMES.ecs)
      )
    ),
    elb: lazy(async () =>
      equipped(
        new (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client(
          config()
        ),
        c => addCallErrors(c.middlewareStack, NAMES.elb)
      )
    ),
    logs: lazy(async () =>
      equipped(new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(config()), c =>
        addCallErrors(c.middlewareStack, NAMES.logs)
      )
    ),
    ecr: lazy(async () =>
      equipped(new (await import('@aws-sdk/client-ecr')).ECRClient(config()), c =>
        addCallErrors(c.middlewareStack, NAMES.ecr)
      )
    ),
    codedeploy: lazy(async () =>
      equipped(new (await import('@aws-sdk/client-codedeploy')).CodeDeployClient(config()), c =>
        addCallErrors(c.middlewareStack, NAMES.codedeploy)
      )
    ),
    sts: lazy(async () =>
      equipped(new (await import('@aws-sdk/client-sts')).STSClient(config()), c =>
        addCallErrors(c.middlewareStack, NAMES.sts)
      )
    )
  }
}
