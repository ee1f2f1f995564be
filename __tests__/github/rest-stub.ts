// A local stand-in for the parts of GitHub's REST API the action uses (deployments, deployment
// statuses, issue comments), on 127.0.0.1. It keeps state like GitHub does, paginates comments
// with a Link header, checks the token, and records every call so tests can assert what was
// sent and in which order.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedCall {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly body: Record<string, unknown> | undefined
}

export interface StubComment {
  id: number
  body: string
  user: { login: string }
}

export interface StubDeployment {
  id: number
  ref: string
  environment: string
  task: string
  transient_environment: boolean
  production_environment: boolean
  statuses: Record<string, unknown>[]
}

export interface RestStub {
  readonly baseUrl: string
  readonly calls: RecordedCall[]
  readonly deployments: StubDeployment[]
  /** Comments per issue number, oldest first. */
  readonly comments: Map<number, StubComment[]>
  /** Adds comments written by someone else (to fill pages before ours). */
  seedComments(issue: number, bodies: readonly string[]): void
  /** Answers the next request whose method and path match with this status, as GitHub refuses. */
  failNext(method: string, path: RegExp, status: number, message: string): void
  /** From now on, requests whose method and path match are read and never answered (until close). */
  hang(method: string, path: RegExp): void
  close(): Promise<void>
}

const PAGE_MAX = 100

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (chunks.length === 0) return undefined
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

export async function startRestStub(expectedToken: string): Promise<RestStub> {
  const calls: RecordedCall[] = []
  const deployments: StubDeployment[] = []
  const comments = new Map<number, StubComment[]>()
  let nextId = 1000
  let baseUrl = ''
  const failures: { method: string; path: RegExp; status: number; message: string }[] = []
  const hangs: { method: string; path: RegExp }[] = []

  const issueComments = (issue: number): StubComment[] => {
    let list = comments.get(issue)
    if (!list) comments.set(issue, (list = []))
    return list
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const body = await readJson(req)
    const method = req.method ?? 'GET'
    calls.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body })

    if (req.headers.authorization !== `token ${expectedToken}`) {
      send(res, 401, { message: 'Bad credentials' })
      return
    }

    if (hangs.some(h => h.method === method && h.path.test(url.pathname))) return

    const failure = failures.findIndex(f => f.method === method && f.path.test(url.pathname))
    if (failure >= 0) {
      const [injected] = failures.splice(failure, 1)
      send(res, injected?.status ?? 500, { message: injected?.message })
      return
    }

    const parts = url.pathname.split('/').filter(Boolean)
    // repos/{owner}/{repo}/...
    if (parts[0] !== 'repos' || parts.length < 4) {
      send(res, 404, { message: 'Not Found' })
      return
    }
    const rest = parts.slice(3)

    if (rest[0] === 'deployments' && rest.length === 1 && method === 'POST') {
      const deployment: StubDeployment = {
        id: nextId++,
        ref: String(body?.ref),
        environment: String(body?.environment),
        task: typeof body?.task === 'string' ? body.task : 'deploy',
        transient_environment: body?.transient_environment === true,
        production_environment: body?.production_environment === true,
        statuses: []
      }
      deployments.push(deployment)
      send(res, 201, { ...deployment, statuses: undefined })
      return
    }
    if (rest[0] === 'deployments' && rest.length === 1 && method === 'GET') {
      const environment = url.searchParams.get('environment')
      const task = url.searchParams.get('task')
      const matching = deployments
        .filter(d => (!environment || d.environment === environment) && (!task || d.task === task))
        .reverse()
      send(
        res,
        200,
        matching.map(d => ({ ...d, statuses: undefined }))
      )
      return
    }
    if (rest[0] === 'deployments' && rest[2] === 'statuses' && method === 'GET') {
      const deployment = deployments.find(d => d.id === Number(rest[1]))
      if (!deployment) {
        send(res, 404, { message: 'Not Found' })
        return
      }
      // Newest first, as GitHub lists them.
      const perPage = Number(url.searchParams.get('per_page') ?? 30)
      send(res, 200, [...deployment.statuses].reverse().slice(0, perPage))
      return
    }
    if (rest[0] === 'deployments' && rest[2] === 'statuses' && method === 'POST') {
      const deployment = deployments.find(d => d.id === Number(rest[1]))
      if (!deployment) {
        send(res, 404, { message: 'Not Found' })
        return
      }
      const status = { id: nextId++, ...body }
      deployment.statuses.push(status)
      send(res, 201, status)
      return
    }
    if (rest[0] === 'issues' && rest[2] === 'comments' && rest.length === 3) {
      const list = issueComments(Number(rest[1]))
      if (method === 'GET') {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), PAGE_MAX)
        const page = Number(url.searchParams.get('page') ?? 1)
        const slice = list.slice((page - 1) * perPage, page * perPage)
        const headers: Record<string, string> = {}
        if (page * perPage < list.length) {
          const next = new URL(`${baseUrl}${url.pathname}`)
          next.searchParams.set('per_page', String(perPage))
          next.searchParams.set('page', String(page + 1))
          headers.link = `<${next.toString()}>; rel="next"`
        }
        send(res, 200, slice, headers)
        return
      }
      if (method === 'POST') {
        const comment: StubComment = {
          id: nextId++,
          body: String(body?.body),
          user: { login: 'github-actions[bot]' }
        }
        list.push(comment)
        send(res, 201, comment)
        return
      }
    }
    if (rest[0] === 'issues' && rest[1] === 'comments' && rest.length === 3 && method === 'PATCH') {
      for (const list of comments.values()) {
        const comment = list.find(c => c.id === Number(rest[2]))
        if (comment) {
          comment.body = String(body?.body)
          send(res, 200, comment)
          return
        }
      }
      send(res, 404, { message: 'Not Found' })
      return
    }
    send(res, 404, { message: 'Not Found' })
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`

  return {
    baseUrl,
    calls,
    deployments,
    comments,
    failNext(method, path, status, message) {
      failures.push({ method, path, status, message })
    },
    hang(method, path) {
      hangs.push({ method, path })
    },
    seedComments(issue, bodies) {
      for (const text of bodies)
        issueComments(issue).push({ id: nextId++, body: text, user: { login: 'someone' } })
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close(error => (error ? reject(error) : resolve()))
      })
  }
}
