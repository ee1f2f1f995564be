// The simulator's HTTP server: one port on 127.0.0.1 answers the AWS APIs (aws.ts) and, under
// /__sim/, the control API (control.ts). A ticker moves the world forward every 20 ms, and every
// request does so first, so what a caller sees is never older than its call.
import { createServer, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { RunningSimulator, SimulatorOptions } from '../contract.js'
import { controlClient } from '../control-client.js'
import { answerAws } from './aws.js'
import { answerControl } from './control.js'
import { answerRegistry } from './registry-proxy.js'
import { send } from './reply.js'
import { load, openSession, tick } from './session.js'

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  // With the registry in front, the fixture is loaded once the port (its image host) is known.
  const proxy = options.registryProxy === true && options.registryUrl !== undefined
  const session = openSession(proxy ? { ...options, fixture: undefined } : options)
  const ticker = setInterval(() => tick(session), 20)
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const requestPath = (req.url ?? '/').split('?')[0] ?? '/'
    if (proxy && requestPath.startsWith('/v2/')) {
      tick(session)
      answerRegistry(session, req, res).catch(err => {
        if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, String(err))
      })
      return
    }
    readBody(req)
      .then(body => {
        const path = (req.url ?? '/').split('?')[0] ?? '/'
        return path.startsWith('/__sim/')
          ? answerControl(session, path, body, res)
          : answerAws(session, req, res, body)
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
  if (proxy) {
    session.registryFront = `127.0.0.1:${port}`
    session.state.registryFront = session.registryFront
    if (options.fixture) load(session, options.fixture)
  }
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
