import { mockClient } from 'aws-sdk-client-mock'
import { ClusterNotFoundException, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import { describePlan, planFromService, readServicePlan } from '../../src/service/plan.js'
import { fixtureJson } from '../../__fixtures__/load.js'

const ecsMock = mockClient(ECSClient)
afterEach(() => ecsMock.reset())
const ecs = new ECSClient({ region: 'us-east-1' })
const payload = () => fixtureJson<{ services: Record<string, unknown>[] }>('services/web-rolling.json')

describe('readServicePlan', () => {
  it('reads the revision, target groups and strategy from the service', async () => {
    ecsMock.on(DescribeServicesCommand, { cluster: 'demo', services: ['web'] }).resolves(payload() as never)
    const plan = await readServicePlan(ecs, 'demo', 'web')
    expect(plan).toMatchObject({
      serviceName: 'web',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
      targetGroupArns: [
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef'
      ],
      healthCheckGracePeriodSeconds: 30,
      circuitBreaker: { enable: true, rollback: true },
      strategy: { strategy: 'rolling' }
    })
    expect(describePlan(plan)).toContain('circuit breaker: on, with rollback')
  })

  it('says plainly when the service does not exist', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: 'arn:…/web', reason: 'MISSING' }] })
    await expect(readServicePlan(ecs, 'demo', 'web')).rejects.toThrow(
      'service web was not found in cluster demo'
    )
  })

  it('says plainly when the cluster does not exist', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }))
    await expect(readServicePlan(ecs, 'nope', 'web')).rejects.toThrow('cluster nope was not found')
  })

  it('refuses a service that is not ACTIVE', () => {
    const service = { ...payload().services[0], status: 'DRAINING' }
    expect(() => planFromService('demo', service)).toThrow(
      'service web in cluster demo is DRAINING, not ACTIVE'
    )
  })

  it('says so when there is no load balancer', () => {
    const { loadBalancers: _lb, ...service } = payload().services[0] as Record<string, unknown>
    const plan = planFromService('demo', service)
    expect(plan.targetGroupArns).toEqual([])
    expect(describePlan(plan)).toContain(
      'health gate: no load balancer; tasks RUNNING and container health checks only'
    )
  })
})

describe('planFromService: load balancers', () => {
  it('keeps classic load balancers apart: they have no target groups for the health gate', () => {
    const service = payload().services[0] as Record<string, unknown>
    const plan = planFromService('demo', {
      ...service,
      loadBalancers: [{ loadBalancerName: 'legacy-elb', containerName: 'web', containerPort: 8000 }]
    } as never)
    expect(plan.classicLoadBalancers).toEqual(['legacy-elb'])
    expect(plan.targetGroupArns).toEqual([])
  })
})
