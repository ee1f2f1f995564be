// The example roles grant nothing the action does not use, and need every statement they have.
// The scenarios of iam-roles (every mode under its role, one simulator each, side by side) are run
// once here; the simulator's call log records each request's IAM checks with their condition keys
// and the statements that allowed them. From it:
// - every (action, resource) pair of every role's grants was used by some request, save a short
//   list of grants the simulated runs cannot reach, each with its reason (and each really unused);
// - removing any one statement denies a request the runs made, and the action's message for that
//   denial names the action and the statement (replayed through sim/iam against the policy
//   without the statement);
// - and for one statement of each kind, a real run with the statement removed fails (or, for the
//   rollback history, warns and falls back) naming the action and the statement.
import type { CallRecord, SimIdentity } from '../../sim/contract.js'
import { accessDeniedMessage, protocolOf } from '../../sim/iam/access-denied.js'
import { evaluateCheck } from '../../sim/iam/evaluate.js'
import {
  exampleIdentity,
  grantPairs,
  loadRolePolicy,
  pairsCovering,
  type RoleData
} from '../../sim/iam/permissions.js'
import { credentialErrorMessage } from '../../src/errors.js'
import {
  BUILD_PACKAGES,
  registryAvailable,
  startRegistry,
  type RunningRegistry
} from '../../scripts/lib/registry.js'
import {
  deniedCalls,
  expectExit,
  PERMISSIONS,
  PREVIEW_LISTENER,
  PREVIEW_REPO,
  WEB_REPO,
  withExampleSim,
  type ExampleRole
} from '../helpers/example-roles.js'
import { SCENARIOS, TD } from '../helpers/iam-scenarios.js'

const canBuild = registryAvailable()
const ROLES = Object.entries(PERMISSIONS.roles) as [ExampleRole, RoleData][]

/** Grants the simulated runs cannot reach, by `role sid action`, and why. */
const NOT_REACHED: Readonly<Record<string, string>> = {
  'deploy ServiceDeploymentsList ecs:ListServiceDeployments':
    "the ECS-native strategy's fallback when DescribeServices has no currentServiceDeployment; the simulator, like ECS today, always reports it",
  'deploy ImagePushAndCache ecr:BatchGetImage':
    'docker push and cache: registry (docker buildx) read manifests; the tests build with buildah (no Docker daemon), whose push reads none',
  'deploy ImagePushAndCache ecr:GetDownloadUrlForLayer':
    "cache: registry (docker buildx) reads the cache image's layers; the tests build with buildah, whose cache is local",
  'promote ServiceDeploymentsList ecs:ListServiceDeployments':
    'finding the waiting service deployment when DescribeServices has no currentServiceDeployment; the simulator, like ECS today, always reports it',
  'abort ServiceDeploymentsList ecs:ListServiceDeployments':
    'finding the waiting service deployment when DescribeServices has no currentServiceDeployment; the simulator, like ECS today, always reports it',
  'promote BlueGreenNativeFollowAndStop ecs:StopServiceDeployment':
    "rolling back a promoted green that fails afterwards (rollback-on-failure): rollout/conclude.ts's path, which the deploy role's failed blue/green run reaches; the approval runs promote healthy revisions",
  'promote BlueGreenCodeDeployStop codedeploy:StopDeployment':
    "stopping a promoted replacement that fails while CodeDeploy still runs it (rollback-on-failure): the deploy role's failed CodeDeploy run reaches the same path; the approval runs promote healthy revisions",
  'promote BlueGreenCodeDeployGroup codedeploy:CreateDeployment':
    'redeploying the previous revision when a promoted one fails after production moved and the group does not roll back; the example group rolls back by itself',
  'promote BlueGreenCodeDeployRevision codedeploy:RegisterApplicationRevision':
    'authorized with that CreateDeployment (the redeploy of the previous revision), which the approval runs do not reach',
  'promote BlueGreenCodeDeployConfig codedeploy:GetDeploymentConfig':
    'authorized with that CreateDeployment (the redeploy of the previous revision), which the approval runs do not reach',
  'preview PreviewImagePush ecr:BatchGetImage':
    "docker push reads the manifest it replaces (ECR's push permissions list it); buildah's push reads none"
}

interface StatementDoc {
  Sid: string
  [key: string]: unknown
}

function statementsOf(role: RoleData): StatementDoc[] {
  return (loadRolePolicy(role).document as { Statement: StatementDoc[] }).Statement
}

/** The role's identity without one statement. */
function without(name: ExampleRole, sid: string): SimIdentity {
  const role = PERMISSIONS.roles[name] as RoleData
  const identity = exampleIdentity(name, PERMISSIONS)
  const document = { Version: '2012-10-17', Statement: statementsOf(role).filter(s => s.Sid !== sid) }
  return { principalArn: identity.principalArn, policies: [{ name: role.roleName, document }] }
}

const logs: CallRecord[] = []
let registry: RunningRegistry | undefined

beforeAll(async () => {
  if (!canBuild) console.warn(`the build scenarios need ${BUILD_PACKAGES}; the used-grant check is skipped`)
  registry = canBuild ? await startRegistry() : undefined
  const scenarios = SCENARIOS.filter(s => canBuild || !s.build)
  const results = await Promise.all(
    scenarios.map(s =>
      withExampleSim(
        s.fixture,
        s.role,
        async sim => {
          await s.play(sim, registry)
          return sim.calls()
        },
        {
          ...(s.build && registry && { registryUrl: registry.url }),
          ...(s.timeScale !== undefined && { timeScale: s.timeScale })
        }
      )
    )
  )
  for (const calls of results) logs.push(...calls)
}, 240_000)

afterAll(async () => {
  await registry?.stop()
})

/** Every allowed check of the runs, with the call it belongs to. */
function allowedChecks() {
  return logs.flatMap(call =>
    (call.authorization?.checks ?? []).filter(c => c.verdict === 'Allowed').map(check => ({ call, check }))
  )
}

describe('the runs under the example roles', () => {
  it('were all allowed', () => {
    expect(logs.length).toBeGreaterThan(100)
    expect(deniedCalls(logs).map(c => c.operation)).toEqual([])
  })
})

const describeWithBuild = canBuild ? describe : describe.skip

describeWithBuild('every grant is used', () => {
  const used = new Set<string>()
  beforeAll(() => {
    for (const { check } of allowedChecks())
      for (const by of check.allowedBy) {
        const [roleName, sid] = by.split(':')
        const entry = ROLES.find(([, r]) => r.roleName === roleName)
        if (!entry) continue
        const pairs = grantPairs(...entry).filter(p => p.sid === sid)
        for (const p of pairsCovering(pairs, check)) used.add(`${p.role} ${p.sid} ${p.action} ${p.resource}`)
      }
  })

  it('lists no (action, resource) pair that no request of the runs was authorized by', () => {
    const unused = ROLES.flatMap(([name, role]) => grantPairs(name, role))
      .filter(p => !used.has(`${p.role} ${p.sid} ${p.action} ${p.resource}`))
      .filter(p => !(`${p.role} ${p.sid} ${p.action}` in NOT_REACHED))
      .map(p => `${p.role} ${p.sid}: ${p.action} on ${p.resource} (${p.grant.when})`)
    expect(unused).toEqual([])
  })

  it('keeps the exceptions real: each is a grant, and no run used it', () => {
    for (const key of Object.keys(NOT_REACHED)) {
      const [role = '', sid, action] = key.split(' ')
      const pairs = grantPairs(role, PERMISSIONS.roles[role] as RoleData).filter(
        p => p.sid === sid && p.action === action
      )
      expect(pairs.length).toBeGreaterThan(0)
      for (const p of pairs) expect(used.has(`${p.role} ${p.sid} ${p.action} ${p.resource}`)).toBe(false)
    }
  })
})

describe('every statement is needed', () => {
  const statements = ROLES.flatMap(([name, role]) => statementsOf(role).map(s => [name, s.Sid] as const))

  it.each(statements)(
    '%s without %s: a request of the runs is denied, and the message names it',
    async (name, sid) => {
      const role = PERMISSIONS.roles[name] as RoleData
      const by = `${role.roleName}:${sid}`
      const candidates = allowedChecks().filter(({ check }) => check.allowedBy.includes(by))
      if (candidates.length === 0) {
        // Only grants the runs cannot reach are in it.
        const unreached = role.grants
          .filter(g => g.sid === sid)
          .flatMap(g => g.actions.map(a => `${name} ${sid} ${a}`))
        expect(unreached.every(key => key in NOT_REACHED || !canBuild)).toBe(true)
        return
      }
      const identity = without(name, sid)
      let denied: (typeof candidates)[number] | undefined
      for (const candidate of candidates) {
        const { check } = candidate
        const result = await evaluateCheck({
          check: { action: check.action, resource: check.resource, context: check.context },
          identity,
          region: PERMISSIONS.region,
          account: PERMISSIONS.account
        })
        if (result.verdict !== 'Allowed') {
          denied = candidate
          break
        }
      }
      if (!denied)
        throw new Error(`removing ${sid} from ${role.policy} denies none of the requests it allowed`)
      const { call, check } = denied
      const message = accessDeniedMessage({
        principalArn: identity.principalArn,
        action: check.action,
        resource: check.resource,
        explicit: false,
        protocol: call.service === 'registry' ? 'registry' : protocolOf(call.service)
      })
      const said = credentialErrorMessage(
        Object.assign(new Error(message), { name: 'AccessDeniedException' })
      )
      expect(said).toContain(`not authorized to perform: ${check.action}`)
      expect(said).toMatch(new RegExp(`see statements? .*\\b${sid} \\(`))
    }
  )
})

describe('a run without a statement', () => {
  const errorOf = (stdout: string) => stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

  it.concurrent(
    'deploy without MigrateRunTask fails at the migration, naming ecs:RunTask and the statement',
    async () => {
      await withExampleSim('django-fargate', without('deploy', 'MigrateRunTask'), async sim => {
        const run = await sim.run({ image: `${WEB_REPO}:v2`, 'migrate-command': 'python manage.py migrate' })
        expectExit(run, 1)
        expect(errorOf(run.stdout)).toMatch(
          /not authorized to perform: ecs:RunTask on resource: \S+task-definition\/web:2 .*see statement MigrateRunTask \(deploy-policy\.json\)/
        )
      })
    },
    120_000
  )

  it.concurrent(
    'CodeDeploy without BlueGreenCodeDeployGroup fails before any change, naming codedeploy:GetDeploymentGroup',
    async () => {
      await withExampleSim(
        'django-fargate-codedeploy',
        without('deploy', 'BlueGreenCodeDeployGroup'),
        async sim => {
          const run = await sim.run({ image: `${WEB_REPO}:v2` })
          expectExit(run, 1)
          expect(errorOf(run.stdout)).toMatch(
            /codedeploy:GetDeploymentGroup .*see statement BlueGreenCodeDeployGroup \(abort-policy\.json, deploy-policy\.json, promote-policy\.json, rollback-policy\.json\)/
          )
          expect((await sim.calls()).filter(c => c.mutating && !c.error)).toEqual([])
        }
      )
    },
    120_000
  )

  it.concurrent(
    'rollback without RollbackServiceRevisionsRead falls back to the family, warning with the permission and the statement',
    async () => {
      await withExampleSim('django-fargate', 'deploy', async sim => {
        expectExit(await sim.run({ image: `${WEB_REPO}:v2` }), 0, 'succeeded')
        await sim.sim.control.setIdentity(without('rollback', 'RollbackServiceRevisionsRead'))
        const run = await sim.run({ mode: 'rollback' })
        expectExit(run, 0, 'succeeded')
        expect(run.outputs['task-definition-arn']).toBe(TD('web', 1))
        expect(run.stdout).toMatch(
          /::warning::rollback-to previous: the role may not read the service deployment history \(ecs:DescribeServiceRevisions\).*see statement RollbackServiceRevisionsRead \(rollback-policy\.json\)/
        )
      })
    },
    120_000
  )

  it.concurrent(
    'preview without PreviewCreateServiceOnlyTagged fails naming ecs:CreateService and the statement',
    async () => {
      await withExampleSim(
        'django-fargate',
        without('preview', 'PreviewCreateServiceOnlyTagged'),
        async sim => {
          const run = await sim.run({
            mode: 'preview',
            service: 'web-staging',
            'preview-id': '9',
            'listener-arn': PREVIEW_LISTENER,
            'preview-host': 'pr-{id}.preview.example.com',
            'task-definition': 'examples/django-fargate/task-definition.preview.json',
            image: `${PREVIEW_REPO}:pr-base`
          })
          expectExit(run, 1)
          expect(run.stdout).toMatch(
            /not authorized to perform: ecs:CreateService on resource: \S+service\/web-cluster\/web-staging-pr-9 .*see statement PreviewCreateServiceOnlyTagged \(preview-policy\.json\)/
          )
        }
      )
    },
    120_000
  )

  it.concurrent(
    'promote without ApprovalNativeContinue is refused by ECS naming ecs:ContinueServiceDeployment; the deployment still waits',
    async () => {
      await withExampleSim('django-fargate-bluegreen-pause', 'deploy', async sim => {
        expectExit(await sim.run({ image: `${WEB_REPO}:v2`, 'wait-until': 'ready' }), 0, 'ready')
        await sim.sim.control.setIdentity(without('promote', 'ApprovalNativeContinue'))
        const run = await sim.run({ mode: 'promote' })
        expectExit(run, 1)
        expect(errorOf(run.stdout)).toMatch(
          /not authorized to perform: ecs:ContinueServiceDeployment .*see statement ApprovalNativeContinue \(abort-policy\.json, promote-policy\.json\)/
        )
        expect(run.stdout).toMatch(/Nothing was changed by this run/)
      })
    },
    120_000
  )
})
