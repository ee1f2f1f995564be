// Every implemented operation, driven through the real AWS SDK clients over HTTP.
import {
  ECSClient,
  ClusterNotFoundException,
  ServiceNotFoundException,
  ClientException,
  DescribeServicesCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RunTaskCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  ListServiceDeploymentsCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand
} from '@aws-sdk/client-ecs'
import {
  ElasticLoadBalancingV2Client,
  DescribeTargetHealthCommand,
  DescribeTargetGroupsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeLoadBalancersCommand,
  CreateTargetGroupCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  TargetGroupNotFoundException,
  PriorityInUseException
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException
} from '@aws-sdk/client-cloudwatch-logs'
import {
  ECRClient,
  DescribeRepositoriesCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
  ImageNotFoundException
} from '@aws-sdk/client-ecr'
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

let sim: RunningSimulator
const clients: { destroy(): void }[] = []
function config(maxAttempts = 3) {
  return {
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  }
}
function make<T extends { destroy(): void }>(client: T): T {
  clients.push(client)
  return client
}

beforeAll(async () => {
  sim = await startSimulator({ fixture: 'django-web', timeScale: 0.02 })
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await sim.close()
})

const until = async (check: () => Promise<boolean>, tries = 200) => {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error('condition not reached')
}

describe('ECS over awsJson1_1', () => {
  it('describes the service, its task definition, clusters and deployments', async () => {
    const ecs = make(new ECSClient(config()))
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'demo', services: ['web', 'nope'], include: ['TAGS'] })
    )
    expect(services?.[0]?.serviceName).toBe('web')
    expect(services?.[0]?.deployments?.[0]?.rolloutState).toBe('COMPLETED')
    expect(services?.[0]?.createdAt).toBeInstanceOf(Date)
    expect(services?.[0]?.tags).toEqual([{ key: 'app', value: 'web' }])
    expect(failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/nope', reason: 'MISSING' }
    ])
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web', include: ['TAGS'] }))
    expect(td.taskDefinition?.revision).toBe(1)
    expect(td.tags).toHaveLength(2)
    expect(
      (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }))).taskDefinitionArns
    ).toHaveLength(1)
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['demo'] }))).clusters?.[0]?.status).toBe(
      'ACTIVE'
    )
    expect((await ecs.send(new ListServicesCommand({ cluster: 'demo' }))).serviceArns).toHaveLength(2)
    const tagged = await ecs.send(new ListTagsForResourceCommand({ resourceArn: services?.[0]?.serviceArn }))
    expect(tagged.tags).toEqual([{ key: 'app', value: 'web' }])
    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: 'demo', service: 'web' })
    )
    expect(serviceDeployments?.[0]?.status).toBe('SUCCESSFUL')
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [serviceDeployments?.[0]?.serviceDeploymentArn ?? '']
      })
    )
    const revisionArn = described.serviceDeployments?.[0]?.targetServiceRevision?.arn ?? ''
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] })
    )
    expect(revisions.serviceRevisions?.[0]?.taskDefinition).toBe(td.taskDefinition?.taskDefinitionArn)
  })

  it('answers typed errors', async () => {
    const ecs = make(new ECSClient(config()))
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['web'] }))
    ).rejects.toBeInstanceOf(ClusterNotFoundException)
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'nope' }))
    ).rejects.toBeInstanceOf(ServiceNotFoundException)
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' }))
    ).rejects.toBeInstanceOf(ClientException)
  })

  it('runs, lists, describes and stops a one-off task; its logs arrive in CloudWatch Logs', async () => {
    await sim.control.setBehaviours({
      commands: { 'echo hi': { exitCode: 0, runSeconds: 2, logLines: ['hi'] } }
    })
    const ecs = make(new ECSClient(config()))
    const logs = make(new CloudWatchLogsClient(config()))
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'demo',
        taskDefinition: 'web',
        startedBy: 'test',
        overrides: { containerOverrides: [{ name: 'web', command: ['echo', 'hi'] }] },
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } }
      })
    )
    const arn = run.tasks?.[0]?.taskArn ?? ''
    expect((await ecs.send(new ListTasksCommand({ cluster: 'demo', startedBy: 'test' }))).taskArns).toEqual([
      arn
    ])
    await until(
      async () =>
        (await ecs.send(new DescribeTasksCommand({ cluster: 'demo', tasks: [arn] }))).tasks?.[0]
          ?.lastStatus === 'STOPPED'
    )
    const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'demo', tasks: [arn] }))).tasks ?? []
    expect(task?.containers?.[0]?.exitCode).toBe(0)
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/web',
        logStreamName: `ecs/web/${arn.split('/').at(-1)}`,
        startFromHead: true
      })
    )
    expect(events.events?.map(e => e.message)).toEqual(['hi'])
    const again = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/web',
        logStreamName: `ecs/web/${arn.split('/').at(-1)}`,
        nextToken: events.nextForwardToken
      })
    )
    expect(again.events).toEqual([])
    expect(again.nextForwardToken).toBe(events.nextForwardToken)
    await expect(
      logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'ecs/web/none' }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException)

    const second = await ecs.send(
      new RunTaskCommand({
        cluster: 'demo',
        taskDefinition: 'web',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } }
      })
    )
    const stopped = await ecs.send(
      new StopTaskCommand({ cluster: 'demo', task: second.tasks?.[0]?.taskArn, reason: 'test over' })
    )
    expect(stopped.task?.desiredStatus).toBe('STOPPED')
    expect(stopped.task?.stoppedReason).toBe('test over')
  })
})

describe('Elastic Load Balancing v2 over awsQuery', () => {
  it('describes target health, target groups, listeners, rules and load balancers', async () => {
    const elb = make(new ElasticLoadBalancingV2Client(config()))
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))
    const tg = TargetGroups?.[0]
    expect(tg?.HealthCheckPath).toBe('/health/')
    expect(tg?.HealthCheckIntervalSeconds).toBe(10)
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn }))
    expect(health.TargetHealthDescriptions?.map(t => t.TargetHealth?.State)).toEqual(['healthy', 'healthy'])
    expect(health.TargetHealthDescriptions?.[0]?.Target?.Port).toBe(8000)
    const attrs = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn })
    )
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' })
    const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ Names: ['demo-alb'] }))
    const { Listeners } = await elb.send(
      new DescribeListenersCommand({ LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn })
    )
    expect(Listeners?.[0]?.Port).toBe(80)
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: Listeners?.[0]?.ListenerArn }))
    expect(Rules?.[0]?.IsDefault).toBe(true)
    await expect(
      elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1'
        })
      )
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException)
  })

  it('creates and deletes target groups and tagged rules', async () => {
    const elb = make(new ElasticLoadBalancingV2Client(config()))
    const listenerArn = (
      await elb.send(
        new DescribeListenersCommand({
          LoadBalancerArn: (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0]
            ?.LoadBalancerArn
        })
      )
    ).Listeners?.[0]?.ListenerArn
    const created = await elb.send(
      new CreateTargetGroupCommand({
        Name: 'web-pr-7',
        Protocol: 'HTTP',
        Port: 8000,
        VpcId: 'vpc-0a1b2c3d',
        TargetType: 'ip',
        HealthCheckPath: '/health/',
        Tags: [{ Key: 'preview', Value: '7' }]
      })
    )
    const tgArn = created.TargetGroups?.[0]?.TargetGroupArn
    const rule = await elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 7,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-7.example.com'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
        Tags: [{ Key: 'preview', Value: '7' }]
      })
    )
    const ruleArn = rule.Rules?.[0]?.RuleArn ?? ''
    expect(rule.Rules?.[0]?.Conditions?.[0]?.HostHeaderConfig?.Values).toEqual(['pr-7.example.com'])
    await expect(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 7,
          Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
          Actions: [{ Type: 'forward', TargetGroupArn: tgArn }]
        })
      )
    ).rejects.toBeInstanceOf(PriorityInUseException)
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [ruleArn, tgArn ?? ''] }))
    expect(tags.TagDescriptions?.map(t => t.Tags)).toEqual([
      [{ Key: 'preview', Value: '7' }],
      [{ Key: 'preview', Value: '7' }]
    ])
    await elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }))
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }))
    expect(
      (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.map(t => t.TargetGroupName)
    ).toEqual(['web-tg'])
  })
})

describe('ECR and STS', () => {
  it('answers repositories, images, tokens and the caller identity', async () => {
    const ecr = make(new ECRClient(config()))
    const repo = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['web'] }))
    expect(repo.repositories?.[0]?.repositoryUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/web')
    const images = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] })
    )
    expect(images.imageDetails?.[0]?.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v9' }] }))
    ).rejects.toBeInstanceOf(ImageNotFoundException)
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] }))
    ).rejects.toBeInstanceOf(RepositoryNotFoundException)
    const token = await ecr.send(new GetAuthorizationTokenCommand({}))
    expect(Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString()).toMatch(
      /^AWS:/
    )
    const sts = make(new STSClient(config()))
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012')
  })
})

describe('faults', () => {
  afterEach(async () => sim.control.setFaults([]))

  it('throttles with ThrottlingException, and the call log records it', async () => {
    await sim.control.setFaults([{ operation: 'ecs:DescribeServices', throttleRatio: 1 }])
    const ecs = make(new ECSClient(config(1)))
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    ).rejects.toMatchObject({ name: 'ThrottlingException' })
    const calls = await sim.control.calls()
    expect(calls.at(-1)).toMatchObject({
      service: 'ecs',
      operation: 'DescribeServices',
      error: 'ThrottlingException',
      mutating: false
    })
  })

  it('expires credentials for both protocols', async () => {
    await sim.control.setFaults([{ operation: '*', expireCredentialsAfterSeconds: 0 }])
    const ecs = make(new ECSClient(config(1)))
    const elb = make(new ElasticLoadBalancingV2Client(config(1)))
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    ).rejects.toMatchObject({ name: 'ExpiredTokenException' })
    await expect(elb.send(new DescribeTargetGroupsCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken'
    })
  })

  it('answers 5xx that the SDK retries, and adds latency', async () => {
    await sim.control.setFaults([{ operation: 'ecs:ListServices', serverErrorRatio: 1 }])
    const ecs = make(new ECSClient(config(2)))
    await expect(ecs.send(new ListServicesCommand({ cluster: 'demo' }))).rejects.toMatchObject({
      $metadata: { attempts: 2 }
    })
    await sim.control.setFaults([{ operation: 'ecs:ListServices', latencyMs: 150 }])
    const started = Date.now()
    await ecs.send(new ListServicesCommand({ cluster: 'demo' }))
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('answers as a proxy in front would: an HTML 502/503 page, not an AWS error, in both protocols', async () => {
    await sim.control.setFaults([
      { operation: 'ecs:DescribeServices', proxyErrorRatio: 1 },
      { operation: 'elbv2:DescribeTargetGroups', proxyErrorRatio: 1 }
    ])
    const raw = await fetch(sim.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices'
      },
      body: JSON.stringify({ cluster: 'demo', services: ['web'] })
    })
    expect([502, 503]).toContain(raw.status)
    expect(raw.headers.get('content-type')).toBe('text/html')
    expect(await raw.text()).toMatch(
      /^<html>\r\n<head><title>50[23] (Bad Gateway|Service Temporarily Unavailable)<\/title>/
    )
    expect((await sim.control.calls()).at(-1)).toMatchObject({
      operation: 'DescribeServices',
      error: expect.stringMatching(/^HTTP 50[23] \(text\/html\)$/) as unknown as string
    })
    // What the SDK makes of it: no AWS error name, the status in its metadata, tried again.
    const ecs = make(new ECSClient(config(2)))
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    ).rejects.toMatchObject({ name: 'SyntaxError', $metadata: { attempts: 2 } })
    const elb = make(new ElasticLoadBalancingV2Client(config(2)))
    await expect(elb.send(new DescribeTargetGroupsCommand({}))).rejects.toMatchObject({
      $metadata: { attempts: 2 }
    })
  })

  it('records mutating calls as mutating', async () => {
    const ecs = make(new ECSClient(config()))
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'worker', desiredCount: 1 }))
    expect((await sim.control.calls()).at(-1)).toMatchObject({ operation: 'UpdateService', mutating: true })
  })
})
