// The only place that constructs AWS SDK clients. Each client is built on first use, so a run
// that never builds an image never loads ECR's client, with the same region, retry mode and
// user agent everywhere. Endpoints come from the SDK's own AWS_ENDPOINT_URL[_<SERVICE>]
// support, which is how tests and the demo point the action at the local simulator.
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { ECRClient } from '@aws-sdk/client-ecr'
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { STSClient } from '@aws-sdk/client-sts'
import { ACTION_NAME, ACTION_VERSION } from '../version.js'

export interface AwsClients {
  readonly region: string
  ecs(): Promise<ECSClient>
  elb(): Promise<ElasticLoadBalancingV2Client>
  logs(): Promise<CloudWatchLogsClient>
  ecr(): Promise<ECRClient>
  codedeploy(): Promise<CodeDeployClient>
  sts(): Promise<STSClient>
}

export function clientConfig(region: string) {
  return {
    region,
    retryMode: 'adaptive' as const,
    maxAttempts: 6,
    customUserAgent: [[ACTION_NAME, ACTION_VERSION]] as [string, string][]
  }
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}

export function createAwsClients(region: string): AwsClients {
  const config = clientConfig(region)
  return {
    region,
    ecs: lazy(async () => new (await import('@aws-sdk/client-ecs')).ECSClient(config)),
    elb: lazy(
      async () =>
        new (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client(config)
    ),
    logs: lazy(
      async () => new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(config)
    ),
    ecr: lazy(async () => new (await import('@aws-sdk/client-ecr')).ECRClient(config)),
    codedeploy: lazy(async () => new (await import('@aws-sdk/client-codedeploy')).CodeDeployClient(config)),
    sts: lazy(async () => new (await import('@aws-sdk/client-sts')).STSClient(config))
  }
}
