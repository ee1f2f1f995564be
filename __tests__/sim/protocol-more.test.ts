// The rest of the simulator's operations through the real SDK clients: creating and deleting a
// service, task-definition housekeeping, tags, rules and target-group settings, logs and ECR.
import { createHash } from 'node:crypto'
import {
  ECSClient,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  InvalidParameterException,
  DescribeServiceDeploymentsCommand,
  ServiceDeploymentNotFoundException,
  StopServiceDeploymentCommand,
  ContinueServiceDeploymentCommand,
  UpdateServiceCommand,
  RunTaskCommand
} from '@aws-sdk/client-ecs'
import {
  ElasticLoadBalancingV2Client,
  AddTagsCommand,
  CreateRuleCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  ResourceAlreadyExistsException
} from '@aws-sdk/client-cloudwatch-logs'
import {
  ECRClient,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand
} from '@aws-sdk/client-ecr'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

let sim: RunningSimulator
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client
let logs: CloudWatchLogsClient
let ecr: ECRClient

beforeAll(async () => {
  sim = await startSimulator({ fixture: 'django-web', timeScale: 0.02 })
  const config = {
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  }
  ecs = new ECSClient(config)
  elb = new ElasticLoadBalancingV2Client(config)
  logs = new CloudWatchLogsClient(config)
  ecr = new ECRClient(config)
})
afterAll(async () => {
  for (const c of [ecs, elb, logs, ecr]) c.destroy()
  await sim.close()
})

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error('condition not reached')
}

it('creates a service that reaches a steady state, and deletes it', async () => {
  await ecs.send(new CreateClusterCommand({ clusterName: 'demo' }))
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))).TargetGroups?.[0]
  const created = await ecs.send(
    new CreateServiceCommand({
      cluster: 'demo',
      serviceName: 'web-copy',
      taskDefinition: 'web:1',
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } },
      loadBalancers: [{ targetGroupArn: tg?.TargetGroupArn, containerName: 'web', containerPort: 8000 }],
      tags: [{ key: 'preview', value: '1' }]
    })
  )
  expect(created.service?.deployments?.[0]?.rolloutState).toBe('IN_PROGRESS')
  await until(async () => {
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web-copy'] })))
      .services?.[0]
    return s?.deployments?.[0]?.rolloutState === 'COMPLETED'
  })
  await expect(
    ecs.send(new DeleteServiceCommand({ cluster: 'demo', service: 'web-copy' }))
  ).rejects.toBeInstanceOf(InvalidParameterException)
  const deleted = await ecs.send(
    new DeleteServiceCommand({ cluster: 'demo', service: 'web-copy', force: true })
  )
  expect(deleted.service?.serviceName).toBe('web-copy')
  const after = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web-copy'] }))
  expect(after.services?.[0]?.status).toBe('INACTIVE')
})

it('registers, lists, tags and deregisters task definitions', async () => {
  const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' })))
    .taskDefinition
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'batch',
      containerDefinitions: [
        { name: 'job', image: current?.containerDefinitions?.[0]?.image, essential: true, memory: 256 }
      ]
    })
  )
  const arn = registered.taskDefinition?.taskDefinitionArn ?? ''
  expect(arn).toMatch(/task-definition\/batch:1$/)
  expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual(
    expect.arrayContaining(['web', 'worker', 'batch'])
  )
  await ecs.send(
    new TagResourceCommand({
      resourceArn: arn,
      tags: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' }
      ]
    })
  )
  await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }))
  expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
    { key: 'b', value: '2' }
  ])
  const gone = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))
  expect(gone.taskDefinition?.status).toBe('INACTIVE')
})

it('modifies rules, target-group settings, targets and tags', async () => {
  const lb = (
    await elb.send(
      new DescribeListenersCommand({
        LoadBalancerArn: (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] })))
          .TargetGroups?.[0]?.LoadBalancerArns?.[0]
      })
    )
  ).Listeners?.[0]
  const tgArn = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))).TargetGroups?.[0]
    ?.TargetGroupArn
  const rule = (
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: lb?.ListenerArn,
        Priority: 20,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }]
      })
    )
  ).Rules?.[0]
  await elb.send(
    new ModifyRuleCommand({
      RuleArn: rule?.RuleArn,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/b/*'] } }]
    })
  )
  const rules = (await elb.send(new DescribeRulesCommand({ RuleArns: [rule?.RuleArn ?? ''] }))).Rules
  expect(rules?.[0]?.Conditions?.[0]?.PathPatternConfig?.Values).toEqual(['/b/*'])

  await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckIntervalSeconds: 5 }))
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tgArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]
    })
  )
  expect(
    (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn ?? ''] }))).TargetGroups?.[0]
      ?.HealthCheckIntervalSeconds
  ).toBe(5)

  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.9.9.9', Port: 8000 }] })
  )
  const registered = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.9.9.9', Port: 8000 }] })
  )
  expect(registered.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe('initial')
  await elb.send(
    new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.9.9.9', Port: 8000 }] })
  )
  const draining = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.9.9.9', Port: 8000 }] })
  )
  expect(draining.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe('draining')

  await elb.send(new AddTagsCommand({ ResourceArns: [tgArn ?? ''], Tags: [{ Key: 'x', Value: '1' }] }))
  await elb.send(new RemoveTagsCommand({ ResourceArns: [tgArn ?? ''], TagKeys: ['app'] }))
  expect(
    (await elb.send(new DescribeTagsCommand({ ResourceArns: [tgArn ?? ''] }))).TagDescriptions?.[0]?.Tags
  ).toEqual([{ Key: 'x', Value: '1' }])
})

it('creates log groups, lists streams, filters events', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/batch' }))
  await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/batch' }))).rejects.toBeInstanceOf(
    ResourceAlreadyExistsException
  )
  expect(
    (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }))).logGroups?.map(
      g => g.logGroupName
    )
  ).toEqual(expect.arrayContaining(['/ecs/web', '/ecs/worker', '/ecs/batch']))
  // The fixture's web tasks wrote their start-up lines.
  const streams =
    (
      await logs.send(
        new DescribeLogStreamsCommand({ logGroupName: '/ecs/web', logStreamNamePrefix: 'ecs/web/' })
      )
    ).logStreams ?? []
  expect(streams.length).toBeGreaterThanOrEqual(2)
  const found = await logs.send(
    new FilterLogEventsCommand({ logGroupName: '/ecs/web', filterPattern: 'Listening' })
  )
  expect(found.events?.length).toBeGreaterThanOrEqual(2)
})

it('pages FilterLogEvents with limit and nextToken', async () => {
  const all = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/web' }))).events ?? []
  expect(all.length).toBeGreaterThanOrEqual(4)
  const pages: string[][] = []
  let nextToken: string | undefined
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/ecs/web', limit: 3, nextToken })
    )
    pages.push((page.events ?? []).map(e => e.eventId ?? ''))
    nextToken = page.nextToken
  } while (nextToken && pages.length < 100)
  expect(pages.every(p => p.length <= 3)).toBe(true)
  expect(pages.flat()).toEqual(all.map(e => e.eventId))
  const both = (
    await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/ecs/web', filterPattern: 'Listening -nothing' })
    )
  ).events
  expect(both?.every(e => e.message?.includes('Listening'))).toBe(true)
})

it('stops a rolling service deployment with StopServiceDeployment: ECS then rolls it back', async () => {
  const updated = await ecs.send(
    new UpdateServiceCommand({ cluster: 'demo', service: 'worker', forceNewDeployment: true })
  )
  const arn = updated.service?.currentServiceDeployment ?? ''
  const stopped = await ecs.send(
    new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })
  )
  expect(stopped.serviceDeploymentArn).toBe(arn)
  await until(async () => {
    const [d] =
      (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
        .serviceDeployments ?? []
    return d?.status === 'ROLLBACK_IN_PROGRESS' || d?.status === 'ROLLBACK_SUCCESSFUL'
  })
  await expect(
    ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${arn}0` }))
  ).rejects.toBeInstanceOf(ServiceDeploymentNotFoundException)
})

it('refuses ContinueServiceDeployment of a deployment with no pause hook, and of an unknown one', async () => {
  // The pause itself, and continuing it, are in bluegreen-pause.test.ts.
  const updated = await ecs.send(
    new UpdateServiceCommand({ cluster: 'demo', service: 'worker', forceNewDeployment: true })
  )
  const arn = updated.service?.currentServiceDeployment ?? ''
  await expect(
    ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: 'ecs-pause-x' }))
  ).rejects.toBeInstanceOf(InvalidParameterException)
  await expect(
    ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: `${arn}0`, hookId: 'ecs-pause-x' }))
  ).rejects.toBeInstanceOf(ServiceDeploymentNotFoundException)
})

it('answers RunTask with failures[] and no task when the task cannot be placed', async () => {
  await sim.control.setBehaviours({ placementFailures: { 'web:1': { reason: 'RESOURCE:MEMORY' } } })
  try {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: 'demo',
        taskDefinition: 'web:1',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'] } }
      })
    )
    expect(out.tasks).toEqual([])
    expect(out.failures).toEqual([{ reason: 'RESOURCE:MEMORY' }])
  } finally {
    await sim.control.setBehaviours({})
  }
})

it('answers ECR images from memory: real manifests, their digests, stable push times', async () => {
  const described = await ecr.send(
    new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v2' }] })
  )
  const again = await ecr.send(
    new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v2' }] })
  )
  const detail = described.imageDetails?.[0]
  expect(detail).toMatchObject({
    imageTags: ['v2'],
    imageSizeInBytes: 48_100_000,
    imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json'
  })
  expect(again.imageDetails?.[0]?.imagePushedAt).toEqual(detail?.imagePushedAt)
  const batch = await ecr.send(
    new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: detail?.imageDigest }] })
  )
  const image = batch.images?.[0]
  expect(image?.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json')
  const manifest = image?.imageManifest ?? ''
  expect(JSON.parse(manifest)).toMatchObject({ schemaVersion: 2, layers: [{ size: 48_100_000 }] })
  expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(detail?.imageDigest)
})

it('creates repositories and answers BatchGetImage', async () => {
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'api' }))
  expect(repo.repository?.repositoryUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/api')
  expect(
    (await ecr.send(new DescribeRepositoriesCommand({}))).repositories?.map(r => r.repositoryName)
  ).toEqual(['web', 'api'])
  expect((await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }))).imageDetails).toHaveLength(2)
  const batch = await ecr.send(
    new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }, { imageTag: 'v7' }] })
  )
  expect(batch.images?.[0]?.imageId?.imageDigest).toMatch(/^sha256:/)
  expect(batch.failures?.[0]?.failureCode).toBe('ImageNotFound')
})
