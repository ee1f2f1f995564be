// The handler registry: which service answers a request. awsJson1_1 services are found by the
// prefix of their X-Amz-Target header, awsQuery services by the API version in the form body.
// A new AWS service is one file in api/ and one entry here.
import { codeDeployHandlers, CODEDEPLOY_MUTATING } from '../api/codedeploy.js'
import { ecrHandlers, ECR_MUTATING } from '../api/ecr.js'
import { ecsHandlers, ECS_MUTATING } from '../api/ecs.js'
import { elbHandlers, ELB_MUTATING } from '../api/elbv2.js'
import type { AnyHandlers } from '../api/handlers.js'
import { logsHandlers, LOGS_MUTATING } from '../api/logs.js'
import { stsHandlers } from '../api/sts.js'

export interface ServiceRegistry {
  readonly service: string
  readonly handlers: AnyHandlers
  /** The operations that change state, as the call log marks them. */
  readonly mutating: ReadonlySet<string>
}

/** awsJson1_1 services by X-Amz-Target prefix. */
export const JSON_SERVICES: Record<string, ServiceRegistry> = {
  AmazonEC2ContainerServiceV20141113: { service: 'ecs', handlers: ecsHandlers, mutating: ECS_MUTATING },
  AmazonEC2ContainerRegistry_V20150921: { service: 'ecr', handlers: ecrHandlers, mutating: ECR_MUTATING },
  Logs_20140328: { service: 'logs', handlers: logsHandlers, mutating: LOGS_MUTATING },
  CodeDeploy_20141006: { service: 'codedeploy', handlers: codeDeployHandlers, mutating: CODEDEPLOY_MUTATING }
}

/** awsQuery services by API version, with the XML namespace of their answers. */
export const QUERY_SERVICES: Record<string, ServiceRegistry & { readonly namespace: string }> = {
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

/** A registry's own handler for an operation: `constructor` or `toString` in a request is not one. */
export function handlerFor(registry: ServiceRegistry, operation: string) {
  return Object.hasOwn(registry.handlers, operation) ? registry.handlers[operation] : undefined
}
