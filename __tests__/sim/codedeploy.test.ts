// CodeDeploy blue/green deployments of the CODE_DEPLOY `web` service, through the real SDK clients:
// lifecycle events in order, listeners moved for real, hooks that fail, replacement task sets that
// never become healthy, waiting for ContinueDeployment, stopping, and automatic rollbacks.
import {
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentIsNotInReadyStateException,
  DeploymentLimitExceededException,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  InvalidRevisionException,
  ListDeploymentTargetsCommand,
  BatchGetDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskSet
} from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { parseEcsAppSpec } from '../../sim/world/appspec.js'
import { startSimulator } from '../../sim/index.js'
import { AwsError } from '../../sim/world/aws-error.js'
import type { Behaviours, RunningSimulator } from '../../sim/contract.js'

const APP = 'AppECS-demo-web'
const GROUP = 'DgpECS-demo-web'
const IMAGE_V2 = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'
const HOOKS = {
  BeforeInstall: 'PrepareDatabase',
  AfterInstall: 'SmokeTestReplacement',
  AfterAllowTestTraffic: 'ValidateTestTraffic',
  BeforeAllowTraffic: 'CheckBeforeCutover',
  AfterAllowTraffic: 'ValidateProduction'
}

let sim: RunningSimulator
let codedeploy: CodeDeployClient
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client

beforeAll(async () => {
  // Install gives up on a replacement task set after 5 simulated minutes instead of an hour.
  sim = await startSimulator({ timeScale: 0.02, timings: { replacementTaskSetTimeoutSeconds: 300 } })
  const config = {
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  }
  codedeploy = new CodeDeployClient(config)
  ecs = new ECSClient(config)
  elb = new ElasticLoadBalancingV2Client(config)
})
afterAll(async () => {
  for (const c of [codedeploy, ecs, elb]) c.destroy()
  await sim.close()
})

async function world(fixture: string, behaviours: Behaviours = {}): Promise<void> {
  await sim.control.reset()
  await sim.control.loadFixture(fixture)
  await sim.control.setBehaviours(behaviours)
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Polls until `check` returns a value; bounded, so a broken simulator fails the test instead of hanging. */
async function until<T>(check: () => Promise<T | undefined>, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error('condition not reached')
}

async function registerRevision(image: string): Promise<string> {
  const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' })))
    .taskDefinition
  const input: RegisterTaskDefinitionCommandInput = {
    family: 'web',
    requiresCompatibilities: current?.requiresCompatibilities,
    networkMode: current?.networkMode,
    cpu: current?.cpu,
    memory: current?.memory,
    executionRoleArn: current?.executionRoleArn,
    containerDefinitions: current?.containerDefinitions?.map(c => ({ ...c, image }))
  }
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(input))
  return registered.taskDefinition?.taskDefinitionArn ?? ''
}

function appSpec(taskDefinitionArn: string, hooks: Record<string, string> = HOOKS): string {
  const lines = [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    `        TaskDefinition: "${taskDefinitionArn}"`,
    '        LoadBalancerInfo:',
    '          ContainerName: "web"',
    '          ContainerPort: 8000',
    'Hooks:',
    ...Object.entries(hooks).map(([event, fn]) => `  - ${event}: "${fn}"`)
  ]
  return lines.join('\n')
}

async function deploy(deploymentConfigName?: string): Promise<string> {
  const taskDefinition = await registerRevision(IMAGE_V2)
  const created = await codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: APP,
      deploymentGroupName: GROUP,
      deploymentConfigName,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content: appSpec(taskDefinition) }
      }
    })
  )
  return created.deploymentId ?? ''
}

const getDeployment = async (deploymentId: string): Promise<DeploymentInfo> =>
  (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo ?? {}

const waitForStatus = (deploymentId: string, statuses: string[]) =>
  until(async () => {
    const info = await getDeployment(deploymentId)
    return statuses.includes(info.status ?? '') ? info : undefined
  })

const ecsTarget = async (deploymentId: string) =>
  (await codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId: 'demo:web' })))
    .deploymentTarget?.ecsTarget

async function taskSets(): Promise<TaskSet[]> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
  return described.services?.[0]?.taskSets ?? []
}

/** The target group names a listener's default action forwards to, with their weights. */
async function forwardsTo(port: number): Promise<Record<string, number>> {
  const listeners = (await elb.send(new DescribeListenersCommand({}))).Listeners ?? []
  const action = listeners.find(l => l.Port === port)?.DefaultActions?.[0]
  const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []
  const name = (arn?: string) => groups.find(g => g.TargetGroupArn === arn)?.TargetGroupName ?? '?'
  const weights = action?.ForwardConfig?.TargetGroups ?? [
    { TargetGroupArn: action?.TargetGroupArn, Weight: 1 }
  ]
  return Object.fromEntries(
    weights.filter(w => (w.Weight ?? 0) > 0).map(w => [name(w.TargetGroupArn), w.Weight ?? 0])
  )
}

async function healthyTargets(name: string): Promise<string[]> {
  const groups = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups ?? []
  const health = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: groups[0]?.TargetGroupArn })
  )
  return (health.TargetHealthDescriptions ?? [])
    .filter(d => d.TargetHealth?.State === 'healthy')
    .map(d => d.Target?.Id ?? '')
}

async function lifecycleMilestones(deploymentId: string): Promise<string[]> {
  const milestones = await sim.control.milestones()
  return milestones
    .filter(m => m.kind === 'codedeploy-lifecycle' && m.detail.deploymentId === deploymentId)
    .map(m => `${String(m.detail.event)}:${String(m.detail.status)}`)
}

const EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
]

/** Production and test traffic are back on the original, which is the one PRIMARY task set on web:1. */
async function expectRestoredToOriginal(): Promise<void> {
  expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
  expect(await forwardsTo(8080)).toEqual({ 'web-tg': 1 })
  const sets = await until(async () => {
    const current = await taskSets()
    return current.length === 1 ? current : undefined
  })
  expect(sets[0]?.status).toBe('PRIMARY')
  expect(sets[0]?.taskDefinition).toMatch(/web:1$/)
}

describe('the ECS AppSpec', () => {
  const json = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
            LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8000 },
            PlatformVersion: 'LATEST'
          }
        }
      }
    ],
    Hooks: [{ AfterAllowTestTraffic: 'arn:aws:lambda:us-east-1:123456789012:function:ValidateTestTraffic' }]
  })

  it.each([
    ['JSON', json],
    [
      'YAML',
      appSpec('arn:aws:ecs:us-east-1:123456789012:task-definition/web:2', {
        AfterAllowTestTraffic: 'arn:aws:lambda:us-east-1:123456789012:function:ValidateTestTraffic'
      })
    ]
  ])('reads %s', (_format, content) => {
    expect(parseEcsAppSpec(content)).toMatchObject({
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
      containerName: 'web',
      containerPort: 8000,
      hooks: { AfterAllowTestTraffic: 'arn:aws:lambda:us-east-1:123456789012:function:ValidateTestTraffic' }
    })
  })

  it.each([
    ['unparseable', 'Resources: [\n  - :'],
    ['no resources', 'version: 0.0'],
    [
      'not an ECS service',
      'Resources:\n  - TargetService:\n      Type: AWS::Lambda::Function\n      Properties: {}'
    ],
    ['no task definition', appSpec('').replace('TaskDefinition: ""', 'PlatformVersion: LATEST')],
    ['no container port', appSpec('web:2').replace('ContainerPort: 8000', 'ContainerPort: web')],
    ['an EC2 hook', appSpec('web:2', { ApplicationStart: 'Start' })]
  ])('rejects an AppSpec with %s as InvalidRevisionException', (_case, content) => {
    let error: unknown
    try {
      parseEcsAppSpec(content)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(AwsError)
    expect((error as AwsError).code).toBe('InvalidRevisionException')
  })
})

describe('the django-web-codedeploy fixture', () => {
  beforeEach(() => world('django-web-codedeploy'))

  it('starts with one PRIMARY task set on web:1 behind web-tg, and a deployment group for the service', async () => {
    const sets = await taskSets()
    expect(sets).toHaveLength(1)
    expect(sets[0]).toMatchObject({
      status: 'PRIMARY',
      stabilityStatus: 'STEADY_STATE',
      computedDesiredCount: 2,
      runningCount: 2,
      scale: { value: 100, unit: 'PERCENT' }
    })
    expect(sets[0]?.taskDefinition).toMatch(/web:1$/)
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    expect(described.services?.[0]?.deploymentController?.type).toBe('CODE_DEPLOY')
    expect(described.services?.[0]?.deployments).toEqual([])
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    expect(await forwardsTo(8080)).toEqual({ 'web-tg': 1 })
    const group = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: GROUP })
    )
    expect(group.deploymentGroupInfo).toMatchObject({
      computePlatform: 'ECS',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      ecsServices: [{ clusterName: 'demo', serviceName: 'web' }],
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
    })
  })

  it('walks every lifecycle event in order and ends with production on web-tg-green', async () => {
    const deploymentId = await deploy()
    // While it runs, replacement tasks register only in the target group not serving production.
    let sawTwoTaskSets = false
    const done = await until(async () => {
      const [blue, green] = await Promise.all([healthyTargets('web-tg'), healthyTargets('web-tg-green')])
      expect(green.filter(ip => blue.includes(ip))).toEqual([])
      sawTwoTaskSets ||= (await taskSets()).length === 2
      const info = await getDeployment(deploymentId)
      return info.status === 'Succeeded' || info.status === 'Failed' ? info : undefined
    })
    expect(sawTwoTaskSets).toBe(true)
    expect(done).toMatchObject({
      status: 'Succeeded',
      creator: 'user',
      computePlatform: 'ECS',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      deploymentOverview: { Succeeded: 1, Failed: 0, InProgress: 0, Pending: 0, Ready: 0, Skipped: 0 },
      instanceTerminationWaitTimeStarted: true
    })
    expect(done.revision?.appSpecContent?.content).toBeUndefined()
    expect(done.revision?.appSpecContent?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(done.completeTime).toBeInstanceOf(Date)

    expect(await lifecycleMilestones(deploymentId)).toEqual(
      EVENTS.flatMap(e => [`${e}:InProgress`, `${e}:Succeeded`])
    )
    const target = await ecsTarget(deploymentId)
    expect(target?.status).toBe('Succeeded')
    expect(target?.lifecycleEvents?.map(e => [e.lifecycleEventName, e.status])).toEqual(
      EVENTS.map(e => [e, 'Succeeded'])
    )
    expect(target?.taskSetsInfo?.find(t => t.taskSetLabel === 'Green')).toMatchObject({
      trafficWeight: 100,
      targetGroup: { name: 'web-tg-green' },
      status: 'PRIMARY',
      runningCount: 2
    })
    expect(target?.taskSetsInfo?.find(t => t.taskSetLabel === 'Blue')).toMatchObject({
      trafficWeight: 0,
      targetGroup: { name: 'web-tg' }
    })

    expect(await forwardsTo(80)).toEqual({ 'web-tg-green': 1 })
    expect(await forwardsTo(8080)).toEqual({ 'web-tg-green': 1 })
    expect(await healthyTargets('web-tg-green')).toHaveLength(2)
    const sets = await until(async () => {
      const current = await taskSets()
      return current.length === 1 ? current : undefined
    })
    expect(sets[0]).toMatchObject({ status: 'PRIMARY', externalId: deploymentId, startedBy: 'CODE_DEPLOY' })
    expect(sets[0]?.taskDefinition).toMatch(/web:2$/)
    const milestones = await sim.control.milestones()
    expect(
      milestones.some(m => m.kind === 'deployment-completed' && m.detail.deploymentId === deploymentId)
    ).toBe(true)

    await expect(codedeploy.send(new StopDeploymentCommand({ deploymentId }))).rejects.toBeInstanceOf(
      DeploymentAlreadyCompletedException
    )
  })

  it('puts the next replacement behind the target group the previous original used', async () => {
    await waitForStatus(await deploy(), ['Succeeded'])
    const second = await deploy()
    await waitForStatus(second, ['Succeeded'])
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    const target = await ecsTarget(second)
    expect(target?.taskSetsInfo?.map(t => [t.taskSetLabel, t.targetGroup?.name])).toEqual([
      ['Blue', 'web-tg-green'],
      ['Green', 'web-tg']
    ])
    const sets = await until(async () => {
      const current = await taskSets()
      return current.length === 1 ? current : undefined
    })
    expect(sets[0]?.taskDefinition).toMatch(/web:3$/)
  })

  it('fails a deployment whose AfterAllowTestTraffic hook reports Failed, and rolls it back', async () => {
    await sim.control.setBehaviours({
      hooks: { ValidateTestTraffic: { outcome: 'failed', afterSeconds: 2 } }
    })
    const deploymentId = await deploy()
    const failed = await waitForStatus(deploymentId, ['Failed', 'Succeeded'])
    expect(failed.status).toBe('Failed')
    expect(failed.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE')
    const event = (await ecsTarget(deploymentId))?.lifecycleEvents?.find(
      e => e.lifecycleEventName === 'AfterAllowTestTraffic'
    )
    expect(event).toMatchObject({
      status: 'Failed',
      diagnostics: { errorCode: 'ScriptFailed', scriptName: 'ValidateTestTraffic', logTail: '' }
    })
    const rollbackId = failed.rollbackInfo?.rollbackDeploymentId ?? ''
    expect(rollbackId).toMatch(/^d-[A-Z0-9]{9}$/)
    const rollback = await waitForStatus(rollbackId, ['Succeeded', 'Failed'])
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      rollbackInfo: { rollbackTriggeringDeploymentId: deploymentId }
    })
    expect((await getDeployment(deploymentId)).rollbackInfo?.rollbackMessage).toContain('succeeded')
    await expectRestoredToOriginal()
    const milestones = await sim.control.milestones()
    expect(milestones.some(m => m.kind === 'rollout-failed' && m.detail.deploymentId === deploymentId)).toBe(
      true
    )
  })

  it('fails Install when the replacement tasks crash, and rolls back', async () => {
    await sim.control.setBehaviours({
      images: {
        [IMAGE_V2]: { kind: 'exit', exitCode: 1, afterSeconds: 3, logLines: ['ImportError: no module'] }
      }
    })
    const deploymentId = await deploy()
    const failed = await waitForStatus(deploymentId, ['Failed', 'Succeeded'])
    expect(failed.status).toBe('Failed')
    expect(failed.errorInformation?.code).toBe('TIMEOUT')
    expect(failed.errorInformation?.message).toContain('exit code 1')
    const events = (await ecsTarget(deploymentId))?.lifecycleEvents ?? []
    expect(events.map(e => e.status)).toEqual([
      'Succeeded',
      'Failed',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped'
    ])
    // Production never left the original.
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    await waitForStatus(failed.rollbackInfo?.rollbackDeploymentId ?? '', ['Succeeded'])
    await expectRestoredToOriginal()
  })

  it('stops a deployment on request and rolls it back; only one deployment runs at a time', async () => {
    await sim.control.setBehaviours({
      hooks: { SmokeTestReplacement: { outcome: 'succeeded', afterSeconds: 600 } }
    })
    const deploymentId = await deploy()
    await until(async () => {
      const target =
        (await getDeployment(deploymentId)).status === 'InProgress' && (await ecsTarget(deploymentId))
      const afterInstall =
        target && target.lifecycleEvents?.find(e => e.lifecycleEventName === 'AfterInstall')
      return afterInstall && afterInstall.status === 'InProgress' ? true : undefined
    })
    await expect(deploy()).rejects.toBeInstanceOf(DeploymentLimitExceededException)
    const targets = await codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }))
    expect(targets.targetIds).toEqual(['demo:web'])
    const batch = await codedeploy.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ['demo:web'] })
    )
    expect(batch.deploymentTargets?.[0]?.deploymentTargetType).toBe('ECSTarget')
    expect(
      batch.deploymentTargets?.[0]?.ecsTarget?.taskSetsInfo?.map(t => [t.taskSetLabel, t.status])
    ).toEqual([
      ['Blue', 'PRIMARY'],
      ['Green', 'ACTIVE']
    ])

    const stopped = await codedeploy.send(
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true })
    )
    expect(stopped.status).toBe('Succeeded')
    const info = await getDeployment(deploymentId)
    expect(info).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } })
    await waitForStatus(info.rollbackInfo?.rollbackDeploymentId ?? '', ['Succeeded'])
    await expectRestoredToOriginal()
  })

  it('shifts 10 % first with a canary configuration, and a stop in between restores production', async () => {
    const deploymentId = await deploy('CodeDeployDefault.ECSCanary10Percent5Minutes')
    await until(async () => {
      const weights = await forwardsTo(80)
      return weights['web-tg-green'] === 10 ? weights : undefined
    })
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 90, 'web-tg-green': 10 })
    const target = await ecsTarget(deploymentId)
    expect(target?.lifecycleEvents?.find(e => e.lifecycleEventName === 'AllowTraffic')?.status).toBe(
      'InProgress'
    )
    expect(target?.taskSetsInfo?.map(t => [t.taskSetLabel, t.trafficWeight])).toEqual([
      ['Blue', 90],
      ['Green', 10]
    ])
    await codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }))
    const stopped = await getDeployment(deploymentId)
    await waitForStatus(stopped.rollbackInfo?.rollbackDeploymentId ?? '', ['Succeeded'])
    await expectRestoredToOriginal()
  })

  it('answers InvalidRevisionException for an AppSpec it cannot read', async () => {
    await expect(
      codedeploy.send(
        new CreateDeploymentCommand({
          applicationName: APP,
          deploymentGroupName: GROUP,
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content: 'version: 0.0' } }
        })
      )
    ).rejects.toBeInstanceOf(InvalidRevisionException)
  })

  it('refuses a new task definition through UpdateService, but scales the task sets', async () => {
    const taskDefinition = await registerRevision(IMAGE_V2)
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition }))
    ).rejects.toBeInstanceOf(InvalidParameterException)
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 3 }))
    const sets = await until(async () => {
      const current = await taskSets()
      return current[0]?.runningCount === 3 ? current : undefined
    })
    expect(sets[0]).toMatchObject({ computedDesiredCount: 3, status: 'PRIMARY' })
    expect(sets[0]?.taskDefinition).toMatch(/web:1$/)
  })
})

describe('the django-web-codedeploy-manual fixture (STOP_DEPLOYMENT, 5 minutes)', () => {
  beforeEach(() => world('django-web-codedeploy-manual'))

  const waitForReady = (deploymentId: string) => waitForStatus(deploymentId, ['Ready', 'Failed', 'Succeeded'])

  it('waits in Ready with test traffic on the replacement until ContinueDeployment', async () => {
    const deploymentId = await deploy()
    await expect(
      codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))
    ).rejects.toBeInstanceOf(DeploymentIsNotInReadyStateException)
    const ready = await waitForReady(deploymentId)
    expect(ready).toMatchObject({ status: 'Ready', deploymentOverview: { Ready: 1 } })
    const target = await ecsTarget(deploymentId)
    expect(target?.status).toBe('Ready')
    expect(target?.lifecycleEvents?.map(e => e.status)).toEqual([
      ...Array(5).fill('Succeeded'),
      ...Array(3).fill('Pending')
    ])
    expect(await forwardsTo(8080)).toEqual({ 'web-tg-green': 1 })
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    await sleep(200)
    expect((await getDeployment(deploymentId)).status).toBe('Ready')

    await codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))
    const done = await waitForStatus(deploymentId, ['Succeeded', 'Failed', 'Stopped'])
    expect(done.status).toBe('Succeeded')
    expect(await forwardsTo(80)).toEqual({ 'web-tg-green': 1 })
  })

  it('stops the deployment when nobody continues it within the wait time, leaving production alone', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    const stopped = await waitForStatus(deploymentId, ['Stopped', 'Succeeded', 'Failed'])
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'TIMEOUT' } })
    expect(stopped.rollbackInfo).toBeUndefined()
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    const target = await ecsTarget(deploymentId)
    expect(target?.lifecycleEvents?.slice(5).map(e => e.status)).toEqual(['Skipped', 'Skipped', 'Skipped'])
  })
})
