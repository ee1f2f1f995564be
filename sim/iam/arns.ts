// Resource ARNs in the formats of the Service Authorization Reference, built from what a request
// names (a name, a `family:revision`, an id or an ARN) and where it is made.
import type { RequestScope } from './check.js'

type Scope = Pick<RequestScope, 'region' | 'account'>

const isArn = (value: string) => value.startsWith('arn:')

/** The last path segment of a name-or-ARN (`arn:…:cluster/web-cluster` → `web-cluster`). */
export function lastSegment(nameOrArn: string): string {
  return nameOrArn.split('/').pop() ?? nameOrArn
}

export function ecsArn(scope: Scope, path: string): string {
  return `arn:aws:ecs:${scope.region}:${scope.account}:${path}`
}

/** A cluster as a request names it (absent means `default`). */
export function clusterArn(scope: Scope, cluster: string | undefined): string {
  if (cluster !== undefined && isArn(cluster)) return cluster
  return ecsArn(scope, `cluster/${cluster ?? 'default'}`)
}

export function clusterName(scope: Scope, cluster: string | undefined): string {
  return lastSegment(clusterArn(scope, cluster))
}

export function serviceArn(scope: Scope, cluster: string | undefined, service: string): string {
  if (isArn(service)) return service
  return ecsArn(scope, `service/${clusterName(scope, cluster)}/${service}`)
}

export function taskArn(scope: Scope, cluster: string | undefined, task: string): string {
  if (isArn(task)) return task
  return ecsArn(scope, `task/${clusterName(scope, cluster)}/${task}`)
}

export function containerInstanceArn(scope: Scope, cluster: string | undefined, instance: string): string {
  if (isArn(instance)) return instance
  return ecsArn(scope, `container-instance/${clusterName(scope, cluster)}/${instance}`)
}

/** `family:revision` or an ARN; a bare family is resolved by the caller (it means the latest revision). */
export function taskDefinitionArn(scope: Scope, reference: string): string {
  if (isArn(reference)) return reference
  return ecsArn(scope, `task-definition/${reference}`)
}

/**
 * The service a service deployment or service revision belongs to, from its ARN
 * (`…:service-deployment/<cluster>/<service>/<id>`), with its cluster.
 */
export function parentService(arn: string): { serviceArn: string; clusterArn: string } | undefined {
  const match =
    /^(arn:[^:]+:ecs:[^:]+:[^:]+:)(?:service-deployment|service-revision)\/([^/]+)\/([^/]+)\/[^/]+$/.exec(arn)
  if (!match) return undefined
  const [, prefix, cluster, service] = match
  return { serviceArn: `${prefix}service/${cluster}/${service}`, clusterArn: `${prefix}cluster/${cluster}` }
}

export function ecrRepositoryArn(scope: Scope, repository: string, registryId?: string): string {
  return `arn:aws:ecr:${scope.region}:${registryId ?? scope.account}:repository/${repository}`
}

export function elbArn(scope: Scope, path: string): string {
  return `arn:aws:elasticloadbalancing:${scope.region}:${scope.account}:${path}`
}

/** The rules a listener will hold: `listener/app/…` → `listener-rule/app/…/*`. */
export function listenerRulePattern(listenerArn: string): string {
  return `${listenerArn.replace(':listener/', ':listener-rule/')}/*`
}

export function codeDeployArn(scope: Scope, path: string): string {
  return `arn:aws:codedeploy:${scope.region}:${scope.account}:${path}`
}

export function applicationArn(scope: Scope, application: string): string {
  return codeDeployArn(scope, `application:${application}`)
}

export function deploymentGroupArn(scope: Scope, application: string, group: string): string {
  return codeDeployArn(scope, `deploymentgroup:${application}/${group}`)
}

export function deploymentConfigArn(scope: Scope, config: string): string {
  return codeDeployArn(scope, `deploymentconfig:${config}`)
}

export function logGroupArn(scope: Scope, group: string): string {
  if (isArn(group)) return group.replace(/:\*$/, '')
  return `arn:aws:logs:${scope.region}:${scope.account}:log-group:${group}`
}

export function logStreamArn(scope: Scope, group: string, stream: string): string {
  return `${logGroupArn(scope, group)}:log-stream:${stream}`
}
