// The simulator authorizes every AWS request against the identity the control API set: allowed
// calls are answered and logged with the statements that allowed them; a denied call answers
// AWS's AccessDenied for its protocol (through the real SDK clients), changes nothing and is
// logged as denied. No identity (the default, and after reset) allows everything.
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator, SimIdentity } from '../../sim/contract.js'

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/reader/ecs-ship'
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/demo/web'

const reader: SimIdentity = {
  principalArn: PRINCIPAL,
  policies: [
    {
      name: 'reader',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadWeb', Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: SERVICE_ARN },
          {
            Sid: 'UpdateOnlyTagged',
            Effect: 'Allow',
            Action: 'ecs:UpdateService',
            Resource: SERVICE_ARN,
            Condition: { StringEquals: { 'aws:ResourceTag/app': 'api' } }
          }
        ]
      }
    }
  ]
}

let sim: RunningSimulator
const config = () => ({
  region: 'us-east-1',
  endpoint: sim.url,
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
})

beforeAll(async () => {
  sim = await startSimulator({ fixture: 'django-web', timeScale: 0.02 })
})
afterAll(async () => {
  await sim.close()
})
beforeEach(async () => {
  await sim.control.reset()
  await sim.control.loadFixture('django-web')
})

describe('IAM in the simulator', () => {
  it('allows what the policy grants and logs the statement that granted it', async () => {
    await sim.control.setIdentity(reader)
    const ecs = new ECSClient(config())
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    expect(services?.[0]?.serviceName).toBe('web')
    const [call] = await sim.control.calls()
    expect(call?.authorization).toEqual({
      principalArn: PRINCIPAL,
      allowed: true,
      checks: [
        {
          action: 'ecs:DescribeServices',
          resource: SERVICE_ARN,
          context: {
            'ecs:cluster': 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
            'ecs:ResourceTag/app': 'web',
            'aws:ResourceTag/app': 'web'
          },
          verdict: 'Allowed',
          allowedBy: ['reader:ReadWeb']
        }
      ]
    })
    ecs.destroy()
  })

  it('denies the rest with AccessDenied in the protocol of the service, and changes nothing', async () => {
    await sim.control.setIdentity(reader)
    const ecs = new ECSClient(config())
    const before = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    // The condition reads the service's own tags (app=web): the statement does not apply.
    const update = ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 5 }))
    await expect(update).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${PRINCIPAL} is not authorized to perform: ecs:UpdateService on resource: ${SERVICE_ARN} because no identity-based policy allows the ecs:UpdateService action`
    })
    const elb = new ElasticLoadBalancingV2Client(config())
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:aws:elasticloadbalancing:x' }))
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })

    const after = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    expect(after.services?.[0]?.desiredCount).toBe(before.services?.[0]?.desiredCount)
    expect(after.services?.[0]?.deployments?.length).toBe(before.services?.[0]?.deployments?.length)
    const calls = await sim.control.calls()
    const denied = calls.filter(c => c.authorization?.allowed === false)
    expect(denied.map(c => [c.operation, c.error])).toEqual([
      ['UpdateService', 'AccessDeniedException'],
      ['DescribeTargetHealth', 'AccessDenied']
    ])
    ecs.destroy()
    elb.destroy()
  })

  it('answers GetCallerIdentity with the identity, which needs no permission', async () => {
    await sim.control.setIdentity(reader)
    const sts = new STSClient(config())
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(PRINCIPAL)
    sts.destroy()
  })

  it('allows everything without an identity, and after a reset', async () => {
    await sim.control.setIdentity(reader)
    await sim.control.setIdentity(undefined)
    const ecs = new ECSClient(config())
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 3 }))
    await sim.control.setIdentity(reader)
    await sim.control.reset()
    await sim.control.loadFixture('django-web')
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 3 }))
    expect((await sim.control.calls()).every(c => c.authorization === undefined)).toBe(true)
    ecs.destroy()
  })

  it('refuses an identity without policies, naming what is missing', async () => {
    await expect(sim.control.setIdentity({ principalArn: PRINCIPAL, policies: [] })).rejects.toThrow(
      /HTTP 400 .*needs policies/
    )
  })
})
