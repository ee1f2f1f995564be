// Requests as the action sends them, authorized under the example roles: what each role may do,
// what it may not, and the denial AWS would give.
import { authorize, type AuthorizeRequest } from '../../sim/iam/authorize.js'
import type { World } from '../../sim/iam/check.js'
import { evaluateCheck, identityFrom, type Identity } from '../../sim/iam/evaluate.js'
import { registryCheck } from '../../sim/iam/operations/index.js'
import { exampleIdentity, loadPermissions, loadRolePolicy, type RoleData } from '../../sim/iam/permissions.js'

const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'
const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT}:`
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:`
const ROLE = `arn:aws:iam::${ACCOUNT}:role/`
const LISTENER = `${ELB}listener/app/preview/0123456789abcdef/0123456789abcdef`
const PREVIEW_TAGS = { 'ecs-ship:base-service': 'web-staging', 'ecs-ship:preview-id': '7' }

const data = loadPermissions()

function identity(role: string, mutate?: (statements: { Sid: string }[]) => { Sid: string }[]): Identity {
  const data_ = data.roles[role] as RoleData
  const policy = loadRolePolicy(data_)
  const document = policy.document as { Version: string; Statement: { Sid: string }[] }
  return {
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${data_.roleName}/ecs-ship-1-1`,
    policies: [
      {
        name: policy.name,
        document: mutate ? { ...document, Statement: mutate(document.Statement) } : document
      }
    ]
  }
}

const without = (sid: string) => (statements: { Sid: string }[]) => statements.filter(s => s.Sid !== sid)

/** The resources the examples have: tags by ARN, task definitions with their roles. */
const TAGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [`${ECS}service/web-cluster/web-staging-pr-7`]: PREVIEW_TAGS,
  [`${ECS}service/web-cluster/web-staging-pr-8`]: { 'ecs-ship:base-service': 'web' },
  [`${ELB}targetgroup/web-staging-pr-7-1a2b3c4/0123456789abcdef`]: PREVIEW_TAGS,
  [`${ELB}listener-rule/app/preview/0123456789abcdef/0123456789abcdef/7777777777777777`]: PREVIEW_TAGS,
  [`${ECS}task-definition/web:42`]: { app: 'web' }
}

const world: World = {
  tagsOf: arn => TAGS[arn],
  taskDefinition: reference =>
    reference === 'web:42' || reference === `${ECS}task-definition/web:42`
      ? {
          arn: `${ECS}task-definition/web:42`,
          taskRoleArn: `${ROLE}web-task`,
          executionRoleArn: `${ROLE}web-task-execution`
        }
      : undefined,
  codeDeployDeployment: id =>
    id === 'd-123'
      ? { applicationName: 'AppECS-web-cluster-web', deploymentGroupName: 'DgpECS-web-cluster-web' }
      : undefined,
  deploymentConfigOf: () => 'CodeDeployDefault.ECSAllAtOnce'
}

function request(
  who: Identity | undefined,
  service: AuthorizeRequest['service'],
  operation: string,
  input: unknown
): Promise<Awaited<ReturnType<typeof authorize>>> {
  return authorize({ service, operation, input, region: REGION, account: ACCOUNT, identity: who, world })
}

function denial(decision: Awaited<ReturnType<typeof authorize>>) {
  return decision.allowed
    ? undefined
    : { action: decision.action, resource: decision.resource, message: decision.message }
}

describe('authorize under the deploy role', () => {
  const deploy = identity('deploy')

  it('updates the production service to a revision of its family', async () => {
    const decision = await request(deploy, 'ecs', 'UpdateService', {
      cluster: 'web-cluster',
      service: 'web',
      taskDefinition: `${ECS}task-definition/web:43`
    })
    expect(decision.allowed).toBe(true)
    expect(decision.checks.map(c => [c.action, c.resource, c.result.allowedBy])).toEqual([
      ['ecs:UpdateService', `${ECS}service/web-cluster/web`, ['ecs-ship-deploy:RolloutUpdateService']]
    ])
  })

  it('may not update a preview service, and says so as ECS does', async () => {
    const decision = await request(deploy, 'ecs', 'UpdateService', {
      cluster: 'web-cluster',
      service: 'web-staging-pr-1',
      taskDefinition: 'web-staging-pr-1:3'
    })
    expect(denial(decision)).toEqual({
      action: 'ecs:UpdateService',
      resource: `${ECS}service/web-cluster/web-staging-pr-1`,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-ship-deploy/ecs-ship-1-1 is not authorized to perform: ecs:UpdateService on resource: ${ECS}service/web-cluster/web-staging-pr-1 because no identity-based policy allows the ecs:UpdateService action`
    })
  })

  it('may not put a preview revision on the production service', async () => {
    const decision = await request(deploy, 'ecs', 'UpdateService', {
      cluster: 'web-cluster',
      service: 'web',
      taskDefinition: `${ECS}task-definition/web-staging-pr-1:3`
    })
    expect(denial(decision)?.action).toBe('ecs:UpdateService')
  })

  it('registers a tagged revision with its roles: RegisterTaskDefinition, TagResource on create, PassRole', async () => {
    const decision = await request(deploy, 'ecs', 'RegisterTaskDefinition', {
      family: 'web',
      taskRoleArn: `${ROLE}web-task`,
      executionRoleArn: `${ROLE}web-task-execution`,
      containerDefinitions: [{ name: 'web', image: 'web@sha256:0' }],
      tags: [{ key: 'app', value: 'web' }]
    })
    expect(decision.allowed).toBe(true)
    expect(decision.checks.map(c => [c.action, c.resource, c.result.allowedBy[0]])).toEqual([
      ['ecs:RegisterTaskDefinition', `${ECS}task-definition/web:*`, 'ecs-ship-deploy:TaskDefinitionRegister'],
      ['ecs:TagResource', `${ECS}task-definition/web:*`, 'ecs-ship-deploy:TaskDefinitionTagOnRegister'],
      ['iam:PassRole', `${ROLE}web-task`, 'ecs-ship-deploy:PassTaskRolesToEcsTasks'],
      ['iam:PassRole', `${ROLE}web-task-execution`, 'ecs-ship-deploy:PassTaskRolesToEcsTasks']
    ])
  })

  it('needs the TagResource grant for ecs:CreateAction RegisterTaskDefinition only when the revision has tags', async () => {
    const noTagGrant = identity('deploy', without('TaskDefinitionTagOnRegister'))
    const input = { family: 'web', containerDefinitions: [{ name: 'web', image: 'web@sha256:0' }] }
    expect((await request(noTagGrant, 'ecs', 'RegisterTaskDefinition', input)).allowed).toBe(true)
    const tagged = await request(noTagGrant, 'ecs', 'RegisterTaskDefinition', {
      ...input,
      tags: [{ key: 'app', value: 'web' }]
    })
    expect(denial(tagged)).toEqual({
      action: 'ecs:TagResource',
      resource: `${ECS}task-definition/web:*`,
      message: expect.stringContaining(
        `is not authorized to perform: ecs:TagResource on resource: ${ECS}task-definition/web:* because no identity-based policy allows the ecs:TagResource action`
      )
    })
  })

  it('runs the migrate task in its cluster, passing the revision roles and tagging it', async () => {
    const input = {
      cluster: 'web-cluster',
      taskDefinition: `${ECS}task-definition/web:42`,
      propagateTags: 'TASK_DEFINITION',
      overrides: { containerOverrides: [{ name: 'web', command: ['python', 'manage.py', 'migrate'] }] }
    }
    const decision = await request(deploy, 'ecs', 'RunTask', input)
    expect(decision.checks.map(c => [c.action, c.resource])).toEqual([
      ['ecs:RunTask', `${ECS}task-definition/web:42`],
      ['ecs:TagResource', `${ECS}task/web-cluster/*`],
      ['iam:PassRole', `${ROLE}web-task`],
      ['iam:PassRole', `${ROLE}web-task-execution`]
    ])
    expect(decision.allowed).toBe(true)
    const elsewhere = await request(deploy, 'ecs', 'RunTask', { ...input, cluster: 'other-cluster' })
    expect(denial(elsewhere)?.action).toBe('ecs:RunTask')
  })

  it('lists tasks in its cluster only', async () => {
    expect(
      (await request(deploy, 'ecs', 'ListTasks', { cluster: 'web-cluster', serviceName: 'web' })).allowed
    ).toBe(true)
    const elsewhere = await request(deploy, 'ecs', 'ListTasks', { cluster: 'other', serviceName: 'web' })
    expect(denial(elsewhere)).toEqual({
      action: 'ecs:ListTasks',
      resource: '*',
      message: expect.stringContaining('perform: ecs:ListTasks on resource: * because')
    })
  })

  it('creates and follows a CodeDeploy deployment with the implied config and revision grants', async () => {
    const create = await request(deploy, 'codedeploy', 'CreateDeployment', {
      applicationName: 'AppECS-web-cluster-web',
      deploymentGroupName: 'DgpECS-web-cluster-web',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: '{}' } }
    })
    expect(create.allowed).toBe(true)
    expect(create.checks.map(c => c.resource)).toEqual([
      `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:AppECS-web-cluster-web/DgpECS-web-cluster-web`,
      `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentconfig:CodeDeployDefault.ECSAllAtOnce`,
      `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:AppECS-web-cluster-web`
    ])
    expect((await request(deploy, 'codedeploy', 'GetDeployment', { deploymentId: 'd-123' })).allowed).toBe(
      true
    )
  })

  it('accepts GetApplicationRevision instead of RegisterApplicationRevision for CreateDeployment', async () => {
    const other = identity('deploy', statements => [
      ...without('BlueGreenCodeDeployRevision')(statements),
      {
        Sid: 'ReadRevisions',
        Effect: 'Allow',
        Action: 'codedeploy:GetApplicationRevision',
        Resource: `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:AppECS-web-cluster-web`
      } as { Sid: string }
    ])
    const input = { applicationName: 'AppECS-web-cluster-web', deploymentGroupName: 'DgpECS-web-cluster-web' }
    const decision = await request(other, 'codedeploy', 'CreateDeployment', input)
    expect(decision.checks.at(-1)?.result).toEqual({
      verdict: 'Allowed',
      action: 'codedeploy:GetApplicationRevision',
      allowedBy: ['ecs-ship-deploy:ReadRevisions']
    })
    const neither = identity('deploy', without('BlueGreenCodeDeployRevision'))
    expect(denial(await request(neither, 'codedeploy', 'CreateDeployment', input))?.action).toBe(
      'codedeploy:RegisterApplicationRevision'
    )
  })

  it('may not read service revisions (the rollback role does)', async () => {
    const input = { serviceRevisionArns: [`${ECS}service-revision/web-cluster/web/1234567890`] }
    expect((await request(deploy, 'ecs', 'DescribeServiceRevisions', input)).allowed).toBe(false)
    const rollback = await request(identity('rollback'), 'ecs', 'DescribeServiceRevisions', input)
    expect(rollback.checks.map(c => [c.resource, c.result.verdict])).toEqual([
      [`${ECS}service/web-cluster/web`, 'Allowed'],
      [`${ECS}service-revision/web-cluster/web/1234567890`, 'Allowed']
    ])
  })
})

describe('authorize under the preview role', () => {
  const preview = identity('preview')

  it('may not push to the production repository, only to web-preview', async () => {
    const scope = { region: REGION, account: ACCOUNT, world }
    const put = (repository: string) =>
      registryCheck({ method: 'PUT', path: `/v2/${repository}/manifests/sha-abc` }, scope)
    const toProduction = await evaluateCheck({
      check: put('web')!,
      identity: preview,
      region: REGION,
      account: ACCOUNT
    })
    expect([put('web')?.action, toProduction.verdict]).toEqual(['ecr:PutImage', 'ImplicitlyDenied'])
    const toPreview = await evaluateCheck({
      check: put('web-preview')!,
      identity: preview,
      region: REGION,
      account: ACCOUNT
    })
    expect(toPreview.allowedBy).toEqual(['ecs-ship-preview:PreviewImagePush'])
  })

  it('may not pass the production task role', async () => {
    const decision = await request(preview, 'ecs', 'RegisterTaskDefinition', {
      family: 'web-staging-pr-7',
      taskRoleArn: `${ROLE}web-task`,
      executionRoleArn: `${ROLE}web-preview-task-execution`,
      containerDefinitions: [{ name: 'web', image: 'web-preview@sha256:0' }],
      tags: Object.entries(PREVIEW_TAGS).map(([key, value]) => ({ key, value }))
    })
    expect(denial(decision)).toEqual({
      action: 'iam:PassRole',
      resource: `${ROLE}web-task`,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-ship-preview/ecs-ship-1-1 is not authorized to perform: iam:PassRole on resource: ${ROLE}web-task because no identity-based policy allows the iam:PassRole action`
    })
  })

  it('creates its service only tagged as a preview of web-staging, running a preview revision', async () => {
    const input = {
      cluster: 'web-cluster',
      serviceName: 'web-staging-pr-7',
      taskDefinition: `${ECS}task-definition/web-staging-pr-7:1`,
      propagateTags: 'SERVICE',
      tags: Object.entries(PREVIEW_TAGS).map(([key, value]) => ({ key, value }))
    }
    const created = await request(preview, 'ecs', 'CreateService', input)
    expect(created.checks.map(c => [c.action, c.result.allowedBy[0]])).toEqual([
      ['ecs:CreateService', 'ecs-ship-preview:PreviewCreateServiceOnlyTagged'],
      ['ecs:TagResource', 'ecs-ship-preview:PreviewTagServiceOnCreate']
    ])
    const untagged = await request(preview, 'ecs', 'CreateService', { ...input, tags: [] })
    expect(denial(untagged)?.action).toBe('ecs:CreateService')
    const production = await request(preview, 'ecs', 'CreateService', {
      ...input,
      taskDefinition: `${ECS}task-definition/web:42`
    })
    expect(denial(production)?.action).toBe('ecs:CreateService')
  })

  it('changes and deletes only services tagged as previews of web-staging', async () => {
    const own = await request(preview, 'ecs', 'DeleteService', {
      cluster: 'web-cluster',
      service: 'web-staging-pr-7'
    })
    expect(own.allowed).toBe(true)
    const othersTags = await request(preview, 'ecs', 'DeleteService', {
      cluster: 'web-cluster',
      service: 'web-staging-pr-8'
    })
    expect(denial(othersTags)?.action).toBe('ecs:DeleteService')
    for (const service of ['web-staging', 'web'])
      expect(
        (await request(preview, 'ecs', 'UpdateService', { cluster: 'web-cluster', service, desiredCount: 0 }))
          .allowed
      ).toBe(false)
  })

  it('creates its target group and rule with their tags (AddTags on create) and touches no other rule', async () => {
    const tags = Object.entries(PREVIEW_TAGS).map(([Key, Value]) => ({ Key, Value }))
    // awsQuery delivers strings and lists of strings.
    const group = await request(preview, 'elbv2', 'CreateTargetGroup', {
      Name: 'web-staging-pr-7-1a2b3c4',
      Protocol: 'HTTP',
      Port: '8000',
      Tags: tags
    })
    expect(group.checks.map(c => [c.action, c.resource, c.result.allowedBy[0]])).toEqual([
      [
        'elasticloadbalancing:CreateTargetGroup',
        `${ELB}targetgroup/web-staging-pr-7-1a2b3c4/*`,
        'ecs-ship-preview:PreviewCreateLoadBalancingOnlyTagged'
      ],
      [
        'elasticloadbalancing:AddTags',
        `${ELB}targetgroup/web-staging-pr-7-1a2b3c4/*`,
        'ecs-ship-preview:PreviewTagLoadBalancingOnCreate'
      ]
    ])
    const rule = await request(preview, 'elbv2', 'CreateRule', {
      ListenerArn: LISTENER,
      Priority: '7',
      Tags: tags
    })
    expect(rule.allowed).toBe(true)
    const productionRule = `${ELB}listener-rule/app/preview/0123456789abcdef/0123456789abcdef/0000000000000001`
    const deleted = await request(preview, 'elbv2', 'DeleteRule', { RuleArn: productionRule })
    expect(denial(deleted)?.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-ship-preview/ecs-ship-1-1 is not authorized to perform: elasticloadbalancing:DeleteRule on resource: ${productionRule} because no identity-based policy allows the elasticloadbalancing:DeleteRule action`
    )
  })

  it('names the load-balancing read it lacks without a resource, as the awsQuery services do', async () => {
    const lacking = identity('preview', without('PreviewLoadBalancingRead'))
    const decision = await request(lacking, 'elbv2', 'DescribeLoadBalancers', { LoadBalancerArns: ['x'] })
    expect(denial(decision)?.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-ship-preview/ecs-ship-1-1 is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers because no identity-based policy allows the elasticloadbalancing:DescribeLoadBalancers action`
    )
  })
})

describe('authorize', () => {
  it('allows everything while no policy set is in force', async () => {
    expect(await request(undefined, 'ecs', 'DeleteService', { service: 'web' })).toEqual({
      allowed: true,
      checks: []
    })
  })

  it('lets GetCallerIdentity through whatever the policy says, as STS does', async () => {
    const nothing: Identity = { principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/x/y`, policies: [] }
    expect((await request(nothing, 'sts', 'GetCallerIdentity', {})).allowed).toBe(true)
  })

  it('says when an explicit deny decided', async () => {
    const denied: Identity = {
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/x/y`,
      policies: [
        {
          name: 'p',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'All', Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
              { Sid: 'NoDelete', Effect: 'Deny', Action: 'ecs:DeleteService', Resource: '*' }
            ]
          }
        }
      ]
    }
    const decision = await request(denied, 'ecs', 'DeleteService', { cluster: 'web-cluster', service: 'web' })
    expect(denial(decision)?.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/x/y is not authorized to perform: ecs:DeleteService on resource: ${ECS}service/web-cluster/web with an explicit deny in an identity-based policy`
    )
  })

  it('refuses an operation it has no entry for, loudly', async () => {
    await expect(request(identity('deploy'), 'ecs', 'DeleteCluster', {})).rejects.toThrow(
      'sim/iam has no entry for ecs:DeleteCluster'
    )
  })
})

describe('identities', () => {
  it('of an example role: the session a job that assumed it signs as, and its policy', () => {
    const deploy = exampleIdentity('deploy')
    expect(deploy.principalArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ecs-ship-deploy/ecs-ship`)
    expect(deploy.policies.map(p => p.name)).toEqual(['ecs-ship-deploy'])
    expect(() => exampleIdentity('admin')).toThrow(
      'permissions.json has no role admin (deploy, rollback, preview, promote, abort)'
    )
  })

  it('from the control API: checked field by field', () => {
    const document = { Version: '2012-10-17', Statement: [] }
    expect(
      identityFrom({ principalArn: 'arn:aws:sts::1:assumed-role/r/s', policies: [{ name: 'p', document }] })
    ).toEqual({ principalArn: 'arn:aws:sts::1:assumed-role/r/s', policies: [{ name: 'p', document }] })
    expect(() => identityFrom({ policies: [] })).toThrow('principalArn')
    expect(() => identityFrom({ principalArn: 'arn:x', policies: [] })).toThrow(
      'policies: [{ name, document }]'
    )
    expect(() => identityFrom({ principalArn: 'arn:x', policies: [{ name: 'p' }] })).toThrow(
      'policies[0] (p) needs a policy document'
    )
  })
})
