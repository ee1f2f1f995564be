// The example roles grant exactly what permissions.json lists: every listed (action, resource)
// is allowed by the role's policy, through the statement the data names and no other; every
// action and resource of every statement is listed (no grant nothing needs). The trust policies
// admit only their one OIDC subject.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateTrustPolicy } from '@cloud-copilot/iam-policy'
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate'
import { evaluateCheck, type Identity } from '../../sim/iam/evaluate.js'
import {
  EXAMPLE_IAM_DIR,
  grantPairs,
  loadPermissions,
  loadRolePolicy,
  loadTrustPolicy,
  type RoleData
} from '../../sim/iam/permissions.js'

const data = loadPermissions()
const roles = Object.entries(data.roles)

interface Statement {
  Sid?: string
  Effect: string
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
  Principal?: { Federated?: string }
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value])

function statementsOf(role: RoleData): Statement[] {
  return (loadRolePolicy(role).document as { Statement: Statement[] }).Statement
}

function identityOf(role: RoleData): Identity {
  return {
    principalArn: `arn:aws:sts::${data.account}:assumed-role/${role.roleName}/ecs-ship-1-1`,
    policies: [loadRolePolicy(role)]
  }
}

describe.each(roles)('role %s', (name, role) => {
  const statements = statementsOf(role)

  it('names every statement with a distinct Sid and only allows', () => {
    const sids = statements.map(s => s.Sid ?? '')
    expect(sids.every(sid => /^[A-Z][A-Za-z]{5,}$/.test(sid))).toBe(true)
    expect(new Set(sids).size).toBe(sids.length)
    expect(statements.every(s => s.Effect === 'Allow')).toBe(true)
  })

  it('fits in a managed policy (6,144 characters without white space)', () => {
    const size = JSON.stringify(loadRolePolicy(role).document).replace(/\s/g, '').length
    expect(size).toBeLessThanOrEqual(6144)
  })

  it.each(grantPairs(name, role).map(p => [`${p.sid}: ${p.action} on ${p.resource}`, p] as const))(
    'allows %s, through that statement only',
    async (_label, pair) => {
      const result = await evaluateCheck({
        check: { action: pair.action, resource: pair.resource, context: pair.grant.context ?? {} },
        identity: identityOf(role),
        region: data.region,
        account: data.account
      })
      expect(result.verdict).toBe('Allowed')
      expect(result.allowedBy).toEqual([`${role.roleName}:${pair.sid}`])
    }
  )

  it('lists every action and resource of every statement (no grant that nothing needs)', () => {
    const unlisted: string[] = []
    for (const statement of statements) {
      const grants = role.grants.filter(g => g.sid === statement.Sid)
      for (const action of list(statement.Action))
        if (!grants.some(g => g.actions.includes(action))) unlisted.push(`${statement.Sid}: ${action}`)
      for (const resource of list(statement.Resource))
        if (!grants.some(g => g.resources.includes(resource))) unlisted.push(`${statement.Sid}: ${resource}`)
    }
    expect(unlisted).toEqual([])
  })

  it(`is assumed only by ${role.subject}`, () => {
    const trust = loadTrustPolicy(role)
    expect(validateTrustPolicy(trust)).toEqual([])
    const [statement, ...more] = (trust as { Statement: Statement[] }).Statement
    expect(more).toEqual([])
    expect(statement?.Effect).toBe('Allow')
    expect(statement?.Principal?.Federated).toBe(
      `arn:aws:iam::${data.account}:oidc-provider/token.actions.githubusercontent.com`
    )
    expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity')
    // StringEquals, not StringLike: no wildcard can widen the subject.
    expect(statement?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': role.subject
      }
    })
  })
})

describe('the roles', () => {
  it('trust production for deploy and rollback, and only pull requests for previews', () => {
    expect(data.roles.deploy?.subject).toBe('repo:acme/shop:environment:production')
    expect(data.roles.rollback?.subject).toBe('repo:acme/shop:environment:production')
    expect(data.roles.preview?.subject).toBe('repo:acme/shop:pull_request')
  })

  it('keep the preview role off everything of production', () => {
    const production = [
      /:repository\/web$/,
      /:service\/web-cluster\/web$/,
      /:task-definition\/web:/,
      /:role\/web-task(-execution)?$/,
      /\/web\/production\//
    ]
    const touched = grantPairs('preview', data.roles.preview as RoleData).filter(p =>
      production.some(re => re.test(p.resource))
    )
    expect(touched).toEqual([])
  })
})

describe('the example files agree with the roles', () => {
  interface TaskDefinitionFile {
    family: string
    executionRoleArn: string
    taskRoleArn: string
    containerDefinitions: {
      image: string
      secrets?: { valueFrom: string }[]
      logConfiguration?: { options: Record<string, string> }
    }[]
  }
  const read = (name: string) =>
    JSON.parse(readFileSync(join(EXAMPLE_IAM_DIR, '..', name), 'utf8')) as TaskDefinitionFile
  const production = read('task-definition.json')
  const preview = read('task-definition.preview.json')
  const passed = (role: string) =>
    statementsOf(data.roles[role] as RoleData)
      .filter(s => list(s.Action).includes('iam:PassRole'))
      .flatMap(s => list(s.Resource))
      .sort()

  it('pass exactly the roles of the task definition each one registers', () => {
    const roles = (td: TaskDefinitionFile) => [td.executionRoleArn, td.taskRoleArn].sort()
    expect(passed('deploy')).toEqual(roles(production))
    expect(passed('rollback')).toEqual(roles(production))
    expect(passed('preview')).toEqual(roles(preview))
  })

  it('give previews their own family, repository, roles, log group and secrets', () => {
    // The preview mode registers `<family>-pr-<id>`: web-staging-pr-*, as the preview policy names.
    expect(preview.family).toBe('web-staging')
    const [container] = preview.containerDefinitions
    expect(container?.image).toMatch(/\.amazonaws\.com\/web-preview:/)
    expect(container?.logConfiguration?.options['awslogs-group']).toBe('/ecs/web-preview')
    const sources = (container?.secrets ?? []).map(s => s.valueFrom)
    expect(sources.length).toBeGreaterThan(0)
    expect(sources.filter(s => !/:secret:web\/preview\/|:parameter\/web\/preview\//.test(s))).toEqual([])
  })

  it("read the migrate logs of the production task definition's log group only", () => {
    const group = production.containerDefinitions[0]?.logConfiguration?.options['awslogs-group']
    const logs = statementsOf(data.roles.deploy as RoleData).filter(s =>
      list(s.Action).includes('logs:GetLogEvents')
    )
    expect(logs.flatMap(s => list(s.Resource))).toEqual([
      `arn:aws:logs:${data.region}:${data.account}:log-group:${group}:log-stream:*`
    ])
  })

  it.each(roles)(
    '%s: grants Resource "*" only for what AWS cannot scope, or scoped by cluster',
    async (_name, role) => {
      const unscoped: string[] = []
      for (const statement of statementsOf(role).filter(s => list(s.Resource).includes('*'))) {
        for (const action of list(statement.Action)) {
          const [service = '', name = ''] = action.split(':')
          const byCluster = action === 'ecs:ListTasks' || action === 'ecs:DescribeTasks'
          if (await isWildcardOnlyAction(service, name)) continue
          if (byCluster && statement.Condition?.ArnEquals?.['ecs:cluster']) continue
          unscoped.push(`${statement.Sid}: ${action}`)
        }
      }
      expect(unscoped).toEqual([])
    }
  )

  it('let a preview create load balancing and services only with its tags, and change only tagged ones', () => {
    const loose = statementsOf(data.roles.preview as RoleData)
      .filter(s => list(s.Action).some(a => /:(?:Create|Delete|Modify|Update)\w*$/.test(a)))
      .filter(
        s => !/aws:(?:RequestTag|ResourceTag)\/ecs-ship:base-service/.test(JSON.stringify(s.Condition ?? {}))
      )
      .map(s => s.Sid)
    expect(loose).toEqual([])
  })
})
