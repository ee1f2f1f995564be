// Every AWS SDK client carries these middlewares (src/aws/clients.ts adds them), so an error from any call
// says which call failed, on which resource, and after how many tries: `ECS DescribeServices
// (service web, cluster demo) failed after 3 tries in 2 s: ThrottlingException: Rate exceeded`
// instead of the bare `Rate exceeded`. The SDK's error is passed on as it was thrown (its name,
// class and metadata untouched, so the watch loop and the strategies still branch on them); the
// call is recorded beside it (errors.ts attachAwsCall) and describeError() words it.
//
// When an endpoint answers with something the protocol does not speak (an HTML 502 page from a
// proxy or a load balancer in front of the endpoint), the SDK throws `SyntaxError: Unexpected
// token '<'` (JSON protocols) or `Unknown` (XML protocols) with no HTTP status. A second
// middleware, under the SDK's deserializer, keeps that answer's status and first bytes, so the
// message can say what came back.
import type {
  DeserializeMiddleware,
  HandlerExecutionContext,
  InitializeMiddleware,
  MiddlewareStack
} from '@smithy/types'
import { attachAwsCall, type ForeignAnswer } from '../errors.js'
import { revisionName, shortId, targetGroupName } from './names.js'

/** How the log names a client's service, and the prefix of its IAM actions. */
export interface ServiceNames {
  readonly service: string
  readonly iamPrefix: string
}

type Input = Record<string, unknown>

/** One resource field of an operation's input, and how a person reads it. */
interface ResourceField {
  readonly key: string
  readonly label: string
  readonly plural?: string
  readonly short?: (value: string) => string
}

/**
 * The fields that say what a call is about, in the order the message names them (the most
 * specific first). Covers the inputs of every operation the action calls; unknown fields are left
 * out rather than guessed.
 */
const RESOURCE_FIELDS: readonly ResourceField[] = [
  { key: 'service', label: 'service', short: shortId },
  { key: 'services', label: 'service', plural: 'services', short: shortId },
  { key: 'serviceName', label: 'service', short: shortId },
  { key: 'task', label: 'task', short: shortId },
  { key: 'tasks', label: 'task', plural: 'tasks', short: shortId },
  { key: 'taskDefinition', label: 'task definition', short: revisionName },
  { key: 'family', label: 'family' },
  { key: 'familyPrefix', label: 'family' },
  { key: 'serviceDeploymentArn', label: 'service deployment', short: shortId },
  {
    key: 'serviceDeploymentArns',
    label: 'service deployment',
    plural: 'service deployments',
    short: shortId
  },
  { key: 'cluster', label: 'cluster', short: shortId },
  { key: 'TargetGroupArn', label: 'target group', short: targetGroupName },
  { key: 'TargetGroupArns', label: 'target group', plural: 'target groups', short: targetGroupName },
  { key: 'RuleArn', label: 'rule', short: shortId },
  { key: 'RuleArns', label: 'rule', plural: 'rules', short: shortId },
  { key: 'ListenerArn', label: 'listener', short: shortId },
  { key: 'ListenerArns', label: 'listener', plural: 'listeners', short: shortId },
  { key: 'LoadBalancerArns', label: 'load balancer', plural: 'load balancers', short: loadBalancerName },
  { key: 'ResourceArns', label: 'resource', plural: 'resources', short: shortId },
  { key: 'resourceArn', label: 'resource', short: shortId },
  { key: 'deploymentId', label: 'deployment' },
  { key: 'deploymentIds', label: 'deployment', plural: 'deployments' },
  { key: 'applicationName', label: 'application' },
  { key: 'deploymentGroupName', label: 'deployment group' },
  { key: 'repositoryName', label: 'repository' },
  { key: 'logGroupName', label: 'log group' },
  { key: 'logStreamName', label: 'log stream' }
]

/** `app/web-alb` from a load-balancer ARN. */
function loadBalancerName(arn: string): string {
  return /loadbalancer\/(.+)$/.exec(arn)?.[1] ?? arn
}

/** Names shown for a list before `and N more`. */
const LIST_MAX = 3

/** Pure: the resource a call's input names, `service web, cluster demo`; '' when it names none. */
export function describeResource(input: unknown): string {
  if (!input || typeof input !== 'object') return ''
  const parts: string[] = []
  for (const field of RESOURCE_FIELDS) {
    const value = (input as Input)[field.key]
    const short = field.short ?? ((v: string) => v)
    if (typeof value === 'string' && value !== '') parts.push(`${field.label} ${short(value)}`)
    else if (Array.isArray(value)) {
      const names = value.filter((v): v is string => typeof v === 'string' && v !== '').map(short)
      if (names.length === 0) continue
      const shown = names.slice(0, LIST_MAX).join(', ')
      const more = names.length > LIST_MAX ? ` and ${names.length - LIST_MAX} more` : ''
      parts.push(`${names.length === 1 ? field.label : (field.plural ?? field.label)} ${shown}${more}`)
    }
  }
  return parts.join(', ')
}

/** `DescribeServices` from the SDK's `DescribeServicesCommand`. */
export function operationName(commandName: string | undefined): string {
  return (commandName ?? 'an unnamed call').replace(/Command$/, '')
}

/** Whether a content type is one an AWS protocol answers in (JSON or XML). */
export function isProtocolContentType(contentType: string): boolean {
  return /json|xml/i.test(contentType)
}

/** Bytes of a foreign answer that are read (an error page is small; anything longer is cut). */
const FOREIGN_BODY_MAX = 64 * 1024
/** Characters of it shown in the message. */
const FIRST_BYTES_SHOWN = 80

/** Pure: the start of a body as one printable line, cut at FIRST_BYTES_SHOWN with `…`. */
export function firstBytes(body: Uint8Array): string {
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, FIRST_BYTES_SHOWN * 4))
  // Control characters (a terminal escape, a NUL) become spaces: the text is from outside.
  const text = Array.from(decoded, c => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? ' ' : c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > FIRST_BYTES_SHOWN ? `${text.slice(0, FIRST_BYTES_SHOWN)}…` : text
}

/** Reads up to FOREIGN_BODY_MAX bytes of a response body (a Node stream, or bytes already). */
async function readBody(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body
  if (!body || typeof body !== 'object' || !(Symbol.asyncIterator in body)) return undefined
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    chunks.push(bytes)
    size += bytes.length
    if (size >= FOREIGN_BODY_MAX) {
      ;(body as { destroy?: () => void }).destroy?.()
      break
    }
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.length
  }
  return all
}

interface RawResponse {
  statusCode?: number
  headers?: Record<string, string>
  body?: unknown
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value
  return undefined
}

/** Equips one client's stack: every call's error names the call; foreign answers are kept. */
export function addCallErrors<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  names: ServiceNames
): void {
  // The last foreign answer of each call in progress (one context per send), read on its error.
  const answers = new WeakMap<HandlerExecutionContext, ForeignAnswer>()

  const keepForeignAnswer: DeserializeMiddleware<I, O> = (next, context) => async args => {
    answers.delete(context)
    const result = await next(args)
    const response = result.response as RawResponse
    const contentType = header(response.headers, 'content-type')
    // Only an answer that declares a type the protocol does not speak is read here (AWS always
    // declares JSON or XML); the SDK then parses the same bytes, and fails as it would have.
    if (contentType === undefined || isProtocolContentType(contentType)) return result
    const body = await readBody(response.body)
    if (body === undefined) return result
    response.body = body
    const host = (args.request as { hostname?: unknown } | undefined)?.hostname
    answers.set(context, {
      status: response.statusCode ?? 0,
      contentType,
      ...(typeof host === 'string' && host !== '' && { host }),
      firstBytes: firstBytes(body)
    })
    return result
  }

  const nameTheCall: InitializeMiddleware<I, O> = (next, context) => async args => {
    const started = Date.now()
    try {
      return await next(args)
    } catch (error) {
      const operation = operationName(context.commandName)
      const attempts = (error as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts
      const foreignAnswer = answers.get(context)
      attachAwsCall(error, {
        service: names.service,
        operation,
        iamAction: `${names.iamPrefix}:${operation}`,
        resource: describeResource(args.input),
        ...(typeof attempts === 'number' && { attempts }),
        elapsedMs: Date.now() - started,
        ...(foreignAnswer && { foreignAnswer })
      })
      throw error
    }
  }

  stack.add(nameTheCall, { step: 'initialize', name: 'ecsShipNameTheCall', priority: 'high' })
  // Low priority in the deserialize step: below the SDK's deserializer, so this sees the raw
  // answer first, on every try.
  stack.add(keepForeignAnswer, { step: 'deserialize', name: 'ecsShipKeepForeignAnswer', priority: 'low' })
}
