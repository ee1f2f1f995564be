import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type Service
} from '@aws-sdk/client-ecs'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { AwsClients } from '../../src/aws/clients.js'
import type { Inputs } from '../../src/inputs.js'
import type { ServicePlan } from '../../src/service/plan.js'
import { createMigrateHook } from '../../src/migrate/hook.js'
import { fakeClock } from '../../src/util/clock.js'

const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/demo/t1'

function setup(containers: { name: string; essential?: boolean }[]) {
  const ecs = new ECSClient({ region: 'us-east-1' })
  const logs = new CloudWatchLogsClient({ region: 'us-east-1' })
  const ecsMock = mockClient(ecs)
  ecsMock
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { taskDefinitionArn: NEW, containerDefinitions: containers } })
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] })
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: TASK,
        lastStatus: 'STOPPED',
        containers: containers.map(c => ({ name: c.name, exitCode: 0 }))
      }
    ]
  })
  const clients = { ecs: async () => ecs, logs: async () => logs } as unknown as AwsClients
  const plan = {
    cluster: 'demo',
    service: { serviceName: 'web', launchType: 'FARGATE' } as Service
  } as ServicePlan
  const hook = createMigrateHook({
    clock: fakeClock(),
    env: { ECS_SHIP_POLL_MIN_MS: '10', ECS_SHIP_POLL_MAX_MS: '20' },
    output: { info: () => {}, warning: () => {} }
  })
  return { ecsMock, clients, plan, hook }
}

const inputs = (container?: string) =>
  ({
    migrate: { commands: [['migrate']], timeoutMinutes: 5, ...(container !== undefined && { container }) }
  }) as unknown as Inputs

describe('createMigrateHook', () => {
  test.each<[string, string | undefined, string[], { name: string; essential?: boolean }[], string]>([
    ['migrate-container wins', 'worker', ['web'], [{ name: 'web' }, { name: 'worker' }], 'worker'],
    [
      'else the first container that got the image',
      undefined,
      ['app', 'web'],
      [{ name: 'web' }, { name: 'app' }],
      'app'
    ],
    [
      'else the only essential container',
      undefined,
      [],
      [{ name: 'envoy', essential: false }, { name: 'web' }],
      'web'
    ]
  ])('%s', async (_name, container, imageContainers, defs, expected) => {
    const s = setup(defs)
    const result = await s.hook(inputs(container), {
      clients: s.clients,
      plan: s.plan,
      taskDefinitionArn: NEW,
      containers: imageContainers
    })
    expect(result.succeeded).toBe(true)
    const run = s.ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input
    expect(run.overrides?.containerOverrides?.[0]?.name).toBe(expected)
    expect(run.taskDefinition).toBe(NEW)
  })

  it('asks for migrate-container when several containers are essential', async () => {
    const s = setup([{ name: 'web' }, { name: 'worker' }])
    await expect(
      s.hook(inputs(), { clients: s.clients, plan: s.plan, taskDefinitionArn: NEW, containers: [] })
    ).rejects.toThrow(/^input migrate-container: the task definition has several essential containers/)
    expect(s.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0)
  })
})
