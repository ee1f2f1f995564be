// What ECS refuses, the simulator refuses the same way, through the real SDK client: a task
// definition that drops the service's load-balanced container or port is refused at UpdateService
// and CreateService (InvalidParameterException, ECS's wording), with nothing about the service
// changed; a number, boolean or object where RegisterTaskDefinition takes a string is refused with
// SerializationException, and no revision is registered.
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'

let sim: RunningSimulator
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSimulator({ fixture: 'django-web', timeScale: 0.02 })
  ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: sim.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
  })
})
afterAll(async () => {
  ecs.destroy()
  await sim.close()
})

/** The revision service web runs, as RegisterTaskDefinition takes it, with its web container changed. */
async function webRevision(change: (web: ContainerDefinition) => ContainerDefinition) {
  const running = (await web()).taskDefinition
  const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running })))
    .taskDefinition!
  const input: RegisterTaskDefinitionCommandInput = {
    family: 'web',
    requiresCompatibilities: current.requiresCompatibilities,
    networkMode: current.networkMode,
    cpu: current.cpu,
    memory: current.memory,
    executionRoleArn: current.executionRoleArn,
    containerDefinitions: current.containerDefinitions!.map(c => (c.name === 'web' ? change(c) : c))
  }
  return input
}

async function register(input: RegisterTaskDefinitionCommandInput): Promise<string> {
  return (await ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!.taskDefinitionArn!
}

async function web() {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
  const s = out.services![0]!
  return {
    taskDefinition: s.taskDefinition,
    desiredCount: s.desiredCount,
    deployments: s.deployments?.map(d => d.id),
    loadBalancers: s.loadBalancers
  }
}

async function revisions(): Promise<string[]> {
  return (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }))).taskDefinitionArns ?? []
}

describe('the load-balanced container and port must stay in the task definition', () => {
  test.each([
    [
      'the container renamed',
      (c: ContainerDefinition) => ({ ...c, name: 'app' }),
      'The container web does not exist in the task definition.'
    ],
    [
      'its port no longer mapped',
      (c: ContainerDefinition) => ({ ...c, portMappings: [{ containerPort: 8080, hostPort: 8080 }] }),
      'The container web did not have a container port 8000 defined.'
    ]
  ])(
    '%s: RegisterTaskDefinition accepts it, UpdateService refuses it and changes nothing',
    async (_name, change, message) => {
      const arn = await register(await webRevision(change))
      const before = await web()
      const update = ecs.send(
        new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition: arn, desiredCount: 5 })
      )
      await expect(update).rejects.toThrow(InvalidParameterException)
      await expect(update).rejects.toThrow(message)
      expect(await web()).toEqual(before)
    }
  )

  test('CreateService with a load balancer whose container the task definition lacks is refused', async () => {
    const arn = await register(await webRevision(c => ({ ...c, name: 'app' })))
    const { loadBalancers } = await web()
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'demo',
          serviceName: 'web-copy',
          taskDefinition: arn,
          desiredCount: 1,
          loadBalancers
        })
      )
    ).rejects.toThrow('The container web does not exist in the task definition.')
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web-copy'] }))
    expect(out.services).toEqual([])
  })

  test('a revision that keeps the container and port is deployed (the control case)', async () => {
    const arn = await register(await webRevision(c => ({ ...c, image: `${c.image ?? ''}-next` })))
    const out = await ecs.send(
      new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition: arn })
    )
    expect(out.service?.taskDefinition).toBe(arn)
  })
})

describe('a value that is not a string where RegisterTaskDefinition takes one', () => {
  // The SDK sends what it is given; a YAML file read without care gives numbers and booleans.
  const untyped = (value: unknown) => value as string
  test.each<[string, (c: ContainerDefinition) => ContainerDefinition, string]>([
    [
      'a number as an environment value',
      c => ({ ...c, environment: [{ name: 'PORT', value: untyped(8000) }] }),
      'NUMBER_VALUE cannot be converted to String'
    ],
    [
      'a boolean as a log option',
      c => ({
        ...c,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-create-group': untyped(true) } }
      }),
      'BOOLEAN_VALUE cannot be converted to String'
    ],
    [
      'a number in the command',
      c => ({ ...c, command: ['gunicorn', '--workers', untyped(3)] }),
      'NUMBER_VALUE cannot be converted to String'
    ],
    [
      'a mapping as a label value',
      c => ({ ...c, dockerLabels: { tier: untyped({ a: 1 }) } }),
      'Start of structure or map found where not expected'
    ]
  ])('%s: SerializationException, nothing registered', async (_name, change, message) => {
    const before = await revisions()
    const call = ecs.send(new RegisterTaskDefinitionCommand(await webRevision(change)))
    await expect(call).rejects.toMatchObject({ name: 'SerializationException', message })
    expect(await revisions()).toEqual(before)
  })

  test('a number as the task cpu is refused the same way', async () => {
    const input = await webRevision(c => c)
    await expect(
      ecs.send(new RegisterTaskDefinitionCommand({ ...input, cpu: untyped(512) }))
    ).rejects.toMatchObject({ name: 'SerializationException' })
  })
})
