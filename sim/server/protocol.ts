// The two wire protocols the installed SDK clients speak (checked in node_modules: ECS, ECR,
// CloudWatch Logs and CodeDeploy use awsJson1_1; Elastic Load Balancing v2 and STS use awsQuery).
import { XMLBuilder } from 'fast-xml-parser'
import type { AwsError } from '../world/aws-error.js'

/** awsJson1_1 timestamps are epoch seconds; the replacer sees the holder's original Date. */
export function toJson11(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

export function json11Error(error: AwsError): {
  status: number
  headers: Record<string, string>
  body: string
} {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message })
  }
}

/**
 * awsQuery request parameters → a nested object: `Names.member.1=a` → `{ Names: ['a'] }`,
 * `Targets.member.1.Id=x` → `{ Targets: [{ Id: 'x' }] }`.
 */
export function parseQuery(body: string): {
  action: string
  version: string
  params: Record<string, unknown>
} {
  const form = new URLSearchParams(body)
  const params: Record<string, unknown> = {}
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue
    const parts = key.split('.')
    let node: Record<string, unknown> | unknown[] = params
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string
      const last = i === parts.length - 1
      if (part === 'member' || part === 'entry') continue
      const isIndex = /^\d+$/.test(part) && (parts[i - 1] === 'member' || parts[i - 1] === 'entry')
      const slot: string | number = isIndex ? Number(part) - 1 : part
      const nextIsList = parts[i + 1] === 'member' || parts[i + 1] === 'entry'
      const container = node as Record<string | number, unknown>
      if (last) {
        container[slot] = value
      } else {
        container[slot] ??= nextIsList ? [] : {}
        node = container[slot] as Record<string, unknown>
      }
    }
  }
  return { action: form.get('Action') ?? '', version: form.get('Version') ?? '', params }
}

/** Lists become `<member>` elements, Dates ISO 8601, as awsQuery answers carry them. */
function toQueryShape(value: unknown): unknown {
  if (Array.isArray(value)) return { member: value.map(toQueryShape) }
  if (value instanceof Date) return value.toISOString()
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toQueryShape(v)
    return out
  }
  return value
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false })

export function queryResponse(action: string, namespace: string, result: unknown, requestId: string): string {
  const doc = {
    [`${action}Response`]: {
      '@_xmlns': namespace,
      [`${action}Result`]: toQueryShape(result ?? {}),
      ResponseMetadata: { RequestId: requestId }
    }
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build(doc)
}

export function queryError(error: AwsError, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      Error: { Type: error.type, Code: error.code, Message: error.message },
      RequestId: requestId
    }
  })
}
