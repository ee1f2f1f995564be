// What one AWS request asks IAM: one or more checks, each an IAM action on one resource with the
// request's condition keys. A request passes only when every check is allowed (an operation on
// two resources, or one that implies another action such as ecs:TagResource on create).

/** Condition keys and their values, as the request context carries them. */
export type ConditionContext = Readonly<Record<string, string | readonly string[]>>

export interface Check {
  /** `service:Action`, as in a policy (`ecs:RegisterTaskDefinition`). */
  readonly action: string
  /**
   * The resource ARN AWS evaluates, `*` for actions without resource-level permissions, or an ARN
   * ending in `*` where AWS evaluates a pattern (the revision a RegisterTaskDefinition will get,
   * the id of a task RunTask will start). A policy matches it as a string, the way IAM does.
   */
  readonly resource: string
  readonly context: ConditionContext
  /** Set on an action that AWS authorizes in addition to the one called (tag on create, PassRole). */
  readonly impliedBy?: string
  /** Other actions AWS accepts instead of this one (CodeDeploy: GetApplicationRevision or RegisterApplicationRevision). */
  readonly orActions?: readonly string[]
}

/** A tag as ECS spells it (`key`/`value`) or as ELB and ECR do (`Key`/`Value`). */
export interface AnyTag {
  readonly key?: unknown
  readonly value?: unknown
  readonly Key?: unknown
  readonly Value?: unknown
}

/** Existing resources, as far as authorization needs them; the simulator's world answers. */
export interface World {
  /** Tags of an existing resource by ARN (ECS, ELB, ECR, CodeDeploy, Logs); undefined when unknown. */
  tagsOf(arn: string): Readonly<Record<string, string>> | undefined
  /**
   * The task definition a reference names (ARN, `family:revision`, or a family for its latest
   * ACTIVE revision), with the roles RunTask passes; undefined when there is none.
   */
  taskDefinition?(
    reference: string
  ): { readonly arn: string; readonly taskRoleArn?: string; readonly executionRoleArn?: string } | undefined
  /** The application and deployment group of a CodeDeploy deployment. */
  codeDeployDeployment?(
    deploymentId: string
  ): { readonly applicationName: string; readonly deploymentGroupName: string } | undefined
  /** The deployment configuration a CodeDeploy deployment group uses. */
  deploymentConfigOf?(applicationName: string, deploymentGroupName: string): string | undefined
}

/** Where a request is made, and what exists there. */
export interface RequestScope {
  readonly region: string
  readonly account: string
  readonly world: World
}

/** `tags` of a request as condition keys: `aws:RequestTag/<key>` and `aws:TagKeys`. */
export function requestTagContext(tags: readonly AnyTag[] | Readonly<Record<string, string>> | undefined): {
  [key: string]: string | string[]
} {
  const pairs = tagPairs(tags)
  if (pairs.length === 0) return {}
  const context: Record<string, string | string[]> = { 'aws:TagKeys': pairs.map(([k]) => k) }
  for (const [key, value] of pairs) context[`aws:RequestTag/${key}`] = value
  return context
}

/**
 * Tags of an existing resource as condition keys: `aws:ResourceTag/<key>`, and the service's own
 * alias where it has one (`ecs:ResourceTag/…`, `elasticloadbalancing:ResourceTag/…`); the
 * evaluator keeps only the keys the action supports.
 */
export function resourceTagContext(
  tags: Readonly<Record<string, string>> | undefined,
  servicePrefix?: string
): { [key: string]: string } {
  const context: Record<string, string> = {}
  for (const [key, value] of Object.entries(tags ?? {})) {
    context[`aws:ResourceTag/${key}`] = value
    if (servicePrefix) context[`${servicePrefix}:ResourceTag/${key}`] = value
  }
  return context
}

export function tagPairs(
  tags: readonly AnyTag[] | Readonly<Record<string, string>> | undefined
): [string, string][] {
  if (tags === undefined) return []
  if (!Array.isArray(tags)) return Object.entries(tags as Record<string, string>)
  const pairs: [string, string][] = []
  for (const tag of tags as readonly AnyTag[]) {
    const key = tag.key ?? tag.Key
    const value = tag.value ?? tag.Value
    if (typeof key === 'string') pairs.push([key, typeof value === 'string' ? value : ''])
  }
  return pairs
}

/** A string field of a request, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A list field of a request (an awsQuery request may carry a single value), strings only. */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const list = Array.isArray(value) ? value : [value]
  return list.filter((v): v is string => typeof v === 'string' && v !== '')
}

/** An object field of a request, or an empty record. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
