// The local AWS simulator: one HTTP port on 127.0.0.1 answers ECS, ECR, CloudWatch Logs, CodeDeploy
// (awsJson1_1) and Elastic Load Balancing v2, STS (awsQuery), so the real SDK clients reach it through
// AWS_ENDPOINT_URL. A small control API under /__sim/ loads fixtures, sets behaviours and faults,
// and reads the state, the call log and the milestones.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type {
  Behaviours,
  FaultSpec,
  RunningSimulator,
  SimulatorOptions,
  SimStateSummary
} from './contract.js'
import { controlClient } from './control-client.js'
import { codeDeployHandlers, CODEDEPLOY_MUTATING } from './api/codedeploy.js'
import { ecrHandlers, ECR_MUTATING } from './api/ecr.js'
import { ecsHandlers, ECS_MUTATING } from './api/ecs.js'
import { elbHandlers, ELB_MUTATING } from './api/elbv2.js'
import { advance } from './tick.js'
import { pickFault, type FaultDecision } from './server/faults.js'
import type { AnyHandlers } from './api/handlers.js'
import { loadFixture } from './fixtures/index.js'
import { logsHandlers, LOGS_MUTATING } from './api/logs.js'
import { newState, type SimState } from './world/model.js'
import { json11Error, parseQuery, queryError, queryResponse, toJson11 } from './server/protocol.js'
import { AwsError } from './world/aws-error.js'
import { stsHandlers } from './api/sts.js'

interface ServiceRegistry {
  readonly service: string
  readonly handlers: AnyHandlers
  readonly mutating: ReadonlySet<string>
}

const JSON_SERVICES: Record<string, ServiceRegistry> = {
  AmazonEC2ContainerServiceV20141113: { service: 'ecs', handlers: ecsHandlers, mutating: ECS_MUTATING },
  AmazonEC2ContainerRegistry_V20150921: { service: 'ecr', handlers: ecrHandlers, mutating: ECR_MUTATING },
  Logs_20140328: { service: 'logs', handlers: logsHandlers, mutating: LOGS_MUTATING },
  CodeDeploy_20141006: { service: 'codedeploy', handlers: codeDeployHandlers, mutating: CODEDEPLOY_MUTATING }
}

const QUERY_SERVICES: Record<string, ServiceRegistry & { readonly namespace: string }> = {
  '2015-12-01': {
    service: 'elbv2',
    namespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    handlers: elbHandlers,
    mutating: ELB_MUTATING
  },
  '2011-06-15': {
    service: 'sts',
    namespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    handlers: stsHandlers,
    mutating: new Set()
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, {
    'x-amzn-requestid': requestId(),
    'content-length': Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}

let requestCounter = 0
const requestId = () => `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`

function summary(state: SimState): SimStateSummary {
  const targetHealth: Record<string, unknown[]> = {}
  for (const tg of state.targetGroups)
    targetHealth[tg.group.TargetGroupName ?? ''] = tg.targets.map(t => ({
      id: t.id,
      port: t.port,
      state: t.state,
      reason: t.reason,
      taskArn: t.taskArn
    }))
  return {
    services: [...state.services.values()].map(s => ({
      ...s.service,
      deployments: s.deployments.map(d => d.deployment),
      events: s.events.slice(0, 20),
      tags: s.tags
    })),
    tasks: state.tasks.map(t => t.task),
    taskDefinitions: [...state.taskDefinitions.values()].flatMap(r => r.map(x => x.definition)),
    targetHealth
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  let state = newState(options)
  const reset = () => {
    state = newState({ ...options, timeScale: state.timeScale })
  }
  const load = (name: string) => {
    loadFixture(state, name)
    // The fixture's own history is not part of what a test measures.
    state.calls = []
    state.milestones = []
  }
  if (options.fixture) load(options.fixture)

  const tick = () => advance(state, Date.now())
  const ticker = setInterval(tick, 20)
  const sockets = new Set<Socket>()

  async function applyFault(
    res: ServerResponse,
    fault: FaultDecision | undefined,
    json: boolean
  ): Promise<boolean> {
    if (!fault) return false
    if (fault.latencyMs) await new Promise(r => setTimeout(r, fault.latencyMs))
    if (fault.drop) {
      res.socket?.destroy()
      return true
    }
    if (fault.error) {
      const e = fault.error
      if (json) {
        const out = json11Error(new AwsError(e.code, e.message, e.status, e.type))
        send(res, out.status, out.headers, out.body)
      } else {
        send(
          res,
          e.status,
          { 'content-type': 'text/xml' },
          queryError(new AwsError(e.queryCode ?? e.code, e.message, e.status, e.type), requestId())
        )
      }
      return true
    }
    return false
  }

  async function handleAws(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const target = req.headers['x-amz-target']
    const now = Date.now()
    tick()
    if (typeof target === 'string') {
      const [prefix, operation = ''] = target.split('.')
      const svc = JSON_SERVICES[prefix ?? '']
      if (!svc)
        return send(
          res,
          400,
          { 'content-type': 'application/x-amz-json-1.1' },
          JSON.stringify({ __type: 'UnknownOperationException', message: `unknown target ${target}` })
        )
      const input = body ? (JSON.parse(body) as unknown) : {}
      const record = {
        service: svc.service,
        operation,
        at: now - state.startedAt,
        params: input,
        mutating: svc.mutating.has(operation)
      }
      const fault = pickFault(state, `${svc.service}:${operation}`, now, true)
      if (fault?.error) state.calls.push({ ...record, error: fault.error.code })
      else state.calls.push(record)
      if (await applyFault(res, fault, true)) return
      // Own operations only: `constructor` or `toString` in a target is not an operation.
      const handler = Object.hasOwn(svc.handlers, operation) ? svc.handlers[operation] : undefined
      try {
        if (!handler)
          throw new AwsError(
            'UnknownOperationException',
            `The simulator does not implement ${svc.service}:${operation}`
          )
        const output = await handler(state, input as never, Date.now())
        send(res, 200, { 'content-type': 'application/x-amz-json-1.1' }, toJson11(output))
      } catch (err) {
        const e =
          err instanceof AwsError ? err : new AwsError('ServerException', String(err), 500, 'Receiver')
        const last = state.calls[state.calls.length - 1]
        if (last && last.operation === operation)
          state.calls[state.calls.length - 1] = { ...last, error: e.code }
        const out = json11Error(e)
        send(res, out.status, out.headers, out.body)
      }
      return
    }
    const { action, version, params } = parseQuery(body)
    const svc = QUERY_SERVICES[version]
    if (!svc)
      return send(
        res,
        400,
        { 'content-type': 'text/xml' },
        queryError(new AwsError('InvalidAction', `unknown version ${version}`), requestId())
      )
    const record = {
      service: svc.service,
      operation: action,
      at: now - state.startedAt,
      params,
      mutating: svc.mutating.has(action)
    }
    const fault = pickFault(state, `${svc.service}:${action}`, now, false)
    state.calls.push(fault?.error ? { ...record, error: fault.error.queryCode ?? fault.error.code } : record)
    if (await applyFault(res, fault, false)) return
    const handler = Object.hasOwn(svc.handlers, action) ? svc.handlers[action] : undefined
    try {
      if (!handler)
        throw new AwsError('InvalidAction', `The simulator does not implement ${svc.service}:${action}`)
      const output = await handler(state, params as never, Date.now())
      send(
        res,
        200,
        { 'content-type': 'text/xml' },
        queryResponse(action, svc.namespace, output, requestId())
      )
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500, 'Receiver')
      const last = state.calls[state.calls.length - 1]
      if (last && last.operation === action) state.calls[state.calls.length - 1] = { ...last, error: e.code }
      send(res, e.status, { 'content-type': 'text/xml' }, queryError(e, requestId()))
    }
  }

  async function handleControl(path: string, body: string, res: ServerResponse): Promise<void> {
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {}
    const ok = (value: unknown = { ok: true }) =>
      send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(value))
    tick()
    switch (path) {
      case '/__sim/fixture':
        load(String(input.name))
        return ok()
      case '/__sim/behaviours':
        state.behaviours = input as Behaviours
        return ok()
      case '/__sim/faults':
        state.faults = (input.faults as FaultSpec[]).map(spec => ({ spec, setAt: Date.now() }))
        return ok()
      case '/__sim/time-scale':
        state.timeScale = Number(input.scale)
        return ok()
      case '/__sim/state':
        return ok(summary(state))
      case '/__sim/calls':
        return ok(state.calls)
      case '/__sim/milestones':
        return ok(state.milestones)
      case '/__sim/reset':
        reset()
        return ok()
      default:
        return send(
          res,
          404,
          { 'content-type': 'application/json' },
          JSON.stringify({ error: `no control endpoint ${path}` })
        )
    }
  }

  const server = createServer((req, res) => {
    readBody(req)
      .then(body => {
        const path = (req.url ?? '/').split('?')[0] ?? '/'
        return path.startsWith('/__sim/') ? handleControl(path, body, res) : handleAws(req, res, body)
      })
      .catch(err => {
        if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, String(err))
      })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    port,
    control: controlClient(url),
    close: async () => {
      clearInterval(ticker)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

export type { RunningSimulator, SimulatorOptions } from './contract.js'
