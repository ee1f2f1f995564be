// What the health gate needs to know about a revision: how its tasks show up in a target group
// (network mode) and whether their own health checks gate a service without a load balancer.

export interface RevisionFacts {
  readonly arn: string
  readonly networkMode: string
  readonly containerHealthChecks: boolean
}

export function revisionFacts(arn: string, taskDefinition: object): RevisionFacts {
  const definition = taskDefinition as {
    networkMode?: unknown
    containerDefinitions?: { healthCheck?: unknown; essential?: unknown }[]
  }
  const containers = definition.containerDefinitions ?? []
  return {
    arn,
    networkMode: typeof definition.networkMode === 'string' ? definition.networkMode : 'bridge',
    // ECS derives a task's health from its essential containers only: a check on a sidecar alone
    // leaves the task's health UNKNOWN, so gating on it would wait for ever.
    containerHealthChecks: containers.some(
      c => c.essential !== false && c.healthCheck !== undefined && c.healthCheck !== null
    )
  }
}
