// AccessDenied as AWS answers it, per protocol: the wording, and the wire shape the real SDK
// clients turn into their AccessDenied errors (sent from a server on 127.0.0.1).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { accessDeniedAnswer, accessDeniedMessage, type WireAnswer } from '../../sim/iam/access-denied.js'

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/ecs-ship-preview/ecs-ship-1-1'

describe('accessDeniedMessage', () => {
  it('names the principal, the action, the resource and why, as AWS does', () => {
    expect(
      accessDeniedMessage({
        principalArn: PRINCIPAL,
        action: 'ecs:RunTask',
        resource: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:9',
        explicit: false,
        protocol: 'json'
      })
    ).toBe(
      `User: ${PRINCIPAL} is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:eu-west-1:123456789012:task-definition/web:9 because no identity-based policy allows the ecs:RunTask action`
    )
  })

  it('keeps "on resource: *" in awsJson answers and leaves it out of awsQuery ones', () => {
    const base = { principalArn: PRINCIPAL, resource: '*', explicit: false }
    expect(accessDeniedMessage({ ...base, action: 'ecs:ListTasks', protocol: 'json' })).toContain(
      'perform: ecs:ListTasks on resource: * because'
    )
    expect(
      accessDeniedMessage({ ...base, action: 'elasticloadbalancing:DescribeRules', protocol: 'query' })
    ).toBe(
      `User: ${PRINCIPAL} is not authorized to perform: elasticloadbalancing:DescribeRules because no identity-based policy allows the elasticloadbalancing:DescribeRules action`
    )
  })

  it('says when an explicit deny decided', () => {
    expect(
      accessDeniedMessage({
        principalArn: PRINCIPAL,
        action: 'ecr:PutImage',
        resource: 'r',
        explicit: true,
        protocol: 'json'
      })
    ).toBe(
      `User: ${PRINCIPAL} is not authorized to perform: ecr:PutImage on resource: r with an explicit deny in an identity-based policy`
    )
  })
})

describe('accessDeniedAnswer on the wire', () => {
  let answer: WireAnswer
  let server: Server
  let url: string

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
        res.end(answer.body)
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

  const client = {
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 1
  }

  async function errorOf(
    send: () => Promise<unknown>
  ): Promise<{ name: string; message: string; status?: number }> {
    try {
      await send()
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }
    }
    throw new Error('the call succeeded')
  }

  it('awsJson1_1 (ECS): HTTP 400, AccessDeniedException with the message', async () => {
    const message = `User: ${PRINCIPAL} is not authorized to perform: ecs:ListTasks on resource: * because no identity-based policy allows the ecs:ListTasks action`
    answer = accessDeniedAnswer({ service: 'ecs', message, requestId: 'r-1' })
    expect([answer.status, answer.headers['x-amzn-errortype']]).toEqual([400, 'AccessDeniedException'])
    const ecs = new ECSClient({ ...client, endpoint: url })
    expect(await errorOf(() => ecs.send(new ListTasksCommand({ cluster: 'web-cluster' })))).toEqual({
      name: 'AccessDeniedException',
      message,
      status: 400
    })
  })

  it('awsQuery (ELB): HTTP 403, ErrorResponse with Code AccessDenied, the message escaped', async () => {
    const message = `User: ${PRINCIPAL} is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers because no identity-based policy allows the <elasticloadbalancing:DescribeLoadBalancers> & more`
    answer = accessDeniedAnswer({ service: 'elbv2', message, requestId: 'r-2' })
    expect(answer.body).toContain('<Code>AccessDenied</Code>')
    expect(answer.body).toContain('xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"')
    const elb = new ElasticLoadBalancingV2Client({ ...client, endpoint: url })
    expect(await errorOf(() => elb.send(new DescribeLoadBalancersCommand({})))).toEqual({
      name: 'AccessDenied',
      message,
      status: 403
    })
  })

  it('awsQuery (STS): the STS namespace', async () => {
    answer = accessDeniedAnswer({ service: 'sts', message: 'no', requestId: 'r-3' })
    expect(answer.body).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"')
    const sts = new STSClient({ ...client, endpoint: url })
    expect(await errorOf(() => sts.send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'AccessDenied',
      message: 'no',
      status: 403
    })
  })

  it('registry API: HTTP 403 with a DENIED error', () => {
    expect(
      accessDeniedAnswer({ service: 'ecr', protocol: 'registry', message: 'm', requestId: 'r' })
    ).toEqual({
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"errors":[{"code":"DENIED","message":"m"}]}'
    })
  })
})
