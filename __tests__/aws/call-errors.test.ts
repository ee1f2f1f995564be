// Real SDK clients, built by createAwsClients, against a small HTTP server on 127.0.0.1 that answers
// the way AWS and the things in front of it do when they fail: throttling and 500 in the
// protocol's own format, an HTML 502 from a proxy, a dropped connection, a closed port, no answer
// at all. What is asserted is the message describeError makes of what the SDK really threw, and
// that the SDK's own error (its name, its class) reaches the code that branches on it unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { DescribeServicesCommand, ECSServiceException, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { createAwsClients, type CallLimits } from '../../src/aws/clients.js'
import { describeResource, firstBytes, operationName } from '../../src/aws/call-errors.js'
import { attachAwsCall, awsCallOf, describeError, errorName, isCredentialError } from '../../src/errors.js'

type Answer = (req: IncomingMessage, res: ServerResponse) => void

const json =
  (status: number, type: string, message: string): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
    res.end(JSON.stringify({ __type: type, message }))
  }
const BAD_GATEWAY =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
const html =
  (status: number, body: string): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' })
    res.end(body)
  }

let server: Server
let endpoint: string
let answer: Answer = json(200, '', '')
let requests = 0
const sockets = new Set<Socket>()
const saved = { ...process.env }

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => answer(req, res))
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
  process.env.AWS_SECRET_ACCESS_KEY = 'secret'
  process.env.AWS_ENDPOINT_URL = endpoint
})
afterAll(async () => {
  process.env = saved
  for (const socket of sockets) socket.destroy()
  await new Promise(resolve => server.close(resolve))
})
beforeEach(() => {
  requests = 0
})

/** Three tries, short pauses and short timeouts so the no-answer case ends in about a second. */
const LIMITS: CallLimits = { maxAttempts: 3, retryStepMs: 10, connectMs: 1000, answerMs: 300, silenceMs: 300 }

async function failureOf(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send()
  } catch (error) {
    return error
  }
  throw new Error('the call succeeded')
}

async function ecsError(
  command: DescribeServicesCommand | UpdateServiceCommand = new DescribeServicesCommand({
    cluster: 'demo',
    services: ['web']
  })
) {
  const ecs = await createAwsClients('us-east-1', LIMITS).ecs()
  return failureOf(() =>
    command instanceof UpdateServiceCommand ? ecs.send(command) : ecs.send(command as DescribeServicesCommand)
  )
}

describe('every AWS error names the call, the resource and the tries', () => {
  it('throttling past the retries', async () => {
    answer = json(400, 'ThrottlingException', 'Rate exceeded')
    const error = await ecsError()
    expect(describeError(error)).toMatch(
      /^ECS DescribeServices \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: ThrottlingException: Rate exceeded$/
    )
    expect(requests).toBe(3)
    // The watch loop and the strategies still see the SDK's own error.
    expect(errorName(error)).toBe('ThrottlingException')
    expect(error).toBeInstanceOf(ECSServiceException)
  })

  it('a 500 in the protocol', async () => {
    answer = json(500, 'ServerException', 'An internal error occurred')
    const error = await ecsError(new UpdateServiceCommand({ cluster: 'demo', service: 'web' }))
    expect(describeError(error)).toMatch(
      /^ECS UpdateService \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: ServerException: An internal error occurred$/
    )
    expect(errorName(error)).toBe('ServerException')
  })

  it('an HTML 502 from a proxy, to a JSON protocol: the status and what came back, not SyntaxError', async () => {
    answer = html(502, BAD_GATEWAY)
    const error = await ecsError(new UpdateServiceCommand({ cluster: 'demo', service: 'web' }))
    const said = describeError(error)
    expect(said).toMatch(
      /^ECS UpdateService \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: HTTP 502 from 127\.0\.0\.1, and the answer was not an AWS error \(text\/html; the first bytes: <html> <head><title>502 Bad Gateway<\/title><\/head> <body>/
    )
    expect(said).not.toMatch(/SyntaxError|\$response|\n/)
    // The SDK failed on those bytes as it would have without us, and retried as it would have.
    expect(errorName(error)).toBe('SyntaxError')
    expect(requests).toBe(3)
  })

  it('an HTML 503 from a proxy, to an XML protocol (Elastic Load Balancing)', async () => {
    answer = html(503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>')
    const elb = await createAwsClients('us-east-1', LIMITS).elb()
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef'
    const error = await failureOf(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })))
    expect(describeError(error)).toMatch(
      /^Elastic Load Balancing DescribeTargetHealth \(target group web-blue\) failed after 3 tries( in \d+ s)?: HTTP 503 from 127\.0\.0\.1, and the answer was not an AWS error \(text\/html; the first bytes: <html><body><h1>503 Service Temporarily Unavailable/
    )
    expect(awsCallOf(error)?.iamAction).toBe('elasticloadbalancing:DescribeTargetHealth')
  })

  it('an endpoint that accepts the connection and never answers: each try gives up, and so does the call', async () => {
    answer = () => {}
    const error = await ecsError()
    expect(describeError(error)).toMatch(
      /^ECS DescribeServices \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: TimeoutError: no answer within 300 ms$/
    )
    expect(requests).toBe(3)
  })

  // Under jest, Node's socket errors come from another realm than the SDK's, so the SDK wraps
  // them ("AWS SDK error wrapper for …") and their code is lost; the bundled action gets them as
  // they are (the end-to-end fault matrix drops connections), and the wording of
  // those is tested below with the error the SDK throws there.
  it('a connection dropped without an answer', async () => {
    answer = req => req.socket.destroy()
    const error = await ecsError()
    expect(describeError(error)).toMatch(
      /^ECS DescribeServices \(service web, cluster demo\) failed after 3 tries( in \d+ s)?: TimeoutError: socket hang up/
    )
    expect(requests).toBe(3)
  })

  it('a port nobody listens on', async () => {
    const closed = createServer()
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise(resolve => closed.close(resolve))
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`
    try {
      const error = await ecsError()
      expect(describeError(error)).toMatch(
        new RegExp(
          `^ECS DescribeServices \\(service web, cluster demo\\) failed after 3 tries( in \\d+ s)?: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`
        )
      )
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint
    }
  })

  it('words a dropped connection as the SDK throws it in the action', () => {
    const dropped = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' })
    attachAwsCall(dropped, {
      service: 'ECS',
      operation: 'DescribeServices',
      iamAction: 'ecs:DescribeServices',
      resource: 'service web, cluster demo',
      attempts: 6,
      elapsedMs: 24_400
    })
    expect(describeError(dropped)).toBe(
      'ECS DescribeServices (service web, cluster demo) failed after 6 tries in 24 s: TimeoutError: socket hang up (the connection closed before an answer)'
    )
  })

  it('access denied: named once, with the permission AWS names, and still a credential error', async () => {
    answer = json(
      400,
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/deployer/x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/task'
    )
    const error = await ecsError(new UpdateServiceCommand({ cluster: 'demo', service: 'web' }))
    expect(isCredentialError(error)).toBe(true)
    expect(describeError(error)).toMatch(
      /^ECS UpdateService \(service web, cluster demo\) failed after 1 try: AWS denied access \(AccessDeniedException\): User: .* is not authorized to perform: iam:PassRole on resource: .*\. The role needs iam:PassRole\.$/
    )
    expect(requests).toBe(1)
  })

  it('access denied without the action in the message: the call says which permission', async () => {
    answer = json(400, 'AccessDeniedException', 'not authorized to perform this action')
    const logs = await createAwsClients('us-east-1', LIMITS).logs()
    const error = await failureOf(() =>
      logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'ecs/web/abc' }))
    )
    expect(describeError(error)).toBe(
      'CloudWatch Logs GetLogEvents (log group /ecs/web, log stream ecs/web/abc) failed after 1 try: AWS denied access (AccessDeniedException): not authorized to perform this action. To allow logs:GetLogEvents on log group /ecs/web, log stream ecs/web/abc, see statement MigrateTaskLogs (deploy-policy.json) in examples/django-fargate/iam/. The role needs logs:GetLogEvents.'
    )
  })

  it('a call that succeeds carries nothing and answers as usual', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify({ services: [{ serviceName: 'web' }], failures: [] }))
    }
    const ecs = await createAwsClients('us-east-1', LIMITS).ecs()
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
    expect(out.services?.[0]?.serviceName).toBe('web')
    expect(out.$metadata.attempts).toBe(1)
  })
})

describe('describeResource (pure)', () => {
  it.each([
    [{ cluster: 'demo', services: ['web'] }, 'service web, cluster demo'],
    [
      {
        cluster: 'arn:aws:ecs:us-east-1:1:cluster/demo',
        taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/web:7'
      },
      'task definition web:7, cluster demo'
    ],
    [
      { cluster: 'demo', tasks: ['arn:aws:ecs:us-east-1:1:task/demo/a', 'b', 'c', 'd', 'e'] },
      'tasks a, b, c and 2 more, cluster demo'
    ],
    [{ applicationName: 'app', deploymentGroupName: 'dg' }, 'application app, deployment group dg'],
    [{ deploymentId: 'd-ABC123' }, 'deployment d-ABC123'],
    [{ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }, 'repository web'],
    [{ ListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:1:listener/app/alb/1/2' }, 'listener 2'],
    [{}, ''],
    [undefined, '']
  ])('%j → %s', (input, expected) => {
    expect(describeResource(input)).toBe(expected)
  })

  it('names the operation without the SDK suffix', () => {
    expect(operationName('DescribeServicesCommand')).toBe('DescribeServices')
    expect(operationName(undefined)).toBe('an unnamed call')
  })

  it('shows the first bytes on one line, cut with an ellipsis', () => {
    expect(firstBytes(new TextEncoder().encode('<html>\r\n  <b>x</b>\u0007'))).toBe('<html> <b>x</b>')
    expect(firstBytes(new TextEncoder().encode('a'.repeat(200)))).toBe(`${'a'.repeat(80)}…`)
  })
})
