// The registry API (Docker Registry HTTP API V2: what `docker push` / `buildah push` and pulls
// send) on the simulator's own port, in front of the real registry behind ECR
// (SimulatorOptions.registryProxy). Each request is logged (service `registry`) and authorized as
// the ECR action it stands for (sim/iam registryCheck: ecr:InitiateLayerUpload, ecr:PutImage, …)
// against the caller's identity, then forwarded as it is, body streamed both ways. A denial is
// answered as ECR's registry answers one: 403 with a DENIED error, and nothing reaches the
// registry. The registry's Location headers are rewritten to the simulator, so an upload's next
// request comes back through here.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { CallRecord } from '../contract.js'
import { accessDeniedAnswer, accessDeniedMessage, evaluateCheck, registryCheck } from '../iam/index.js'
import { iamWorld } from '../world/iam-world.js'
import { requestId, send } from './reply.js'
import type { Session } from './session.js'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function answerRegistry(
  session: Session,
  req: IncomingMessage,
  res: ServerResponse
): Promise<void> {
  const state = session.state
  const upstream = state.registryUrl
  if (!upstream) return send(res, 404, { 'content-type': 'text/plain' }, 'no registry behind ECR')
  const method = (req.method ?? 'GET').toUpperCase()
  const url = req.url ?? '/'
  const path = url.split('?')[0] ?? '/'
  const check = registryCheck(
    { method, path },
    { region: state.region, account: state.accountId, world: iamWorld(state) }
  )
  const record: CallRecord = {
    service: 'registry',
    operation: check ? check.action.replace(/^ecr:/, '') : `${method} ${path}`,
    at: Date.now() - state.startedAt,
    params: { method, path },
    mutating: WRITES.has(method)
  }
  const identity = state.identity
  if (identity && check) {
    const result = await evaluateCheck({ check, identity, region: state.region, account: state.accountId })
    const allowed = result.verdict === 'Allowed'
    const authorization = {
      principalArn: identity.principalArn,
      allowed,
      checks: [
        {
          action: result.action,
          resource: check.resource,
          context: check.context,
          verdict: result.verdict,
          allowedBy: result.allowedBy
        }
      ]
    }
    if (!allowed) {
      state.calls.push({ ...record, authorization, error: 'DENIED' })
      req.resume()
      const denied = accessDeniedAnswer({
        service: 'ecr',
        protocol: 'registry',
        requestId: requestId(),
        message: accessDeniedMessage({
          principalArn: identity.principalArn,
          action: result.action,
          resource: check.resource,
          explicit: result.verdict === 'ExplicitlyDenied',
          protocol: 'json'
        })
      })
      return send(res, denied.status, denied.headers, denied.body)
    }
    state.calls.push({ ...record, authorization })
  } else if (identity) {
    // The version check (`/v2/`) needs only the login, ecr:GetAuthorizationToken.
    state.calls.push({
      ...record,
      authorization: { principalArn: identity.principalArn, allowed: true, checks: [] }
    })
  } else {
    state.calls.push(record)
  }
  await forward({
    req,
    res,
    upstream,
    front: `http://${req.headers.host ?? session.registryFront ?? ''}`,
    url
  })
}

function forward(options: {
  req: IncomingMessage
  res: ServerResponse
  upstream: string
  front: string
  url: string
}): Promise<void> {
  const { req, res, upstream, front, url } = options
  const target = new URL(url, upstream)
  return new Promise(resolve => {
    const headers = { ...req.headers, host: target.host }
    const out = httpRequest(target, { method: req.method, headers }, answer => {
      const answerHeaders = { ...answer.headers }
      const location = answerHeaders.location
      if (typeof location === 'string' && location.startsWith(upstream))
        answerHeaders.location = front + location.slice(upstream.length)
      res.writeHead(answer.statusCode ?? 502, answerHeaders)
      answer.pipe(res)
      answer.on('end', () => resolve())
      answer.on('error', () => resolve())
    })
    out.setTimeout(30_000, () => out.destroy(new Error('the registry did not answer within 30 s')))
    out.on('error', error => {
      if (!res.headersSent) send(res, 502, { 'content-type': 'text/plain' }, `registry: ${error.message}`)
      else res.destroy()
      resolve()
    })
    req.pipe(out)
  })
}
