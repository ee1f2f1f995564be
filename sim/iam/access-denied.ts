// AWS's own AccessDenied answer for each wire protocol the simulator speaks, as the SDKs receive
// it: awsJson1_1 (ECS, ECR, CloudWatch Logs, CodeDeploy) answers HTTP 400 with the error type in
// `__type` and `x-amzn-ErrorType`; awsQuery (Elastic Load Balancing v2, STS) answers HTTP 403
// with an XML ErrorResponse whose Code is `AccessDenied`; the registry API (docker push/pull)
// answers 403 with a `DENIED` error.
import { XMLBuilder } from 'fast-xml-parser'

export type Protocol = 'json' | 'query' | 'registry'

/** The protocol a simulator service speaks (its call-log name: ecs, ecr, logs, codedeploy, elbv2, sts). */
export function protocolOf(service: string): Protocol {
  return service === 'elbv2' || service === 'sts' ? 'query' : 'json'
}

/**
 * The message AWS gives, e.g. "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized
 * to perform: ecs:RunTask on resource: arn:aws:ecs:…:task-definition/web:9 because no
 * identity-based policy allows the ecs:RunTask action". The awsQuery services leave out
 * "on resource: *" for actions without resource-level permissions
 * ("… is not authorized to perform: elasticloadbalancing:DescribeListenerAttributes because …").
 */
export function accessDeniedMessage(options: {
  readonly principalArn: string
  readonly action: string
  readonly resource: string
  readonly explicit: boolean
  readonly protocol: Protocol
}): string {
  const { principalArn, action, resource, explicit, protocol } = options
  const on = resource === '*' && protocol === 'query' ? '' : ` on resource: ${resource}`
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`
  return `User: ${principalArn} is not authorized to perform: ${action}${on} ${why}`
}

export interface WireAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const xml = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false })

/** The namespace of an awsQuery service's answers. */
const QUERY_NAMESPACES: Readonly<Record<string, string>> = {
  elbv2: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/'
}

/** The AccessDenied answer of a service, with the message of accessDeniedMessage. */
export function accessDeniedAnswer(options: {
  readonly service: string
  readonly message: string
  readonly requestId: string
  /** Registry requests are not a simulator service; say so explicitly. */
  readonly protocol?: Protocol
}): WireAnswer {
  const protocol = options.protocol ?? protocolOf(options.service)
  const { message, requestId } = options
  if (protocol === 'json')
    return {
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'AccessDeniedException',
        'x-amzn-requestid': requestId
      },
      body: JSON.stringify({ __type: 'AccessDeniedException', message })
    }
  if (protocol === 'registry')
    return {
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ errors: [{ code: 'DENIED', message }] })
    }
  const body = xml.build({
    ErrorResponse: {
      '@_xmlns': QUERY_NAMESPACES[options.service] ?? QUERY_NAMESPACES.elbv2,
      Error: { Type: 'Sender', Code: 'AccessDenied', Message: message },
      RequestId: requestId
    }
  })
  return {
    status: 403,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n' + body
  }
}
