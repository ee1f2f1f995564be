// AWS requests: each is logged (CallRecord), may meet a fault set through the control API, and is
// answered by its operation's handler in its service's wire protocol: awsJson1_1 (ECS, ECR,
// CloudWatch Logs, CodeDeploy) or awsQuery with XML answers (Elastic Load Balancing v2, STS).
// The world is brought up to now before every request, and the request is authorized against the
// caller's identity policies (authorization.ts) before its handler runs.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CallRecord } from '../contract.js'
import { AwsError } from '../world/aws-error.js'
import { authorizeCall } from './authorization.js'
import { pickFault, type FaultDecision } from './faults.js'
import { json11Error, parseQuery, queryError, queryResponse, toJson11 } from './protocol.js'
import { handlerFor, JSON_SERVICES, QUERY_SERVICES } from './registry.js'
import { requestId, send } from './reply.js'
import { tick, type Session } from './session.js'

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' }
const XML_TYPE = { 'content-type': 'text/xml' }

export async function answerAws(
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
  body: string
): Promise<void> {
  const target = req.headers['x-amz-target']
  const now = Date.now()
  tick(session)
  if (typeof target === 'string') return answerJson(session, res, { target, body, now })
  return answerQuery(session, res, { body, now })
}

/** Latency, a dropped connection or an error answer; true when the request is answered (or dropped). */
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
  if (fault.proxy) {
    // Not in the protocol at all: the same page whichever service was asked.
    send(res, fault.proxy.status, { 'content-type': fault.proxy.contentType }, fault.proxy.body)
    return true
  }
  if (fault.error) {
    const e = fault.error
    if (json) {
      const out = json11Error(new AwsError(e.code, e.message, e.status, e.type))
      send(res, out.status, out.headers, out.body)
    } else {
      const error = new AwsError(e.queryCode ?? e.code, e.message, e.status, e.type)
      send(res, e.status, XML_TYPE, queryError(error, requestId()))
    }
    return true
  }
  return false
}

/** A call as the log records it: with the error it was answered, or the proxy page's status. */
function faultRecord(
  record: CallRecord,
  fault: FaultDecision | undefined,
  code: string | undefined
): CallRecord {
  if (fault?.proxy) return { ...record, error: `HTTP ${fault.proxy.status} (${fault.proxy.contentType})` }
  return code ? { ...record, error: code } : record
}

/** The call log's last entry, when it is this operation's, records the error it was answered. */
function recordError(session: Session, operation: string, code: string): void {
  const calls = session.state.calls
  const last = calls[calls.length - 1]
  if (last && last.operation === operation) calls[calls.length - 1] = { ...last, error: code }
}

async function answerJson(
  session: Session,
  res: ServerResponse,
  { target, body, now }: { target: string; body: string; now: number }
): Promise<void> {
  const [prefix, operation = ''] = target.split('.')
  const svc = JSON_SERVICES[prefix ?? '']
  if (!svc)
    return send(
      res,
      400,
      JSON_TYPE,
      JSON.stringify({ __type: 'UnknownOperationException', message: `unknown target ${target}` })
    )
  const input = body ? (JSON.parse(body) as unknown) : {}
  const record: CallRecord = {
    service: svc.service,
    operation,
    at: now - session.state.startedAt,
    params: input,
    mutating: svc.mutating.has(operation)
  }
  const fault = pickFault(session.state, `${svc.service}:${operation}`, now, true)
  const logged = faultRecord(record, fault, fault?.error?.code)
  session.state.calls.push(logged)
  if (await applyFault(res, fault, true)) return
  const denied = await authorizeCall(session, { service: svc.service, operation, input, record: logged })
  if (denied) return send(res, denied.status, denied.headers, denied.body)
  const handler = handlerFor(svc, operation)
  try {
    if (!handler)
      throw new AwsError(
        'UnknownOperationException',
        `The simulator does not implement ${svc.service}:${operation}`
      )
    const output = await handler(session.state, input as never, Date.now())
    send(res, 200, JSON_TYPE, toJson11(output))
  } catch (err) {
    const e = err instanceof AwsError ? err : new AwsError('ServerException', String(err), 500, 'Receiver')
    recordError(session, operation, e.code)
    const out = json11Error(e)
    send(res, out.status, out.headers, out.body)
  }
}

async function answerQuery(
  session: Session,
  res: ServerResponse,
  { body, now }: { body: string; now: number }
): Promise<void> {
  const { action, version, params } = parseQuery(body)
  const svc = QUERY_SERVICES[version]
  if (!svc)
    return send(
      res,
      400,
      XML_TYPE,
      queryError(new AwsError('InvalidAction', `unknown version ${version}`), requestId())
    )
  const record: CallRecord = {
    service: svc.service,
    operation: action,
    at: now - session.state.startedAt,
    params,
    mutating: svc.mutating.has(action)
  }
  const fault = pickFault(session.state, `${svc.service}:${action}`, now, false)
  const logged = faultRecord(record, fault, fault?.error?.queryCode ?? fault?.error?.code)
  session.state.calls.push(logged)
  if (await applyFault(res, fault, false)) return
  const denied = await authorizeCall(session, {
    service: svc.service,
    operation: action,
    input: params,
    record: logged
  })
  if (denied) return send(res, denied.status, denied.headers, denied.body)
  const handler = handlerFor(svc, action)
  try {
    if (!handler)
      throw new AwsError('InvalidAction', `The simulator does not implement ${svc.service}:${action}`)
    const output = await handler(session.state, params as never, Date.now())
    send(res, 200, XML_TYPE, queryResponse(action, svc.namespace, output, requestId()))
  } catch (err) {
    const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500, 'Receiver')
    recordError(session, action, e.code)
    send(res, e.status, XML_TYPE, queryError(e, requestId()))
  }
}
