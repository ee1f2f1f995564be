// The Django-on-Fargate example: a task definition people can copy, and a role that can do
// exactly what ecs-ship does and no more. These checks keep the three files consistent with each
// other and with the rules the README states.
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

interface Statement {
  Sid: string
  Effect: string
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

const taskDefinition = read('task-definition.json') as TaskDefinition
const policy = read('iam-policy.json') as { Version: string; Statement: Statement[] }
const trust = read('trust-policy.json') as { Statement: Statement[] }
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value])
const web = taskDefinition.containerDefinitions.find(c => c.name === 'web')
const statement = (sid: string): Statement => {
  const found = policy.Statement.find(s => s.Sid === sid)
  if (!found) throw new Error(`no statement ${sid}`)
  return found
}

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

describe('examples/django-fargate/iam-policy.json', () => {
  const resourceStarAllowed =
    /^(?:ecr:GetAuthorizationToken|ecs:(?:RegisterTaskDefinition|DescribeTaskDefinition|ListTaskDefinitions)|elasticloadbalancing:Describe\w+|tag:GetResources)$/

  it('has one named Allow statement per phase, no wildcard actions', () => {
    const sids = policy.Statement.map(s => s.Sid)
    expect(new Set(sids).size).toBe(sids.length)
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow')
      for (const action of list(s.Action)) expect(action).toMatch(/^[a-z-]+:[A-Z]\w+$/)
    }
    for (const phase of ['Image', 'TaskDefinition', 'Migrate', 'Rollout', 'BlueGreen', 'Preview']) {
      expect(sids.some(sid => sid.startsWith(phase))).toBe(true)
    }
  })

  it('uses Resource "*" only for calls AWS cannot scope, and lists tasks of one cluster only', () => {
    const unscoped = policy.Statement.filter(s => list(s.Resource).includes('*')).flatMap(s =>
      list(s.Action)
        .filter(action => !resourceStarAllowed.test(action))
        .filter(
          action =>
            !(/^ecs:(?:ListTasks|DescribeTasks)$/.test(action) && s.Condition?.ArnEquals?.['ecs:cluster'])
        )
        .map(action => `${s.Sid}: ${action}`)
    )
    expect(unscoped).toEqual([])
  })

  it('passes exactly the task definition roles, to ECS tasks only', () => {
    const passRole = policy.Statement.filter(s => list(s.Action).includes('iam:PassRole'))
    expect(passRole).toHaveLength(1)
    expect(list(passRole[0]?.Resource ?? []).sort()).toEqual(
      [taskDefinition.executionRoleArn, taskDefinition.taskRoleArn].sort()
    )
    expect(passRole[0]?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }
    })
  })

  it('runs migrate tasks of the family only, in one cluster, and reads its log group only', () => {
    const migrate = statement('MigrateTaskInTheCluster')
    expect(list(migrate.Action).sort()).toEqual(['ecs:RunTask', 'ecs:StopTask'])
    expect(statement('TasksReadInTheCluster').Condition).toEqual(migrate.Condition)
    expect(list(migrate.Resource)).toContain(
      `arn:aws:ecs:eu-west-1:123456789012:task-definition/${taskDefinition.family}:*`
    )
    expect(migrate.Condition?.ArnEquals?.['ecs:cluster']).toMatch(/:cluster\/[\w-]+$/)
    const group = web?.logConfiguration?.options['awslogs-group']
    expect(statement('MigrateTaskLogs').Resource).toBe(
      `arn:aws:logs:eu-west-1:123456789012:log-group:${group}:log-stream:*`
    )
  })

  it('rolls out the one service and reads target health', () => {
    expect(list(statement('RolloutService').Action)).toEqual(
      expect.arrayContaining([
        'ecs:UpdateService',
        'ecs:DescribeServices',
        'ecs:ListServiceDeployments',
        'ecs:DescribeServiceDeployments'
      ])
    )
    expect(list(statement('RolloutTargetHealth').Action).sort()).toEqual([
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth'
    ])
  })

  it('creates preview resources only with tags, and changes or deletes only tagged ones', () => {
    const notTagScoped = policy.Statement.filter(s => {
      const mutating = list(s.Action).some(
        a => /:(?:Create|Delete|Modify)\w*$/.test(a) && !a.startsWith('codedeploy:')
      )
      const scopedByTag = /aws:(?:RequestTag|ResourceTag)\/ecs-ship:base-service/.test(
        JSON.stringify(s.Condition ?? {})
      )
      return mutating && !scopedByTag
    }).map(s => s.Sid)
    expect(notTagScoped).toEqual([])
    // A preview may read the base service (to clone it), never change it.
    const touchingBase = policy.Statement.filter(
      p =>
        p.Sid.startsWith('Preview') &&
        list(p.Resource).includes('arn:aws:ecs:eu-west-1:123456789012:service/web-cluster/web') &&
        list(p.Action).some(a => !/:(?:Describe|List)\w+$/.test(a))
    ).map(p => p.Sid)
    expect(touchingBase).toEqual([])
  })
})

describe('examples/django-fargate/trust-policy.json', () => {
  it("accepts only GitHub's OIDC tokens for one repository's environment", () => {
    expect(trust.Statement).toHaveLength(1)
    const [only] = trust.Statement
    expect(list(only?.Action ?? [])).toEqual(['sts:AssumeRoleWithWebIdentity'])
    expect(only?.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': expect.stringMatching(
        /^repo:[\w.-]+\/[\w.-]+:environment:[\w.-]+$/
      )
    })
    expect(only?.Condition?.StringLike).toBeUndefined()
  })
})
