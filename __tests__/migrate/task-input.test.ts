import type { Service, TaskDefinition } from '@aws-sdk/client-ecs'
import { fixtureJson } from '../../__fixtures__/load.js'
import { buildRunTaskInput, logLocation, migrateGroup, taskId } from '../../src/migrate/task-input.js'

const service = fixtureJson<{ services: Service[] }>('services/web-rolling.json').services[0] as Service
const taskDefinition = fixtureJson<{ taskDefinition: TaskDefinition }>(
  'taskdef/described-web-7.json'
).taskDefinition
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8'
const base = {
  cluster: 'demo',
  taskDefinitionArn: NEW,
  containerName: 'web',
  command: ['python', 'manage.py', 'migrate']
}

describe('buildRunTaskInput', () => {
  it("copies the service's network and launch type, marks the task, and overrides the command", () => {
    expect(buildRunTaskInput({ ...base, service: { ...service, platformVersion: '1.4.0' } })).toEqual({
      cluster: 'demo',
      taskDefinition: NEW,
      count: 1,
      startedBy: 'ecs-ship-migrate',
      group: 'migrate:web',
      propagateTags: 'TASK_DEFINITION',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1'],
          securityGroups: ['sg-0b2'],
          assignPublicIp: 'DISABLED'
        }
      },
      overrides: { containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate'] }] }
    })
  })

  it('uses the capacity provider strategy instead of a launch type', () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]
    const { launchType: _, ...rest } = service
    const input = buildRunTaskInput({
      ...base,
      service: { ...rest, capacityProviderStrategy: strategy, platformVersion: 'LATEST' }
    })
    expect(input.capacityProviderStrategy).toEqual(strategy)
    expect(input.launchType).toBeUndefined()
    expect(input.platformVersion).toBe('LATEST')
  })

  it('on EC2 without awsvpc: no network configuration, no platform version, placement copied', () => {
    const ec2: Service = {
      serviceName: 'api',
      launchType: 'EC2',
      platformVersion: 'LATEST',
      placementConstraints: [{ type: 'distinctInstance' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }]
    }
    const input = buildRunTaskInput({ ...base, service: ec2 })
    expect(input).toMatchObject({ launchType: 'EC2', group: 'migrate:api' })
    expect(input.networkConfiguration).toBeUndefined()
    expect(input.platformVersion).toBeUndefined()
    expect(input.placementConstraints).toEqual([{ type: 'distinctInstance' }])
    expect(input.placementStrategy).toEqual([{ type: 'spread', field: 'attribute:ecs.availability-zone' }])
  })

  it('keeps startedBy within ECS limits and the group within 255 characters', () => {
    expect(migrateGroup('x'.repeat(300))).toHaveLength(255)
    expect(buildRunTaskInput({ ...base, service }).startedBy?.length).toBeLessThanOrEqual(128)
  })
})

describe('logLocation', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task/demo/0123456789abcdef'
  it('is <prefix>/<container>/<task-id> in the awslogs group', () => {
    const prefix =
      taskDefinition.containerDefinitions?.[0]?.logConfiguration?.options?.['awslogs-stream-prefix']
    expect(logLocation(taskDefinition, 'web', arn)).toEqual({
      logGroupName: '/ecs/web',
      logStreamName: `${prefix}/web/0123456789abcdef`
    })
  })
  test.each<[string, TaskDefinition]>([
    [
      'another log driver',
      { containerDefinitions: [{ name: 'web', logConfiguration: { logDriver: 'json-file' } }] }
    ],
    [
      'no stream prefix',
      {
        containerDefinitions: [
          { name: 'web', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }
        ]
      }
    ],
    ['no log configuration', { containerDefinitions: [{ name: 'web' }] }],
    ['no such container', { containerDefinitions: [{ name: 'worker' }] }]
  ])('is undefined with %s', (_name, td) => {
    expect(logLocation(td, 'web', arn)).toBeUndefined()
  })
  it('reads the id from old and new task ARN forms', () => {
    expect(taskId('arn:aws:ecs:us-east-1:1:task/abc')).toBe('abc')
    expect(taskId(arn)).toBe('0123456789abcdef')
  })
})
