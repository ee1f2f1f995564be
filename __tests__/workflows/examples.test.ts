// The Django-on-Fargate example: a task definition people can copy. The roles that can do
// exactly what ecs-ship does and no more (examples/django-fargate/iam/) are checked in
// __tests__/iam/policies.test.ts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './checks.js'

const read = (name: string): unknown =>
  JSON.parse(readFileSync(join(ROOT, 'examples/django-fargate', name), 'utf8')) as unknown

interface Container {
  name: string
  image: string
  essential?: boolean
  portMappings?: { containerPort: number }[]
  environment?: { name: string; value: string }[]
  secrets?: { name: string; valueFrom: string }[]
  healthCheck?: { command: string[]; startPeriod?: number }
  logConfiguration?: { logDriver: string; options: Record<string, string> }
}

interface TaskDefinition {
  family: string
  requiresCompatibilities: string[]
  networkMode: string
  executionRoleArn: string
  taskRoleArn: string
  containerDefinitions: Container[]
}

const taskDefinition = read('task-definition.json') as TaskDefinition
const web = taskDefinition.containerDefinitions.find(c => c.name === 'web')
describe('examples/django-fargate/task-definition.json', () => {
  it('is a Fargate task with one essential web container on port 8000', () => {
    expect(taskDefinition.requiresCompatibilities).toEqual(['FARGATE'])
    expect(taskDefinition.networkMode).toBe('awsvpc')
    expect(web?.essential).toBe(true)
    expect(web?.portMappings?.map(p => p.containerPort)).toEqual([8000])
  })

  it('takes secrets from Secrets Manager and SSM by ARN', () => {
    const sources = (web?.secrets ?? []).map(s => s.valueFrom.split(':')[2])
    expect(sources).toContain('secretsmanager')
    expect(sources).toContain('ssm')
    for (const secret of web?.secrets ?? []) {
      expect(secret.valueFrom).toMatch(
        /^arn:aws:(?:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+(?::[\w-]*:[\w-]*:[\w-]*)?|ssm:[\w-]+:\d{12}:parameter\/[\w/.-]+)$/
      )
    }
  })

  it('keeps nothing secret-looking in plain environment variables', () => {
    const plain = (web?.environment ?? []).map(e => e.name)
    expect(plain.filter(name => /PASSWORD|SECRET|TOKEN|DSN|KEY/.test(name))).toEqual([])
  })

  it('logs with awslogs and checks /health/ on 8000', () => {
    expect(web?.logConfiguration?.logDriver).toBe('awslogs')
    expect(Object.keys(web?.logConfiguration?.options ?? {}).sort()).toEqual([
      'awslogs-group',
      'awslogs-region',
      'awslogs-stream-prefix'
    ])
    expect(web?.healthCheck?.command.join(' ')).toContain('127.0.0.1:8000/health/')
    expect(web?.healthCheck?.startPeriod).toBeGreaterThan(0)
  })
})
