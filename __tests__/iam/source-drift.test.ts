// permissions.json against the action's source: every AWS call in src/ (`new XxxCommand(` of a
// command imported from an @aws-sdk client) is granted to some example role, and every grant is
// a call the action makes, an action AWS authorizes along with one (tag on create, PassRole, the
// CodeDeploy revision and configuration), or a registry request of docker push. A call added to
// src/ or a grant left behind fails here before any end-to-end run.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { registryCheck } from '../../sim/iam/operations/index.js'
import { loadPermissions, type Grant } from '../../sim/iam/permissions.js'

/** Each SDK client package → the IAM service prefix of its actions. */
const PREFIXES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-codedeploy': 'codedeploy',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-sts': 'sts'
}

/** Calls the example roles deliberately do not grant, and why. */
const NOT_GRANTED: Readonly<Record<string, string>> = {
  'sts:GetCallerIdentity': 'needs no permission (STS API reference); even an explicit deny does not stop it',
  'ecs:DescribeContainerInstances':
    'only for tasks on EC2 container instances; the example runs on Fargate (the README says what to add for EC2)'
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

/** `ecs:UpdateService` for every `new UpdateServiceCommand(` of a command imported from @aws-sdk/client-ecs. */
export function calledActions(sources: readonly string[]): Set<string> {
  const called = new Set<string>()
  for (const source of sources) {
    for (const [, names = '', pkg = ''] of source.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[\w-]+)'/g
    )) {
      const prefix = PREFIXES[pkg]
      if (!prefix) continue
      for (const name of names.split(',').map(n => n.trim().replace(/^type\s+/, ''))) {
        if (/^\w+Command$/.test(name) && new RegExp(`new ${name}\\(`).test(source))
          called.add(`${prefix}:${name.replace(/Command$/, '')}`)
      }
    }
  }
  return called
}

const called = calledActions(sourceFiles('src').map(f => readFileSync(f, 'utf8')))
const grants: [string, Grant][] = Object.entries(loadPermissions().roles).flatMap(([role, data]) =>
  data.grants.map(g => [role, g] as [string, Grant])
)

/** The actions docker push and pull are authorized as, from the registry requests they make. */
const registryActions = new Set(
  [
    ['HEAD', '/v2/web/blobs/sha256:1'],
    ['POST', '/v2/web/blobs/uploads/'],
    ['PATCH', '/v2/web/blobs/uploads/u'],
    ['PUT', '/v2/web/blobs/uploads/u'],
    ['PUT', '/v2/web/manifests/v1'],
    ['HEAD', '/v2/web/manifests/v1'],
    ['GET', '/v2/web/blobs/sha256:1']
  ].map(
    ([method = '', path = '']) =>
      registryCheck(
        { method, path },
        { region: 'eu-west-1', account: '123456789012', world: { tagsOf: () => undefined } }
      )?.action
  )
)

describe('permissions.json against src/', () => {
  it('reads the calls of src/', () => {
    // A sanity floor: the action makes dozens of distinct calls (41 distinct ones when this was written).
    expect(called.size).toBeGreaterThan(30)
    expect(called.has('ecs:RegisterTaskDefinition')).toBe(true)
  })

  it('grants every call the action makes, except the ones it needs no grant for', () => {
    const granted = new Set(grants.flatMap(([, g]) => (g.via === 'call' ? g.actions : [])))
    const missing = [...called].filter(a => !granted.has(a) && !(a in NOT_GRANTED)).sort()
    expect(missing).toEqual([])
  })

  it('grants nothing the action does not call, imply or push', () => {
    const unused: string[] = []
    for (const [role, grant] of grants) {
      for (const action of grant.actions) {
        const reason =
          grant.via === 'call'
            ? called.has(action)
            : grant.via === 'registry'
              ? registryActions.has(action)
              : called.has(grant.via)
        if (!reason) unused.push(`${role} ${grant.sid}: ${action} (via ${grant.via})`)
      }
    }
    expect(unused).toEqual([])
  })

  it('keeps the exceptions real: each is a call src/ makes', () => {
    expect(Object.keys(NOT_GRANTED).filter(a => !called.has(a))).toEqual([])
  })
})
