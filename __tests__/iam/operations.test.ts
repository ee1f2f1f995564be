// The operation table: an entry for every operation the simulator answers, each producing checks
// the Service Authorization Reference accepts (iam-simulate refuses an ARN of the wrong resource
// type, a `*` for an action with resource types it requires, or an unknown action), with the
// resource ARNs and condition keys AWS evaluates.
import type { World } from '../../sim/iam/check.js'
import { evaluateCheck, literalResource, type Identity } from '../../sim/iam/evaluate.js'
import {
  checksFor,
  isSimService,
  registryCheck,
  SERVICE_TABLES,
  type SimService
} from '../../sim/iam/operations/index.js'
import { codeDeployHandlers } from '../../sim/api/codedeploy.js'
import { ecrHandlers } from '../../sim/api/ecr.js'
import { ecsHandlers } from '../../sim/api/ecs.js'
import { elbHandlers } from '../../sim/api/elbv2.js'
import { logsHandlers } from '../../sim/api/logs.js'
import { stsHandlers } from '../../sim/api/sts.js'

const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'
const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT}:`
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:`
const TG = `${ELB}targetgroup/web-tg/6d0ecf831eec9f09`
const LISTENER = `${ELB}listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`
const RULE = `${ELB}listener-rule/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`

/** The simulator's handlers, by the service names its call log uses. */
const HANDLERS: Record<SimService, object> = {
  ecs: ecsHandlers,
  ecr: ecrHandlers,
  elbv2: elbHandlers,
  codedeploy: codeDeployHandlers,
  logs: logsHandlers,
  sts: stsHandlers
}

const world: World = {
  tagsOf: arn => (arn.includes(':service/') ? { team: 'web' } : undefined),
  taskDefinition: ref =>
    ref === 'web'
      ? { arn: `${ECS}task-definition/web:7`, taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-task` }
      : undefined,
  codeDeployDeployment: () => ({
    applicationName: 'AppECS-web-cluster-web',
    deploymentGroupName: 'DgpECS-web-cluster-web'
  }),
  deploymentConfigOf: () => 'CodeDeployDefault.ECSAllAtOnce'
}
const scope = { region: REGION, account: ACCOUNT, world }
const tags = [{ key: 'team', value: 'web' }]
const elbTags = [{ Key: 'team', Value: 'web' }]
const group = { applicationName: 'AppECS-web-cluster-web', deploymentGroupName: 'DgpECS-web-cluster-web' }

/** A typical request of every operation, as the wire delivers it. */
const SAMPLES: Record<SimService, Record<string, Record<string, unknown>>> = {
  ecs: {
    CreateCluster: { clusterName: 'web-cluster', tags },
    DescribeClusters: { clusters: ['web-cluster'] },
    RegisterTaskDefinition: {
      family: 'web',
      cpu: '512',
      memory: '1024',
      containerDefinitions: [{ name: 'web' }],
      tags
    },
    DescribeTaskDefinition: { taskDefinition: 'web:7', include: ['TAGS'] },
    ListTaskDefinitions: { familyPrefix: 'web' },
    ListTaskDefinitionFamilies: {},
    DeregisterTaskDefinition: { taskDefinition: 'web:6' },
    CreateService: { cluster: 'web-cluster', serviceName: 'web-pr-1', taskDefinition: 'web', tags },
    UpdateService: { cluster: 'web-cluster', service: 'web', taskDefinition: 'web:7' },
    DeleteService: { cluster: 'web-cluster', service: 'web', force: true },
    DescribeServices: { cluster: 'web-cluster', services: ['web', 'worker'] },
    ListServices: { cluster: 'web-cluster' },
    RunTask: { cluster: 'web-cluster', taskDefinition: 'web', propagateTags: 'TASK_DEFINITION' },
    DescribeTasks: { cluster: 'web-cluster', tasks: ['0123456789abcdef0123456789abcdef'] },
    ListTasks: { cluster: 'web-cluster', serviceName: 'web' },
    StopTask: { cluster: 'web-cluster', task: `${ECS}task/web-cluster/0123456789abcdef0123456789abcdef` },
    ListServiceDeployments: { cluster: 'web-cluster', service: 'web' },
    StopServiceDeployment: {
      serviceDeploymentArn: `${ECS}service-deployment/web-cluster/web/abc`,
      stopType: 'ROLLBACK'
    },
    ContinueServiceDeployment: {
      serviceDeploymentArn: `${ECS}service-deployment/web-cluster/web/abc`,
      hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw',
      action: 'CONTINUE'
    },
    DescribeServiceDeployments: { serviceDeploymentArns: [`${ECS}service-deployment/web-cluster/web/abc`] },
    DescribeServiceRevisions: { serviceRevisionArns: [`${ECS}service-revision/web-cluster/web/123`] },
    ListTagsForResource: { resourceArn: `${ECS}service/web-cluster/web` },
    TagResource: { resourceArn: `${ECS}service/web-cluster/web`, tags },
    UntagResource: { resourceArn: `${ECS}service/web-cluster/web`, tagKeys: ['team'] }
  },
  ecr: {
    DescribeRepositories: { repositoryNames: ['web'] },
    CreateRepository: { repositoryName: 'web-preview', tags: [{ Key: 'team', Value: 'web' }] },
    GetAuthorizationToken: {},
    DescribeImages: { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] },
    BatchGetImage: { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }
  },
  elbv2: {
    DescribeTargetHealth: { TargetGroupArn: TG },
    DescribeTargetGroups: { Names: ['web-tg'] },
    CreateTargetGroup: { Name: 'web-pr-1', Port: '8000', Tags: elbTags },
    DeleteTargetGroup: { TargetGroupArn: TG },
    ModifyTargetGroup: { TargetGroupArn: TG, HealthCheckPath: '/health/' },
    DescribeTargetGroupAttributes: { TargetGroupArn: TG },
    ModifyTargetGroupAttributes: { TargetGroupArn: TG, Attributes: [{ Key: 'k', Value: 'v' }] },
    RegisterTargets: { TargetGroupArn: TG, Targets: [{ Id: '10.0.0.1' }] },
    DeregisterTargets: { TargetGroupArn: TG, Targets: [{ Id: '10.0.0.1' }] },
    DescribeLoadBalancers: {},
    DescribeListeners: { ListenerArns: [LISTENER] },
    DescribeRules: { ListenerArn: LISTENER },
    CreateRule: { ListenerArn: LISTENER, Priority: '10', Tags: elbTags },
    ModifyRule: { RuleArn: RULE },
    DeleteRule: { RuleArn: RULE },
    DescribeTags: { ResourceArns: [TG] },
    AddTags: { ResourceArns: [TG], Tags: elbTags },
    RemoveTags: { ResourceArns: [TG], TagKeys: ['team'] }
  },
  codedeploy: {
    CreateApplication: { applicationName: 'AppECS-web-cluster-web', computePlatform: 'ECS' },
    GetApplication: { applicationName: 'AppECS-web-cluster-web' },
    BatchGetApplications: { applicationNames: ['AppECS-web-cluster-web'] },
    ListApplications: {},
    DeleteApplication: { applicationName: 'AppECS-web-cluster-web' },
    CreateDeploymentGroup: { ...group, serviceRoleArn: 'x' },
    GetDeploymentGroup: group,
    ListDeploymentGroups: { applicationName: 'AppECS-web-cluster-web' },
    UpdateDeploymentGroup: {
      applicationName: group.applicationName,
      currentDeploymentGroupName: group.deploymentGroupName
    },
    DeleteDeploymentGroup: group,
    GetDeploymentConfig: { deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce' },
    ListDeploymentConfigs: {},
    CreateDeployment: group,
    GetDeployment: { deploymentId: 'd-1' },
    BatchGetDeployments: { deploymentIds: ['d-1'] },
    ListDeployments: group,
    StopDeployment: { deploymentId: 'd-1', autoRollbackEnabled: true },
    ContinueDeployment: { deploymentId: 'd-1', deploymentWaitType: 'READY_WAIT' },
    PutLifecycleEventHookExecutionStatus: { deploymentId: 'd-1', status: 'Succeeded' },
    ListDeploymentTargets: { deploymentId: 'd-1' },
    BatchGetDeploymentTargets: { deploymentId: 'd-1', targetIds: ['web-cluster:web'] },
    GetDeploymentTarget: { deploymentId: 'd-1', targetId: 'web-cluster:web' }
  },
  logs: {
    GetLogEvents: { logGroupName: '/ecs/web', logStreamName: 'web/web/0123' },
    FilterLogEvents: { logGroupName: '/ecs/web' },
    CreateLogGroup: { logGroupName: '/ecs/web', tags: { team: 'web' } },
    DescribeLogStreams: { logGroupName: '/ecs/web' },
    DescribeLogGroups: {}
  },
  sts: { GetCallerIdentity: {} }
}

const everything: Identity = {
  principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/s`,
  policies: [
    {
      name: 'all',
      document: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }]
      }
    }
  ]
}

describe('the operation table', () => {
  it.each(Object.keys(HANDLERS) as SimService[])(
    '%s: has an entry for every operation the simulator answers, and no other',
    service => {
      expect(Object.keys(SERVICE_TABLES[service]).sort()).toEqual(Object.keys(HANDLERS[service]).sort())
      expect(Object.keys(SAMPLES[service]).sort()).toEqual(Object.keys(HANDLERS[service]).sort())
    }
  )

  const operations = (Object.keys(SAMPLES) as SimService[]).flatMap(service =>
    Object.entries(SAMPLES[service]).map(
      ([operation, input]) => [`${service}:${operation}`, service, operation, input] as const
    )
  )

  it.each(operations)('%s: checks the reference accepts', async (_name, service, operation, input) => {
    const checks = checksFor(service, operation, input, scope) ?? []
    if (service !== 'sts') expect(checks.length).toBeGreaterThan(0)
    for (const check of checks) {
      // evaluateCheck throws when iam-simulate refuses the request as invalid for the action.
      const result = await evaluateCheck({ check, identity: everything, region: REGION, account: ACCOUNT })
      expect([check.action, result.verdict]).toEqual([check.action, 'Allowed'])
    }
  })

  it('knows its services', () => {
    expect(isSimService('ecs')).toBe(true)
    expect(isSimService('toString')).toBe(false)
    expect(checksFor('ecs', 'constructor', {}, scope)).toBeUndefined()
  })
})

describe('what a request asks', () => {
  const ask = (service: SimService, operation: string, input: Record<string, unknown>) =>
    (checksFor(service, operation, input, scope) ?? []).map(c => ({
      action: c.action,
      resource: c.resource,
      context: c.context
    }))

  it('RunTask of a family: its latest revision, the cluster, tag propagation and the roles it passes', () => {
    expect(ask('ecs', 'RunTask', SAMPLES.ecs.RunTask as Record<string, unknown>)).toEqual([
      {
        action: 'ecs:RunTask',
        resource: `${ECS}task-definition/web:7`,
        context: { 'ecs:cluster': `${ECS}cluster/web-cluster` }
      },
      // The world gives the revision no tags here: nothing is propagated, so no TagResource.
      {
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/web-task`,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }
      }
    ])
  })

  it('service actions carry ecs:cluster and the service tags; a default cluster is `default`', () => {
    expect(ask('ecs', 'DeleteService', { service: 'web' })).toEqual([
      {
        action: 'ecs:DeleteService',
        resource: `${ECS}service/default/web`,
        context: {
          'ecs:cluster': `${ECS}cluster/default`,
          'aws:ResourceTag/team': 'web',
          'ecs:ResourceTag/team': 'web'
        }
      }
    ])
  })

  it('a service deployment is authorized with its service', () => {
    expect(
      ask('ecs', 'StopServiceDeployment', SAMPLES.ecs.StopServiceDeployment as Record<string, unknown>).map(
        c => c.resource
      )
    ).toEqual([`${ECS}service/web-cluster/web`, `${ECS}service-deployment/web-cluster/web/abc`])
  })

  it('ContinueServiceDeployment: the service and the service deployment, with ecs:cluster and ecs:service', () => {
    const input = SAMPLES.ecs.ContinueServiceDeployment as Record<string, unknown>
    expect(ask('ecs', 'ContinueServiceDeployment', input)).toEqual([
      {
        action: 'ecs:ContinueServiceDeployment',
        resource: `${ECS}service/web-cluster/web`,
        context: {
          'ecs:cluster': `${ECS}cluster/web-cluster`,
          'aws:ResourceTag/team': 'web',
          'ecs:ResourceTag/team': 'web'
        }
      },
      {
        action: 'ecs:ContinueServiceDeployment',
        resource: `${ECS}service-deployment/web-cluster/web/abc`,
        context: {
          'ecs:cluster': `${ECS}cluster/web-cluster`,
          'ecs:service': `${ECS}service/web-cluster/web`
        }
      }
    ])
  })

  it('CodeDeploy ContinueDeployment and StopDeployment: no resource type in the reference, so `*`', () => {
    for (const operation of ['ContinueDeployment', 'StopDeployment'])
      expect(ask('codedeploy', operation, SAMPLES.codedeploy[operation] as Record<string, unknown>)).toEqual([
        { action: `codedeploy:${operation}`, resource: '*', context: {} }
      ])
  })

  it('RegisterTaskDefinition: the family with any revision, its request tags and task size', () => {
    const [register, tag] = ask(
      'ecs',
      'RegisterTaskDefinition',
      SAMPLES.ecs.RegisterTaskDefinition as Record<string, unknown>
    )
    expect(register).toEqual({
      action: 'ecs:RegisterTaskDefinition',
      resource: `${ECS}task-definition/web:*`,
      context: {
        'aws:TagKeys': ['team'],
        'aws:RequestTag/team': 'web',
        'ecs:privileged': 'false',
        'ecs:task-cpu': '512',
        'ecs:task-memory': '1024'
      }
    })
    expect(tag?.context).toEqual({
      'ecs:CreateAction': 'RegisterTaskDefinition',
      'aws:TagKeys': ['team'],
      'aws:RequestTag/team': 'web'
    })
  })

  it('CodeDeploy: an unknown deployment is evaluated against *', () => {
    const unknown = { ...scope, world: { ...world, codeDeployDeployment: () => undefined } }
    expect(
      checksFor('codedeploy', 'GetDeployment', { deploymentId: 'd-x' }, unknown)?.map(c => c.resource)
    ).toEqual(['*'])
  })

  it('logs: a stream of a group', () => {
    expect(
      ask('logs', 'GetLogEvents', SAMPLES.logs.GetLogEvents as Record<string, unknown>)[0]?.resource
    ).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/web:log-stream:web/web/0123`)
  })

  it.each([
    ['HEAD', '/v2/web/blobs/sha256:1', 'ecr:BatchCheckLayerAvailability'],
    ['POST', '/v2/web/blobs/uploads/', 'ecr:InitiateLayerUpload'],
    ['PATCH', '/v2/web/blobs/uploads/u-1', 'ecr:UploadLayerPart'],
    ['PUT', '/v2/web/blobs/uploads/u-1', 'ecr:CompleteLayerUpload'],
    ['PUT', '/v2/web/manifests/v1', 'ecr:PutImage'],
    ['HEAD', '/v2/web/manifests/v1', 'ecr:BatchGetImage'],
    ['GET', '/v2/web/manifests/sha256:1', 'ecr:BatchGetImage'],
    ['GET', '/v2/web/blobs/sha256:1', 'ecr:GetDownloadUrlForLayer']
  ])('registry %s %s is %s on the repository', (method, path, action) => {
    expect(registryCheck({ method, path }, scope)).toEqual({
      action,
      resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/web`,
      context: {}
    })
  })

  it('registry: a nested repository name, and the version check that needs only the login', () => {
    expect(registryCheck({ method: 'PUT', path: '/v2/team/web/manifests/v1' }, scope)?.resource).toBe(
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/web`
    )
    expect(registryCheck({ method: 'GET', path: '/v2/' }, scope)).toBeUndefined()
  })

  it('a literal asterisk in a resource is matched only by a wildcard in the policy', () => {
    expect(literalResource(`${ECS}task-definition/web:*`)).toBe(`${ECS}task-definition/web:~`)
    expect(literalResource('*')).toBe('*')
  })
})
