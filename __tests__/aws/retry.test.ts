// How the clients retry, with real SDK clients against a small HTTP server on 127.0.0.1: the SDK's
// standard strategy with a short jittered pause, its retry quota in place, and no client-side
// rate limiter (adaptive mode's token bucket slowed and serialised calls that were never
// throttled). The pauses are checked as lower bounds only; nothing here asserts how fast a call is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs'
import { createAwsClients, retryDelayMs, type CallLimits } from '../../src/aws/clients.js'

interface Arrival {
  readonly at: number
  readonly header: string
  readonly res: ServerResponse
}

let server: Server
let arrivals: Arrival[] = []
/** Answers a request; throttles while it returns true. */
let throttle: (n: number) => boolean = () => false
/** Hold answers until this many requests are open at once (bounded by HOLD_MS). */
let holdUntil = 0
const HOLD_MS = 3000
let holdTimer: NodeJS.Timeout | undefined
let mostOpen = 0
const sockets = new Set<Socket>()
const saved = { ...process.env }

function ok(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
  res.end(JSON.stringify({ services: [{ serviceName: 'web' }], failures: [] }))
}

function answer(arrival: Arrival, n: number): void {
  if (throttle(n)) {
    arrival.res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
    arrival.res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }))
  } else ok(arrival.res)
}

function release(): void {
  if (holdTimer) clearTimeout(holdTimer)
  holdTimer = undefined
  holdUntil = 0
  for (const [i, a] of arrivals.entries()) if (!a.res.writableEnded) answer(a, i + 1)
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    req.resume()
    req.on('end', () => {
      const arrival = { at: Date.now(), header: String(req.headers['amz-sdk-request'] ?? ''), res }
      arrivals.push(arrival)
      if (holdUntil > 0) {
        const open = arrivals.filter(a => !a.res.writableEnded).length
        mostOpen = Math.max(mostOpen, open)
        holdTimer ??= setTimeout(release, HOLD_MS)
        if (open >= holdUntil) release()
        return
      }
      answer(arrival, arrivals.length)
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
  process.env.AWS_SECRET_ACCESS_KEY = 'secret'
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  process.env = saved
  for (const socket of sockets) socket.destroy()
  await new Promise(resolve => server.close(resolve))
})
beforeEach(() => {
  arrivals = []
  throttle = () => false
  holdUntil = 0
  mostOpen = 0
})

const LIMITS: CallLimits = {
  maxAttempts: 3,
  retryStepMs: 200,
  connectMs: 1000,
  answerMs: 5000,
  silenceMs: 5000
}
const describe1 = (ecs: ECSClient) =>
  ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))

describe('retryDelayMs (pure)', () => {
  it('is attempt × step, jittered between half and one and a half of it', () => {
    expect([1, 2].map(n => retryDelayMs(n, 200, () => 0.5))).toEqual([200, 400])
    expect(retryDelayMs(2, 200, () => 0)).toBe(200)
    expect(retryDelayMs(2, 200, () => 0.999999)).toBe(600)
  })
})

describe('retries of the SDK clients', () => {
  it('a throttled call is retried by the standard strategy after about 200 ms, then about 400 ms', async () => {
    throttle = n => n <= 2
    const ecs = await createAwsClients('us-east-1', LIMITS, () => 0.5).ecs()
    expect(await ecs.config.retryStrategy()).toMatchObject({ mode: 'standard' })
    const out = await describe1(ecs)
    expect(out.$metadata.attempts).toBe(3)
    expect(arrivals.map(a => a.header.replace(/\s/g, ''))).toEqual([
      'attempt=1;max=3',
      'attempt=2;max=3',
      'attempt=3;max=3'
    ])
    const [first, second, third] = arrivals.map(a => a.at) as [number, number, number]
    // At least the pause the strategy chose (200 ms × attempt at this jitter); never an upper bound.
    expect(second - first).toBeGreaterThanOrEqual(195)
    expect(third - second).toBeGreaterThanOrEqual(395)
  })

  it('three tries at most, and the retry quota is spent by retries and refilled by successes', async () => {
    throttle = () => true
    const ecs = await createAwsClients('us-east-1', { ...LIMITS, retryStepMs: 5 }).ecs()
    const strategy = (await ecs.config.retryStrategy()) as unknown as { getCapacity(): number }
    const full = strategy.getCapacity()
    await expect(describe1(ecs)).rejects.toMatchObject({ name: 'ThrottlingException' })
    expect(arrivals).toHaveLength(3)
    const spent = full - strategy.getCapacity()
    expect(spent).toBeGreaterThan(0)
    throttle = () => false
    await describe1(ecs)
    expect(strategy.getCapacity()).toBeGreaterThan(full - spent)
  })

  it('after throttling, calls that are not throttled go out at once and in parallel (no client-side limiter)', async () => {
    throttle = n => n <= 2
    const ecs = await createAwsClients('us-east-1', { ...LIMITS, retryStepMs: 5 }).ecs()
    await describe1(ecs)
    arrivals = []
    throttle = () => false
    holdUntil = 8
    const outs = await Promise.all(Array.from({ length: 8 }, () => describe1(ecs)))
    expect(outs.every(o => o.$metadata.attempts === 1)).toBe(true)
    // All eight were open at the server at the same moment: none was held back by the client.
    expect(mostOpen).toBe(8)
  })
})
