// On AccessDenied the action names the IAM action, the resource, and the statement of the example
// policies that grants it; src/aws/example-grants.ts is what scripts/example-grants.ts renders
// from permissions.json (a stale copy fails here).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import {
  deniedPermission,
  exampleStatements,
  grantAdvice,
  resourceKind
} from '../../src/aws/access-denied.js'
import { EXAMPLE_GRANTS } from '../../src/aws/example-grants.js'
import { credentialErrorMessage } from '../../src/errors.js'
import { loadPermissions } from '../../sim/iam/permissions.js'
import { EXAMPLE_GRANTS_PATH, renderExampleGrants } from '../../scripts/lib/example-grants.js'
import { REPO_ROOT } from '../../scripts/lib/run-action.js'

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/ci/x'

describe('deniedPermission', () => {
  it('reads the action and the resource of AWS’s message', () => {
    expect(
      deniedPermission(
        `User: ${PRINCIPAL} is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:eu-west-1:1:task-definition/web:3 because no identity-based policy allows the ecs:RunTask action`
      )
    ).toEqual({ action: 'ecs:RunTask', resource: 'arn:aws:ecs:eu-west-1:1:task-definition/web:3' })
    expect(
      deniedPermission(
        `User: ${PRINCIPAL} is not authorized to perform: elasticloadbalancing:DescribeRules because no identity-based policy allows the elasticloadbalancing:DescribeRules action`
      )
    ).toEqual({ action: 'elasticloadbalancing:DescribeRules' })
    expect(deniedPermission('not authorized')).toEqual({})
  })
})

describe('exampleStatements', () => {
  it('names the statement that grants the action on that kind of resource', () => {
    expect(resourceKind('arn:aws:ecs:eu-west-1:1:task/web-cluster/abc')).toBe('ecs:task')
    expect(exampleStatements('ecs:TagResource', 'arn:aws:ecs:eu-west-1:1:task/demo/abc')).toEqual([
      'MigrateTagTaskOnRun (deploy-policy.json)'
    ])
    expect(exampleStatements('ecs:TagResource', 'arn:aws:ecs:eu-west-1:1:service/demo/web-pr-1')).toEqual([
      'PreviewTagServiceOnCreate (preview-policy.json)'
    ])
    expect(exampleStatements('ecs:DescribeServices', 'arn:aws:ecs:eu-west-1:1:service/demo/web')).toEqual([
      'PreviewServicesRead (preview-policy.json)',
      'ServiceRead (abort-policy.json, deploy-policy.json, promote-policy.json, rollback-policy.json)'
    ])
    expect(exampleStatements('s3:GetObject')).toEqual([])
  })

  it('says it in one sentence', () => {
    expect(
      grantAdvice('ecs:StopServiceDeployment', 'arn:aws:ecs:eu-west-1:1:service-deployment/c/web/1')
    ).toBe(
      'To allow ecs:StopServiceDeployment on arn:aws:ecs:eu-west-1:1:service-deployment/c/web/1, see statement BlueGreenNativeFollowAndStop (deploy-policy.json, promote-policy.json) in examples/django-fargate/iam/.'
    )
    expect(grantAdvice('s3:GetObject', undefined)).toBe(
      'No example policy in examples/django-fargate/iam/ grants s3:GetObject.'
    )
  })

  it('is part of the message of an AccessDenied', () => {
    const error = Object.assign(
      new Error(
        `User: ${PRINCIPAL} is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:eu-west-1:1:deploymentgroup:App/Dgp because no identity-based policy allows the codedeploy:ListDeployments action`
      ),
      { name: 'AccessDeniedException' }
    )
    expect(credentialErrorMessage(error)).toMatch(
      /\. To allow codedeploy:ListDeployments on arn:aws:codedeploy:eu-west-1:1:deploymentgroup:App\/Dgp, see statement BlueGreenCodeDeployGroup \(abort-policy\.json, deploy-policy\.json, promote-policy\.json, rollback-policy\.json\) in examples\/django-fargate\/iam\/\. The role needs codedeploy:ListDeployments\.$/
    )
  })
})

describe('src/aws/example-grants.ts', () => {
  it('is what permissions.json renders (run `npx tsx scripts/example-grants.ts --write` when this fails)', async () => {
    const path = join(REPO_ROOT, EXAMPLE_GRANTS_PATH)
    const rendered = await format(renderExampleGrants(loadPermissions()), {
      ...(await resolveConfig(path)),
      filepath: path
    })
    expect(readFileSync(path, 'utf8')).toBe(rendered)
  })

  it('lists every action of every grant, and notices one left out', () => {
    const data = loadPermissions()
    const actions = new Set(Object.values(data.roles).flatMap(r => r.grants.flatMap(g => g.actions)))
    expect(new Set(EXAMPLE_GRANTS.map(([action]) => action))).toEqual(actions)
    const deploy = data.roles.deploy
    if (!deploy) throw new Error('no deploy role')
    const fewer = { ...data, roles: { ...data.roles, deploy: { ...deploy, grants: deploy.grants.slice(1) } } }
    expect(renderExampleGrants(fewer)).not.toBe(renderExampleGrants(data))
  })
})
