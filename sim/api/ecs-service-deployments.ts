// The ECS service deployments API: ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions, StopServiceDeployment and ContinueServiceDeployment as the API
// reference and the developer guide ("Stopping Amazon ECS service deployments", "Continuing
// service deployments", "Pause hooks for Amazon ECS service deployments") describe them.
import type * as E from '@aws-sdk/client-ecs'
import { AwsError } from '../world/aws-error.js'
import type { SimState } from '../world/model.js'
import { service } from './ecs-lookups.js'

/** CreatedAt bounds arrive as epoch seconds (awsJson1_1 timestamps). */
function createdWithin(createdAt: Date | undefined, range: E.CreatedAt | undefined): boolean {
  const at = createdAt?.getTime() ?? 0
  const ms = (v: unknown) => (v === undefined ? undefined : Number(v) * 1000)
  const before = ms(range?.before)
  const after = ms(range?.after)
  return (before === undefined || at <= before) && (after === undefined || at >= after)
}

export function listServiceDeployments(
  state: SimState,
  input: E.ListServiceDeploymentsRequest
): E.ListServiceDeploymentsResponse {
  const svc = service(state, input.cluster, input.service)
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100))
    throw new AwsError('InvalidParameterException', 'maxResults must be between 1 and 100.')
  const briefs: E.ServiceDeploymentBrief[] = [...svc.history]
    .reverse()
    .filter(h => !input.status?.length || input.status.includes(h.status as E.ServiceDeploymentStatus))
    .filter(h => createdWithin(h.createdAt, input.createdAt))
    .map(h => ({
      serviceDeploymentArn: h.serviceDeploymentArn,
      serviceArn: h.serviceArn,
      clusterArn: h.clusterArn,
      startedAt: h.startedAt,
      createdAt: h.createdAt,
      finishedAt: h.finishedAt,
      targetServiceRevisionArn: h.targetServiceRevision?.arn,
      status: h.status,
      statusReason: h.statusReason
    }))
  const start = Number(input.nextToken ?? 0)
  const max = input.maxResults ?? 20
  return {
    serviceDeployments: briefs.slice(start, start + max),
    nextToken: start + max < briefs.length ? String(start + max) : undefined
  }
}

export function describeServiceDeployments(
  state: SimState,
  input: E.DescribeServiceDeploymentsRequest
): E.DescribeServiceDeploymentsResponse {
  const all = [...state.services.values()].flatMap(s => s.history)
  const serviceDeployments: E.ServiceDeployment[] = []
  const failures: E.Failure[] = []
  for (const arn of input.serviceDeploymentArns ?? []) {
    const found = all.find(h => h.serviceDeploymentArn === arn)
    if (found) serviceDeployments.push(found)
    else failures.push({ arn, reason: 'MISSING' })
  }
  return { serviceDeployments, failures }
}

export function describeServiceRevisions(
  state: SimState,
  input: E.DescribeServiceRevisionsRequest
): E.DescribeServiceRevisionsResponse {
  const all = [...state.services.values()].flatMap(s => s.revisions)
  const serviceRevisions: E.ServiceRevision[] = []
  const failures: E.Failure[] = []
  for (const arn of input.serviceRevisionArns ?? []) {
    const found = all.find(r => r.serviceRevisionArn === arn)
    if (found) serviceRevisions.push(found)
    else failures.push({ arn, reason: 'MISSING' })
  }
  return { serviceRevisions, failures }
}

/** The developer guide's list of states a deployment can be stopped in, and what stopping does. */
const STOPPABLE: Partial<Record<E.ServiceDeploymentStatus, 'roll back' | 'continues'>> = {
  PENDING: 'roll back',
  IN_PROGRESS: 'roll back',
  // Already stopping or rolling back: the request is accepted and the deployment carries on.
  STOP_REQUESTED: 'continues',
  ROLLBACK_REQUESTED: 'continues',
  ROLLBACK_IN_PROGRESS: 'continues'
}

function findServiceDeployment(state: SimState, arn: string) {
  for (const svc of state.services.values()) {
    const history = svc.history.find(h => h.serviceDeploymentArn === arn)
    if (history) return { svc, history }
  }
  return undefined
}

/**
 * StopServiceDeployment only records the request: the service deployment is ROLLBACK_REQUESTED,
 * and ECS starts the rollback on its next pass (controllers/rolling/stop-rollback.ts for rolling
 * deployments, controllers/bluegreen/lifecycle.ts for blue/green, linear and canary ones).
 */
export function stopServiceDeployment(
  state: SimState,
  input: E.StopServiceDeploymentRequest,
  now: number
): E.StopServiceDeploymentResponse {
  const arn = input.serviceDeploymentArn
  if (!arn) throw new AwsError('InvalidParameterException', 'serviceDeploymentArn must be specified.')
  // ROLLBACK is the only stop type ECS supports; a request without one asks for it.
  if ((input.stopType ?? 'ROLLBACK') !== 'ROLLBACK')
    throw new AwsError(
      'InvalidParameterException',
      `The stop type ${input.stopType} isn't supported. The valid value is ROLLBACK.`
    )
  const found = findServiceDeployment(state, arn)
  if (!found)
    throw new AwsError('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`)
  const { svc, history } = found
  const status = history.status ?? 'PENDING'
  const effect = STOPPABLE[status]
  const deployment = svc.deployments.find(d => d.serviceDeploymentArn === arn)
  if (!effect || !deployment)
    throw new AwsError(
      'ConflictException',
      `The service deployment ${arn} is ${status} and can't be stopped: only deployments that have not finished can be.`
    )
  if (effect === 'roll back') {
    history.status = 'ROLLBACK_REQUESTED'
    history.statusReason = 'A user requested a rollback with StopServiceDeployment.'
    history.updatedAt = new Date(now)
    deployment.rollbackRequestedAt = now
  }
  return { serviceDeploymentArn: arn }
}

const HOOK_ACTIONS: readonly string[] = ['CONTINUE', 'ROLLBACK']

/**
 * ContinueServiceDeployment: the deployment paused at a PAUSE hook goes on to the next lifecycle
 * stage (CONTINUE, the default) or rolls back to the previous service revision (ROLLBACK). The
 * developer guide's prerequisites: the deployment is IN_PROGRESS and the hook AWAITING_ACTION.
 * The call records the action and the hook's new status (SUCCEEDED for CONTINUE, FAILED for
 * ROLLBACK: the docs do not say which status a rolled-back hook shows; that is our choice); the
 * blue/green controller acts on it at its next pass.
 *
 * Refusals: the API reference lists ServiceDeploymentNotFoundException for an unknown ARN; for a
 * deployment that is not IN_PROGRESS, an unknown hook id, or a hook not AWAITING_ACTION it lists
 * no dedicated exception (no ConflictException, unlike StopServiceDeployment), so we answer
 * InvalidParameterException, the exception it lists for a request that is not valid.
 */
export function continueServiceDeployment(
  state: SimState,
  input: E.ContinueServiceDeploymentRequest,
  now: number
): E.ContinueServiceDeploymentResponse {
  const arn = input.serviceDeploymentArn
  if (!arn) throw new AwsError('InvalidParameterException', 'serviceDeploymentArn must be specified.')
  if (!input.hookId) throw new AwsError('InvalidParameterException', 'hookId must be specified.')
  const action = input.action ?? 'CONTINUE'
  if (!HOOK_ACTIONS.includes(action))
    throw new AwsError(
      'InvalidParameterException',
      `The action ${action} isn't supported. The valid values are CONTINUE and ROLLBACK.`
    )
  const found = findServiceDeployment(state, arn)
  if (!found)
    throw new AwsError('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`)
  const { svc, history } = found
  if (history.status !== 'IN_PROGRESS')
    throw new AwsError(
      'InvalidParameterException',
      `The service deployment ${arn} is ${history.status ?? 'PENDING'}. Only a service deployment that is IN_PROGRESS can be continued.`
    )
  const run = svc.deployments.find(d => d.serviceDeploymentArn === arn)?.blueGreen
  const known = run?.invoked.find(h => h.hookId === input.hookId)
  if (!run || !known)
    throw new AwsError(
      'InvalidParameterException',
      `The lifecycle hook ${input.hookId} does not exist in the service deployment ${arn}.`
    )
  const paused = run.hook?.kind === 'pause' && run.hook.detail === known ? run.hook : undefined
  if (!paused || known.status !== 'AWAITING_ACTION')
    throw new AwsError(
      'InvalidParameterException',
      `The lifecycle hook ${input.hookId} is ${known.status ?? 'IN_PROGRESS'}. Only a pause hook in AWAITING_ACTION status can be continued.`
    )
  paused.continued = { action, at: now }
  known.status = action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED'
  history.updatedAt = new Date(now)
  if (action === 'ROLLBACK') {
    history.status = 'ROLLBACK_REQUESTED'
    history.statusReason = 'A user requested a rollback with ContinueServiceDeployment.'
  }
  return { serviceDeploymentArn: arn }
}
