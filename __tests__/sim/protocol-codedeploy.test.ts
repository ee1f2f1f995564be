// Every CodeDeploy operation the simulator answers, driven through the real SDK client over HTTP:
// applications, deployment groups, deployment configs, a deployment with a lifecycle hook the
// test plays itself (PutLifecycleEventHookExecutionStatus), its targets, and stopping it.
import {
  ApplicationAlreadyExistsException,
  ApplicationDoesNotExistException,
  BatchGetApplicationsCommand,
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  DeleteApplicationCommand,
  DeleteDeploymentGroupCommand,
  DeploymentConfigDoesNotExistException,
  DeploymentGroupAlreadyExistsException,
  DeploymentGroupDoesNotExistException,
  DeploymentIsNotInReadyStateException,
  GetApplicationCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  InvalidLifecycleEventHookExecutionIdException,
  LifecycleEventAlreadyCompletedException,
  ListApplicationsCommand,
  ListDeploymentConfigsCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  StopDeploymentCommand,
  UpdateDeploymentGroupCommand,
  type CreateDeploymentGroupCommandInput
} from '@aws-sdk/client-codedeploy'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

const APP = 'AppECS-demo-web'
const GROUP = 'DgpECS-demo-web'
const HOOK = 'PlayedByTheTest'

let sim: RunningSimulator
let codedeploy: CodeDeployClient

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.02 })
  codedeploy = new CodeDeployClient({
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  })
})
afterAll(async () => {
  codedeploy.destroy()
  await sim.close()
})
beforeEach(async () => {
  await sim.control.reset()
  await sim.control.loadFixture('django-web-codedeploy')
})

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

async function until<T>(check: () => Promise<T | undefined>, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error('condition not reached')
}

it('applications: create, get, batch-get, list, delete', async () => {
  await codedeploy.send(new CreateApplicationCommand({ applicationName: 'Scratch', computePlatform: 'ECS' }))
  await expect(
    codedeploy.send(new CreateApplicationCommand({ applicationName: 'Scratch', computePlatform: 'ECS' }))
  ).rejects.toBeInstanceOf(ApplicationAlreadyExistsException)
  const got = await codedeploy.send(new GetApplicationCommand({ applicationName: 'Scratch' }))
  expect(got.application).toMatchObject({ applicationName: 'Scratch', computePlatform: 'ECS' })
  const batch = await codedeploy.send(new BatchGetApplicationsCommand({ applicationNames: [APP, 'Scratch'] }))
  expect(batch.applicationsInfo?.map(a => a.applicationName)).toEqual([APP, 'Scratch'])
  expect((await codedeploy.send(new ListApplicationsCommand({}))).applications).toEqual([APP, 'Scratch'])
  await codedeploy.send(new DeleteApplicationCommand({ applicationName: 'Scratch' }))
  expect((await codedeploy.send(new ListApplicationsCommand({}))).applications).toEqual([APP])
  await expect(
    codedeploy.send(new GetApplicationCommand({ applicationName: 'Scratch' }))
  ).rejects.toBeInstanceOf(ApplicationDoesNotExistException)
})

it('deployment groups: create, get, list, update (rename), delete', async () => {
  const fixture = (
    await codedeploy.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: GROUP }))
  ).deploymentGroupInfo
  expect(fixture?.ecsServices).toEqual([{ clusterName: 'demo', serviceName: 'web' }])
  const input: CreateDeploymentGroupCommandInput = {
    applicationName: APP,
    deploymentGroupName: 'Scratch',
    serviceRoleArn: fixture?.serviceRoleArn,
    deploymentStyle: fixture?.deploymentStyle,
    blueGreenDeploymentConfiguration: fixture?.blueGreenDeploymentConfiguration,
    ecsServices: fixture?.ecsServices,
    loadBalancerInfo: fixture?.loadBalancerInfo
  }
  const created = await codedeploy.send(new CreateDeploymentGroupCommand(input))
  expect(created.deploymentGroupId).toMatch(/^[0-9a-f-]{36}$/)
  await expect(codedeploy.send(new CreateDeploymentGroupCommand(input))).rejects.toBeInstanceOf(
    DeploymentGroupAlreadyExistsException
  )
  const listed = await codedeploy.send(new ListDeploymentGroupsCommand({ applicationName: APP }))
  expect(listed.deploymentGroups).toEqual([GROUP, 'Scratch'])
  const updated = await codedeploy.send(
    new UpdateDeploymentGroupCommand({
      applicationName: APP,
      currentDeploymentGroupName: 'Scratch',
      newDeploymentGroupName: 'Scratch2',
      deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'
    })
  )
  expect(updated.hooksNotCleanedUp).toEqual([])
  const renamed = await codedeploy.send(
    new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'Scratch2' })
  )
  expect(renamed.deploymentGroupInfo?.deploymentConfigName).toBe(
    'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'
  )
  await codedeploy.send(
    new DeleteDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'Scratch2' })
  )
  await expect(
    codedeploy.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'Scratch2' }))
  ).rejects.toBeInstanceOf(DeploymentGroupDoesNotExistException)
  expect(
    (await codedeploy.send(new ListDeploymentGroupsCommand({ applicationName: APP }))).deploymentGroups
  ).toEqual([GROUP])
})

it('deployment configs: the predefined ECS ones', async () => {
  const listed = await codedeploy.send(new ListDeploymentConfigsCommand({}))
  expect(listed.deploymentConfigsList).toContain('CodeDeployDefault.ECSAllAtOnce')
  const config = await codedeploy.send(
    new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' })
  )
  expect(config.deploymentConfigInfo).toMatchObject({
    computePlatform: 'ECS',
    trafficRoutingConfig: {
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 }
    }
  })
  await expect(
    codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Nope' }))
  ).rejects.toBeInstanceOf(DeploymentConfigDoesNotExistException)
})

it('a deployment: a hook the test reports itself, lists and batch-gets, targets, continue and stop', async () => {
  // The hook's function answers only after a (simulated) day: the test plays it instead.
  await sim.control.setBehaviours({ hooks: { [HOOK]: { outcome: 'succeeded', afterSeconds: 86_400 } } })
  const appSpec = [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    '        TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"',
    '        LoadBalancerInfo:',
    '          ContainerName: "web"',
    '          ContainerPort: 8000',
    'Hooks:',
    `  - BeforeInstall: "${HOOK}"`
  ].join('\n')
  const { deploymentId = '' } = await codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec } }
    })
  )
  expect(deploymentId).toMatch(/^d-[A-Z0-9]{9}$/)

  const invoked = await until(async () =>
    (await sim.control.milestones()).find(
      m => m.kind === 'codedeploy-hook-invoked' && m.detail.deploymentId === deploymentId
    )
  )
  expect(invoked.detail).toMatchObject({ lifecycleEventName: 'BeforeInstall', functionName: HOOK })
  const hookId = String(invoked.detail.lifecycleEventHookExecutionId)
  await expect(
    codedeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId,
        lifecycleEventHookExecutionId: 'not-an-id',
        status: 'Succeeded'
      })
    )
  ).rejects.toBeInstanceOf(InvalidLifecycleEventHookExecutionIdException)
  const reported = await codedeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId,
      lifecycleEventHookExecutionId: hookId,
      status: 'Succeeded'
    })
  )
  expect(reported.lifecycleEventHookExecutionId).toBe(hookId)
  await expect(
    codedeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId,
        lifecycleEventHookExecutionId: hookId,
        status: 'Failed'
      })
    )
  ).rejects.toBeInstanceOf(LifecycleEventAlreadyCompletedException)

  // BeforeInstall succeeds once reported; Install follows.
  await until(async () => {
    const target = await codedeploy.send(
      new GetDeploymentTargetCommand({ deploymentId, targetId: 'demo:web' })
    )
    const events = target.deploymentTarget?.ecsTarget?.lifecycleEvents ?? []
    return events.find(e => e.lifecycleEventName === 'BeforeInstall')?.status === 'Succeeded'
      ? true
      : undefined
  })
  const listed = await codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: APP,
      deploymentGroupName: GROUP,
      includeOnlyStatuses: ['InProgress']
    })
  )
  expect(listed.deployments).toEqual([deploymentId])
  const batch = await codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: [deploymentId] }))
  expect(batch.deploymentsInfo?.[0]).toMatchObject({
    deploymentId,
    status: 'InProgress',
    computePlatform: 'ECS'
  })
  expect(
    (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo?.applicationName
  ).toBe(APP)
  const targets = await codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }))
  expect(targets.targetIds).toEqual(['demo:web'])
  const batchTargets = await codedeploy.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ['demo:web'] })
  )
  expect(batchTargets.deploymentTargets?.[0]?.deploymentTargetType).toBe('ECSTarget')

  // Traffic is rerouted without waiting (CONTINUE_DEPLOYMENT): there is nothing to continue.
  await expect(
    codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))
  ).rejects.toBeInstanceOf(DeploymentIsNotInReadyStateException)
  const stopped = await codedeploy.send(
    new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: false })
  )
  expect(stopped.status).toBe('Succeeded')
  const info = await until(async () => {
    const d = (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo
    return d?.status === 'Stopped' ? d : undefined
  })
  expect(info.status).toBe('Stopped')
  expect(
    (await codedeploy.send(new ListDeploymentsCommand({ includeOnlyStatuses: ['Stopped'] }))).deployments
  ).toEqual([deploymentId])
})
