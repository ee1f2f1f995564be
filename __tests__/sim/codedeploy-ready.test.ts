// A CodeDeploy blue/green deployment of the `web` service that waits at Ready (deploymentReadyOption
// STOP_DEPLOYMENT), through the real SDK clients: the wait as GetDeployment and the deployment
// target show it, ContinueDeployment (READY_WAIT) rerouting production, the wait running out
// (the deployment is Stopped), StopDeployment with and without rollback, and a replacement that
// turns unhealthy while it waits, or once production reaches it. The CodeDeploy API reference: DeploymentReadyOption,
// ContinueDeployment, StopDeployment.
import {
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentIsNotInReadyStateException,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  StopDeploymentCommand,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskSet
} from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

const APP = 'AppECS-demo-web'
const GROUP = 'DgpECS-demo-web'
const IMAGE_V2 = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'

let sim: RunningSimulator
let codedeploy: CodeDeployClient
let ecs: ECSClient
let elb: ElasticLoadBalancingV2Client

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.02 })
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

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Polls until `check` returns a value; bounded, so a broken simulator fails the test instead of hanging. */
async function until<T>(check: () => Promise<T | undefined>, attempts = 400): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error('condition not reached')
}

async function deploy(): Promise<string> {
  const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' })))
    .taskDefinition
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      requiresCompatibilities: current?.requiresCompatibilities,
      networkMode: current?.networkMode,
      cpu: current?.cpu,
      memory: current?.memory,
      executionRoleArn: current?.executionRoleArn,
      containerDefinitions: current?.containerDefinitions?.map(c => ({ ...c, image: IMAGE_V2 }))
    })
  )
  const content = [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    `        TaskDefinition: "${registered.taskDefinition?.taskDefinitionArn ?? ''}"`,
    '        LoadBalancerInfo:',
    '          ContainerName: "web"',
    '          ContainerPort: 8000'
  ].join('\n')
  const created = await codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } }
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

const waitForReady = (deploymentId: string) =>
  waitForStatus(deploymentId, ['Ready', 'Succeeded', 'Failed', 'Stopped'])

const continueReady = (deploymentId: string) =>
  codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))

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

async function targetStates(name: string): Promise<string[]> {
  const groups = (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups ?? []
  const health = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: groups[0]?.TargetGroupArn })
  )
  return (health.TargetHealthDescriptions ?? []).map(d => d.TargetHealth?.State ?? '')
}

/** Production and test traffic on the original, the one PRIMARY task set on web:1. */
async function expectRestoredToOriginal(): Promise<void> {
  expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
  expect(await forwardsTo(8080)).toEqual({ 'web-tg': 1 })
  const sets = await until(async () => {
    const current = await taskSets()
    return current.length === 1 ? current : undefined
  })
  expect(sets[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/web:1$/) })
}

describe('django-web-codedeploy-ready (STOP_DEPLOYMENT, 5 minutes, rollback on failure and on stop)', () => {
  beforeEach(async () => {
    await sim.control.reset()
    await sim.control.loadFixture('django-web-codedeploy-ready')
  })

  it('has the ready option and the rollback events in its deployment group', async () => {
    const { deploymentGroupInfo } = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: GROUP })
    )
    expect(deploymentGroupInfo?.blueGreenDeploymentConfiguration?.deploymentReadyOption).toEqual({
      actionOnTimeout: 'STOP_DEPLOYMENT',
      waitTimeInMinutes: 5
    })
    expect(deploymentGroupInfo?.autoRollbackConfiguration).toEqual({
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']
    })
  })

  it('waits in Ready: the replacement serves test traffic, the original production, until ContinueDeployment', async () => {
    const deploymentId = await deploy()
    // Not waiting yet: the replacement is still being installed.
    await expect(continueReady(deploymentId)).rejects.toBeInstanceOf(DeploymentIsNotInReadyStateException)
    const ready = await waitForReady(deploymentId)
    expect(ready).toMatchObject({ status: 'Ready', deploymentOverview: { Ready: 1 } })
    const target = await ecsTarget(deploymentId)
    expect(target?.status).toBe('Ready')
    expect(target?.lifecycleEvents?.map(e => `${e.lifecycleEventName}:${e.status}`)).toEqual([
      'BeforeInstall:Succeeded',
      'Install:Succeeded',
      'AfterInstall:Succeeded',
      'AllowTestTraffic:Succeeded',
      'AfterAllowTestTraffic:Succeeded',
      'BeforeAllowTraffic:Pending',
      'AllowTraffic:Pending',
      'AfterAllowTraffic:Pending'
    ])
    expect(await forwardsTo(8080)).toEqual({ 'web-tg-green': 1 })
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    expect(await targetStates('web-tg-green')).toEqual(['healthy', 'healthy'])
    // Only READY_WAIT is waited for now.
    await expect(
      codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' }))
    ).rejects.toBeInstanceOf(DeploymentIsNotInReadyStateException)
    await sleep(300)
    expect((await getDeployment(deploymentId)).status).toBe('Ready')

    await continueReady(deploymentId)
    const done = await waitForStatus(deploymentId, ['Succeeded', 'Failed', 'Stopped'])
    expect(done.status).toBe('Succeeded')
    expect(await forwardsTo(80)).toEqual({ 'web-tg-green': 1 })
    await expect(continueReady(deploymentId)).rejects.toBeInstanceOf(DeploymentAlreadyCompletedException)
  })

  it('expiry: nobody continues within the wait time, so the deployment is Stopped and production stays', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    const stopped = await waitForStatus(deploymentId, ['Stopped', 'Succeeded', 'Failed'])
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'TIMEOUT' } })
    // The wait running out is not a stop on request: no automatic rollback.
    expect(stopped.rollbackInfo).toBeUndefined()
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    const target = await ecsTarget(deploymentId)
    expect(target?.lifecycleEvents?.slice(5).map(e => e.status)).toEqual(['Skipped', 'Skipped', 'Skipped'])
    await expect(continueReady(deploymentId)).rejects.toBeInstanceOf(DeploymentAlreadyCompletedException)
    const failed = (await sim.control.milestones()).filter(m => m.kind === 'rollout-failed')
    expect(failed.map(m => m.detail.deploymentId)).toEqual([deploymentId])
  })

  it('StopDeployment with autoRollbackEnabled in Ready: Stopped, and a rollback restores the original', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    const answer = await codedeploy.send(
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true })
    )
    expect(answer.status).toBe('Succeeded')
    const stopped = await getDeployment(deploymentId)
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } })
    const rollbackId = stopped.rollbackInfo?.rollbackDeploymentId ?? ''
    expect(rollbackId).toMatch(/^d-/)
    const rollback = await waitForStatus(rollbackId, ['Succeeded', 'Failed', 'Stopped'])
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      rollbackInfo: { rollbackTriggeringDeploymentId: deploymentId }
    })
    await expectRestoredToOriginal()
    await expect(continueReady(deploymentId)).rejects.toBeInstanceOf(DeploymentAlreadyCompletedException)
  })

  it('StopDeployment without autoRollbackEnabled follows the group: DEPLOYMENT_STOP_ON_REQUEST rolls back', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    await codedeploy.send(new StopDeploymentCommand({ deploymentId }))
    const rollbackId = (await getDeployment(deploymentId)).rollbackInfo?.rollbackDeploymentId ?? ''
    expect((await waitForStatus(rollbackId, ['Succeeded', 'Failed', 'Stopped'])).status).toBe('Succeeded')
    await expectRestoredToOriginal()
  })

  it('StopDeployment with autoRollbackEnabled false stops without a rollback', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    await codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: false }))
    const stopped = await getDeployment(deploymentId)
    expect(stopped.status).toBe('Stopped')
    expect(stopped.rollbackInfo).toBeUndefined()
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
  })

  it('a replacement made unhealthy while Ready fails its checks; the deployment still waits', async () => {
    const deploymentId = await deploy()
    await waitForReady(deploymentId)
    await sim.control.setBehaviours({ failingTargets: { 'web:2': 'Target.Timeout' } })
    await until(async () => ((await targetStates('web-tg-green')).includes('unhealthy') ? true : undefined))
    expect(await targetStates('web-tg')).toEqual(['healthy', 'healthy'])
    expect(await forwardsTo(80)).toEqual({ 'web-tg': 1 })
    expect((await getDeployment(deploymentId)).status).toBe('Ready')
    await sim.control.setBehaviours({})
  })

  it('a replacement failing in production passes its checks on test traffic, and fails them once rerouted', async () => {
    const deploymentId = await deploy()
    expect((await waitForReady(deploymentId)).status).toBe('Ready')
    await sim.control.setBehaviours({ failingInProduction: { 'web:2': 'Target.ResponseCodeMismatch' } })
    // Five health-check intervals (10 s each, scaled by 0.02) on test traffic: still healthy.
    await sleep(5 * 10_000 * 0.02)
    expect(await targetStates('web-tg-green')).toEqual(['healthy', 'healthy'])
    await continueReady(deploymentId)
    await until(async () => ((await targetStates('web-tg-green')).includes('unhealthy') ? true : undefined))
    expect(await forwardsTo(80)).toEqual({ 'web-tg-green': 1 })
    const unhealthy = (await sim.control.milestones()).find(m => m.kind === 'target-unhealthy')
    expect(unhealthy?.detail.reason).toBe('Target.ResponseCodeMismatch')
  })
})
