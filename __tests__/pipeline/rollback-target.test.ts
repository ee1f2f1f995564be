import { jest } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand
} from '@aws-sdk/client-ecs'
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr'
import type { AwsClients } from '../../src/aws/clients.js'
import { getInputs } from '../../src/inputs.js'
import type { Run } from '../../src/pipeline/context.js'
import type { PlanResult } from '../../src/pipeline/plan.js'
import {
  candidatesFromHistory,
  findPreviousRevision,
  olderInFamily,
  parseRollbackTo,
  previousAfterWait,
  rollbackTargetPhase,
  targetLine
} from '../../src/pipeline/rollback-target.js'
import type { Strategy } from '../../src/rollout/contract.js'
import type { ServicePlan } from '../../src/service/plan.js'
import { fakeClock } from '../../src/util/clock.js'
import { actionDefaults } from '../../scripts/lib/run-action.js'

const td = (n: number, family = 'web') => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`
const rev = (n: number) => `arn:aws:ecs:us-east-1:123456789012:service-revision/demo/web/${n}`
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web'
const DIGEST = 'sha256:' + 'a'.repeat(64)

const ecsMock = mockClient(ECSClient)
const ecrMock = mockClient(ECRClient)
const ecs = new ECSClient({ region: 'us-east-1' })
afterEach(() => {
  ecsMock.reset()
  ecrMock.reset()
})

/** DescribeTaskDefinition answers for these revisions (image per revision, status per revision). */
function described(revisions: Record<string, { status?: string; image?: string }>): void {
  for (const [arn, { status = 'ACTIVE', image = `${REPO}:v1` }] of Object.entries(revisions)) {
    const family = arn.split('/').pop()?.split(':')[0]
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: arn }).resolves({
      taskDefinition: {
        taskDefinitionArn: arn,
        family,
        status: status as 'ACTIVE',
        containerDefinitions: [{ name: 'web', image, essential: true }]
      },
      tags: []
    })
  }
}

describe('parseRollbackTo', () => {
  it.each([
    ['previous', { kind: 'previous' }],
    ['12', { kind: 'revision', revision: 12 }],
    [td(3), { kind: 'arn', arn: td(3) }],
    ['v1.4.2', { kind: 'image-tag', tag: 'v1.4.2' }]
  ])('%s', (value, expected) => {
    expect(parseRollbackTo(value)).toEqual(expected)
  })
})

describe('candidatesFromHistory', () => {
  it('lists the revisions of successful deployments newest first, each once, without the current one', () => {
    const deployments = [
      { targetServiceRevisionArn: rev(3), finishedAt: new Date('2026-11-20T10:00:00Z') },
      { targetServiceRevisionArn: rev(5), finishedAt: new Date('2026-11-22T10:00:00Z') },
      { targetServiceRevisionArn: rev(4), finishedAt: new Date('2026-11-21T10:00:00Z') },
      { targetServiceRevisionArn: rev(2), finishedAt: new Date('2026-11-19T10:00:00Z') }
    ]
    const taskDefinitionOf = new Map([
      [rev(2), td(6)],
      [rev(3), td(5)],
      [rev(4), td(6)],
      [rev(5), td(8)]
    ])
    expect(candidatesFromHistory(deployments, taskDefinitionOf, td(8))).toEqual([td(6), td(5)])
    // A revision that was never deployed (web:9) is not in the history: web:8 comes first.
    expect(candidatesFromHistory(deployments, taskDefinitionOf, td(9))).toEqual([td(8), td(6), td(5)])
  })
})

describe('olderInFamily', () => {
  it('is the revisions below the current one, highest first', () => {
    expect(olderInFamily([td(2), td(9), td(8), td(6)], td(8))).toEqual([td(6), td(2)])
    expect(olderInFamily([td(1)], td(1))).toEqual([])
  })
})

describe('findPreviousRevision', () => {
  function history(...pairs: [number, string][]): void {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: pairs.map(([n], i) => ({
        targetServiceRevisionArn: rev(n),
        finishedAt: new Date(10_000 - i * 1000)
      }))
    })
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: pairs.map(([n, arn]) => ({ serviceRevisionArn: rev(n), taskDefinition: arn }))
    })
  }

  it('uses the service deployment history when there is one, and says so', async () => {
    history([2, td(8)], [1, td(4)])
    described({ [td(4)]: {} })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(4))
    expect(previous.why).toBe(
      'previous revision, from the service deployment history (the last successful deployment of another ACTIVE revision)'
    )
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0)
  })

  it('skips a deregistered revision in the history, keeps looking, and names what it skipped', async () => {
    history([3, td(8)], [2, td(6)], [1, td(4)])
    described({ [td(6)]: { status: 'INACTIVE' }, [td(4)]: {} })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(4))
    expect(previous.why).toContain('skipped web:6 (INACTIVE: deregistered, ECS cannot deploy it)')
  })

  it('when every revision of the history is deregistered, takes the family’s highest ACTIVE one below', async () => {
    history([2, td(8)], [1, td(6)])
    described({ [td(6)]: { status: 'INACTIVE' }, [td(5)]: {} })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(8), td(5), td(3)] })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(5))
    expect(previous.why).toBe(
      "previous revision, from the family's revisions (the highest ACTIVE one below the current), because every other revision in the service deployment history is deregistered or gone; skipped web:6 (INACTIVE: deregistered, ECS cannot deploy it)"
    )
  })

  it('falls back to the family’s revisions (exact family only) and says why', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejects(Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' }))
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [td(9, 'web-worker'), td(8), td(7), td(3)] })
    described({ [td(7)]: {} })
    const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
    expect(previous.arn).toBe(td(7))
    expect(previous.why).toBe(
      "previous revision, from the family's revisions (the highest ACTIVE one below the current), because the service deployment history is not available (UnknownOperationException: Unknown operation)"
    )
  })

  it('errors plainly when there is nothing to go back to', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(1)] })
    await expect(findPreviousRevision(ecs, 'demo', 'web', td(1))).rejects.toThrow(
      'rollback-to previous: the service deployment history has no successful deployment of another revision, and the family has no ACTIVE revision older than'
    )
  })

  it('without ecs:DescribeServiceRevisions, falls back to the family’s revisions with a warning naming the permission', async () => {
    const denied = `User: arn:aws:sts::123456789012:assumed-role/ecs-ship-rollback/x is not authorized to perform: ecs:DescribeServiceRevisions on resource: ${rev(2)} because no identity-based policy allows the ecs:DescribeServiceRevisions action`
    history([2, td(8)], [1, td(6)])
    ecsMock
      .on(DescribeServiceRevisionsCommand)
      .rejects(Object.assign(new Error(denied), { name: 'AccessDeniedException' }))
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(8), td(7)] })
    described({ [td(7)]: {} })
    const written: string[] = []
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      written.push(String(chunk))
      return true
    })
    try {
      const previous = await findPreviousRevision(ecs, 'demo', 'web', td(8))
      expect(previous.arn).toBe(td(7))
      expect(previous.why).toContain(
        'because the role may not read the service deployment history (ecs:DescribeServiceRevisions)'
      )
    } finally {
      write.mockRestore()
    }
    const warning = written.join('')
    expect(warning).toMatch(
      /^::warning::rollback-to previous: the role may not read the service deployment history \(ecs:DescribeServiceRevisions\), so the previous revision is taken from the family's ACTIVE revisions instead\./
    )
    expect(warning).toContain(
      `To allow ecs:DescribeServiceRevisions on ${rev(2)}, see statement RollbackServiceRevisionsRead (rollback-policy.json) in examples/django-fargate/iam/.`
    )
  })

  it('does not hide expired credentials behind the fallback', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }))
    await expect(findPreviousRevision(ecs, 'demo', 'web', td(8))).rejects.toThrow('expired')
  })
})

describe('previousAfterWait', () => {
  const plan = (running: string, deployments: string[] = []): ServicePlan =>
    ({
      taskDefinitionArn: running,
      service: { deployments: deployments.map(taskDefinition => ({ taskDefinition })) }
    }) as ServicePlan
  const before = plan(td(9), [td(9), td(8)])

  it('goes on when the service still runs the revision that was rolling out', () => {
    expect(previousAfterWait(before, plan(td(9)))).toEqual({ kind: 'proceed' })
  })

  it('has nothing left to undo when the controller put back what ran when the wait began', () => {
    expect(previousAfterWait(before, plan(td(8)))).toEqual({
      kind: 'undone',
      reason:
        'while this run waited, the deployment of web:9 did not stay: the service is back on web:8, which it ran before, so rollback-to previous has nothing left to undo; nothing was changed'
    })
  })

  it('refuses to guess when someone moved the service to yet another revision', () => {
    const after = previousAfterWait(before, plan(td(10)))
    expect(after.kind).toBe('moved')
    expect(after.kind === 'moved' && after.reason).toContain(
      'the service moved from web:9 to web:10 (another deploy); rollback-to previous would now undo that one instead of web:9'
    )
  })
})

describe('rollbackTargetPhase', () => {
  let stdout: jest.SpiedFunction<typeof process.stdout.write>
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => stdout.mockRestore())
  const printed = () => stdout.mock.calls.map(c => String(c[0])).join('')

  const clients: AwsClients = {
    region: 'us-east-1',
    ecs: async () => ecs,
    elb: async () => Promise.reject(new Error('not used')),
    logs: async () => Promise.reject(new Error('not used')),
    ecr: async () => new ECRClient({ region: 'us-east-1' }),
    codedeploy: async () => Promise.reject(new Error('not used')),
    sts: async () => Promise.reject(new Error('not used'))
  }
  const run = (): Run => ({
    state: { timings: [], report: { mode: 'rollback', status: 'failed', timings: [] } },
    deps: { clock: fakeClock(0), env: {}, clients: () => clients, hooks: {} }
  })
  const planned: PlanResult = {
    ecs,
    plan: { cluster: 'demo', serviceName: 'web', taskDefinitionArn: td(8) } as ServicePlan,
    current: {
      taskDefinition: {
        taskDefinitionArn: td(8),
        family: 'web',
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'web', image: `${REPO}:v8`, essential: true }]
      },
      tags: []
    },
    strategy: {} as Strategy
  }
  const inputs = (set: Record<string, string>) => {
    const all: Record<string, string> = { ...actionDefaults(), service: 'web', mode: 'rollback', ...set }
    return getInputs({
      read: name => all[name] ?? '',
      env: { AWS_REGION: 'us-east-1' },
      mask: () => undefined
    })
  }
  const target = (set: Record<string, string>) => rollbackTargetPhase(inputs(set), run(), planned)

  it('refuses a deregistered revision given by number, naming the input', async () => {
    described({ [td(6)]: { status: 'INACTIVE' } })
    await expect(target({ 'rollback-to': '6' })).rejects.toThrow(
      'input rollback-to: web:6 is INACTIVE (deregistered); ECS cannot point a service at it. Nothing was changed'
    )
  })

  it('refuses an ARN of another family before reading it, unless allow-family-change', async () => {
    await expect(target({ 'rollback-to': td(2, 'api') })).rejects.toThrow(
      `input rollback-to: ${td(2, 'api')}: family "api" is not the family of the service's running revision ("web", web:8)`
    )
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0)

    described({ [td(2, 'api')]: {} })
    const allowed = await target({ 'rollback-to': td(2, 'api'), 'allow-family-change': 'true' })
    expect(allowed).toMatchObject({ kind: 'registered', arn: td(2, 'api') })
    expect(printed()).toContain('::warning::input rollback-to: ')
  })

  it('refuses a previous revision of another family from the history', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ targetServiceRevisionArn: rev(1), finishedAt: new Date(1) }]
    })
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [{ serviceRevisionArn: rev(1), taskDefinition: td(4, 'legacy') }]
    })
    described({ [td(4, 'legacy')]: {} })
    await expect(target({})).rejects.toThrow(
      'rollback-to previous (legacy:4): family "legacy" is not the family of the service\'s running revision'
    )
  })

  it('an image tag: checked in ECR, then the newest ACTIVE revision that ran it by digest is put back', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1'] }] })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(5), td(6), td(7), td(8)] })
    described({
      [td(8)]: { image: `${REPO}:v8` },
      [td(7)]: { status: 'ACTIVE', image: `${REPO}@${DIGEST}` },
      [td(6)]: { image: `${REPO}:v1` },
      [td(5)]: { image: `${REPO}:v1` }
    })
    const found = await target({ 'rollback-to': 'v1' })
    expect(found).toMatchObject({ kind: 'registered', arn: td(7), image: `${REPO}@${DIGEST}` })
    expect(targetLine(found)).toBe(
      `web:7: the newest ACTIVE revision of family web that ran ${REPO}:v1 (or its digest)`
    )
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'web',
      imageIds: [{ imageTag: 'v1' }],
      registryId: '123456789012'
    })
  })

  it('an image tag no revision ran: the running revision rendered with the image by digest', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v0.9'] }] })
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(8)] })
    described({ [td(8)]: { image: `${REPO}:v8` } })
    const found = await target({ 'rollback-to': 'v0.9' })
    expect(found.kind).toBe('render')
    if (found.kind !== 'render') return
    expect(found.render.input.containerDefinitions?.[0]?.image).toBe(`${REPO}@${DIGEST}`)
    expect(found.why).toBe(
      'none of the 1 newest ACTIVE revisions of family web ran tag v0.9 or its digest, so the running revision web:8 is registered again with the image by digest'
    )
    expect(targetLine(found)).toBe(`a new revision with ${REPO}@${DIGEST}: ${found.why}`)
  })

  it('a tag that is not in ECR is refused naming the input, before any revision is read', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('not there'), { name: 'ImageNotFoundException' }))
    await expect(target({ 'rollback-to': 'v0.1' })).rejects.toThrow(
      'input rollback-to: the tag "v0.1" is not in ECR repository web (registry 123456789012, region us-east-1)'
    )
    expect(ecsMock.calls()).toHaveLength(0)
  })
})
