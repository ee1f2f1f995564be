// Writing an HTTP answer, with the request id AWS puts on every response.
import type { ServerResponse } from 'node:http'

let requestCounter = 0
export const requestId = (): string => `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string
): void {
  res.writeHead(status, {
    'x-amzn-requestid': requestId(),
    'content-length': Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}
