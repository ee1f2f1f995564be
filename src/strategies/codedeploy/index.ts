// CodeDeploy blue/green for services with the CODE_DEPLOY controller: read the deployment group
// (before anything changes), CreateDeployment with the AppSpec, follow it event by event with the
// shared watch loop and the replacement's target health, and on failure make sure the service
// ends on a known-good revision: follow CodeDeploy's own rollback when it makes one, stop the
// deployment with auto-rollback when we see the failure first, or redeploy the previous revision
// when production traffic had already moved and nothing rolls back.
//
// The one module the rest of the action loads on demand for CodeDeploy services: one bundle chunk
// holds the setup, the in-flight wait and the rollout, instead of one chunk for each.
import * as core from '@actions/core'
import {
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type CodeDeployClient
} from '@aws-sdk/client-codedeploy'
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { revisionName, targetGroupName } from '../../aws/names.js'
import { ActionError, describeError, errorName } from '../../errors.js'
import { watchLoop } from '../../watch/loop.js'
import { readTargetCountEvidence } from '../../watch/observe.js'
import { DEFAULT_FAILURE_THRESHOLD, type Decision } from '../../watch/verdict.js'
import type {
  FailedRollout,
  RollbackOutcome,
  RollbackRecord,
  RolloutDeps,
  RolloutRequest,
  RunningCheck,
  StartedDeployment,
  Strategy,
  Waiting,
  WaitingLookup
} from '../../rollout/contract.js'
import type { ServicePlan } from '../../service/plan.js'
import { pauseNotice } from '../../service/approval.js'
import { appSpecRevision, renderAppSpec } from './appspec.js'
import { activeDeployment, waitForCodeDeployInFlight } from './inflight.js'
import { codeDeployObserver, readySince, type CodeDeployDeps } from './observe.js'
import type { CodeDeploySetup } from './setup.js'
import {
  decideCodeDeploy,
  readyWaiting,
  type CodeDeployContext,
  type CodeDeployObservation
} from './verdict.js'

export { describeCodeDeploySetup, loadCodeDeploySetup } from './setup.js'

/** A CodeDeploy deployment as last seen: its last poll tells the rollback where production is. */
interface CodeDeployDeployment extends StartedDeployment {
  readonly last?: CodeDeployObservation
  /** The follow ended (out of time) while it waited at Ready: nobody's verdict yet. */
  readonly waitingAtEnd?: Waiting
}

export function codeDeployStrategy(
  deps: RolloutDeps & { readonly codedeploy: CodeDeployClient },
  setup: CodeDeploySetup
): Strategy<CodeDeployDeployment> {
  return {
    name: 'codedeploy',
    deps,
    carriedOnBy: 'CodeDeploy',
    notFollowingLine: 'wait-for-service-stability is false: not following the CodeDeploy deployment',
    findInFlight: async () => {
      const id = await activeDeployment(deps.codedeploy, setup)
      return id === undefined ? undefined : { id }
    },
    waitForInFlight: (inFlight, { timeoutMs }) => waitForCodeDeployInFlight(deps, inFlight.id, timeoutMs),
    checkRunning: request => checkRunningTaskSet(deps, request),
    rollOut: async request => {
      // Inputs that mean nothing to CodeDeploy are said out loud rather than silently ignored.
      if (request.desiredCount !== undefined)
        core.warning(
          'input desired-count: not applied by a CodeDeploy deployment (the replacement task set takes the service’s count)'
        )
      const description = `ecs-ship: ${request.plan.serviceName} → ${revisionName(request.target.arn)}`
      const id = await createDeployment(deps.codedeploy, {
        setup,
        request,
        taskDefinitionArn: request.target.arn,
        description
      })
      deps.log(
        `CreateDeployment: ${id} (${setup.application} / ${setup.deploymentGroup}) → ${revisionName(request.target.arn)}`
      )
      return { id }
    },
    follow: async (deployment, request) => {
      const { decision, last } = await follow(deps, {
        request,
        context: {
          label: 'deployment',
          deploymentId: deployment.id,
          waitUntil: setup.waitUntil,
          ...(setup.greenTargetGroupArn !== undefined && { targetGroupArn: setup.greenTargetGroupArn }),
          ...(setup.readyWaitMs !== undefined && {
            ready: {
              waitMs: setup.readyWaitMs,
              taskDefinitionArn: request.target.arn,
              previousTaskDefinitionArn: request.previous.arn
            }
          })
        },
        taskDefinitionArn: request.target.arn
      })
      const waiting =
        last &&
        readyWaiting(
          last,
          {
            deploymentId: deployment.id,
            ready: {
              waitMs: setup.readyWaitMs ?? 0,
              taskDefinitionArn: request.target.arn,
              previousTaskDefinitionArn: request.previous.arn
            }
          },
          decision.progress.targetGroups
        )
      const followed = {
        ...deployment,
        ...(last !== undefined && { last }),
        ...(waiting && decision.kind !== 'done' && { waitingAtEnd: waiting })
      }
      return { decision, followed, ...(waiting && decision.kind === 'done' && { waiting }) }
    },
    // Recovery runs whatever rollback-on-failure says: CodeDeploy's own rollback is followed even
    // when it is off, so the verdict says where the service ended.
    followsRollbackAnyway: () => true,
    rollBack: failed => rollBack(deps, setup, failed),
    findWaiting: (plan, deploymentId) => findWaitingCodeDeploy(deps, setup, plan, deploymentId),
    promote: async waiting => {
      try {
        await deps.codedeploy.send(
          new ContinueDeploymentCommand({
            deploymentId: waiting.deploymentId,
            deploymentWaitType: 'READY_WAIT'
          })
        )
      } catch (error) {
        throw new ActionError(
          `CodeDeploy refused to continue ${waiting.deploymentId}: ${describeError(error)}. Nothing was changed by this run.`
        )
      }
      deps.log(`ContinueDeployment READY_WAIT: ${waiting.deploymentId} was ${pauseNotice(waiting)}`)
      return { id: waiting.deploymentId }
    },
    abort: (waiting, request) => abortCodeDeploy(deps, setup, waiting, request)
  }
}

/**
 * The service already runs the revision: its PRIMARY task set must be steady, and every target in
 * the task set's target group healthy, as many as the task set wants. A look, not a wait:
 * CodeDeploy ends a deployment only once its task set is healthy, so a settled one that is not
 * healthy now will not become so by itself.
 */
async function checkRunningTaskSet(deps: RolloutDeps, request: RolloutRequest): Promise<RunningCheck> {
  const primary = request.plan.service.taskSets?.find(s => s.status === 'PRIMARY')
  const id = primary?.id ?? '-'
  if (!primary) return { kind: 'unhealthy', deploymentId: id, reason: 'the service has no PRIMARY task set' }
  const targetGroup = primary.loadBalancers?.[0]?.targetGroupArn
  if (!request.wait || !targetGroup) return { kind: 'healthy', deploymentId: id }
  const answer = await deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroup }))
  const targets = answer.TargetHealthDescriptions ?? []
  const healthy = targets.filter(t => t.TargetHealth?.State === 'healthy').length
  const wanted = primary.computedDesiredCount ?? 0
  const counted = `${healthy} of ${wanted} targets healthy in ${targetGroupName(targetGroup)}`
  if (primary.stabilityStatus === 'STEADY_STATE' && healthy >= wanted)
    return { kind: 'healthy', deploymentId: id }
  return {
    kind: 'unhealthy',
    deploymentId: id,
    reason: `its PRIMARY task set ${id} is ${primary.stabilityStatus ?? 'not steady'} with ${counted}`
  }
}

async function createDeployment(
  codedeploy: CodeDeployClient,
  create: {
    readonly setup: CodeDeploySetup
    readonly request: RolloutRequest
    readonly taskDefinitionArn: string
    readonly description: string
    readonly purpose?: 'deploy' | 'rollback'
  }
): Promise<string> {
  const { setup, request, taskDefinitionArn, description } = create
  // A rollback runs no hooks, as CodeDeploy's own rollbacks do: the revision is the known-good
  // one, and a check that failed the deploy must not hold production on the failed revision.
  const template =
    create.purpose === 'rollback' && setup.appspec ? { ...setup.appspec, Hooks: undefined } : setup.appspec
  const spec = renderAppSpec(taskDefinitionArn, template, request.plan.loadBalancers[0])
  try {
    const answer = await codedeploy.send(
      new CreateDeploymentCommand({
        applicationName: setup.application,
        deploymentGroupName: setup.deploymentGroup,
        ...(setup.deploymentConfig !== undefined && { deploymentConfigName: setup.deploymentConfig }),
        revision: appSpecRevision(spec),
        description
      })
    )
    if (!answer.deploymentId) throw new ActionError('CreateDeployment returned no deployment id')
    return answer.deploymentId
  } catch (error) {
    if (errorName(error) === 'DeploymentLimitExceededException')
      throw new ActionError(
        `another CodeDeploy deployment of ${setup.deploymentGroup} is in progress; the service was not changed (${describeError(error)})`
      )
    throw error
  }
}

async function follow(
  deps: CodeDeployDeps,
  watch: {
    readonly request: RolloutRequest
    readonly context: Omit<CodeDeployContext, 'startedAt' | 'timeoutMs' | 'failureThreshold'>
    readonly taskDefinitionArn: string
  }
): Promise<{ decision: Decision; last?: CodeDeployObservation }> {
  const { request, context, taskDefinitionArn } = watch
  const full: CodeDeployContext = {
    ...context,
    startedAt: deps.clock.now(),
    timeoutMs: request.timeoutMs,
    failureThreshold: DEFAULT_FAILURE_THRESHOLD
  }
  const observe = codeDeployObserver(deps, {
    request,
    deploymentId: context.deploymentId,
    targetGroupArn: context.targetGroupArn,
    taskDefinitionArn
  })
  let last: CodeDeployObservation | undefined
  const decision = await watchLoop(
    async () => (last = await observe()),
    observation => decideCodeDeploy(observation, full),
    full,
    { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
  )
  return { decision, ...(last !== undefined && { last }) }
}

/** Polls for the rollback deployment: at most this many times, ECS_SHIP_POLL_MIN_MS apart (2 s: a minute). */
const ROLLBACK_LOOKUPS = 30

/** CodeDeploy names its rollback deployment a moment after the failure: ask a few times. */
async function rollbackDeploymentOf(deps: CodeDeployDeps, deploymentId: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < ROLLBACK_LOOKUPS; attempt++) {
    const { deploymentInfo } = await deps.codedeploy.send(new GetDeploymentCommand({ deploymentId }))
    const id = deploymentInfo?.rollbackInfo?.rollbackDeploymentId
    if (id) return id
    const finished = ['Succeeded', 'Failed', 'Stopped'].includes(deploymentInfo?.status ?? '')
    if (finished && attempt >= 3) return undefined
    await deps.clock.sleep(deps.backoff?.minMs ?? 2000)
  }
  return undefined
}

/** After a failure: find or start the rollback, follow it, and say where the service ended. */
async function rollBack(
  deps: CodeDeployDeps,
  setup: CodeDeploySetup,
  { deployment, request, decision }: FailedRollout<CodeDeployDeployment>
): Promise<RollbackOutcome> {
  const deploymentId = deployment.id
  const last = deployment.last
  const reason = decision.reason
  if (deployment.waitingAtEnd && decision.kind === 'failed' && decision.failure.cause === 'timeout')
    // Waiting for a person is not a failure of the revision: theirs is the call, not ours.
    return {
      kind: 'not-rolled-back',
      reason: `deploy failed: ${reason}; not rolled back: it still waits for approval. Run mode: promote or mode: abort (deployment-id ${deploymentId})`,
      taskDefinitionArn: request.previous.arn
    }
  const stillRunning = last !== undefined && !['Succeeded', 'Failed', 'Stopped'].includes(last.status)
  let rollbackId = last?.rollbackDeploymentId
  let startedBy = 'CodeDeploy (the deployment group rolls back by itself)'

  // A failed lifecycle event fails the deployment in CodeDeploy too; a group with automatic
  // rollback then rolls back by itself, and a StopDeployment on top would only race it.
  const codeDeployRollsBack =
    setup.autoRollback && decision.kind === 'failed' && decision.failure.cause === 'rollout-failed'
  if (!rollbackId && stillRunning && request.rollbackOnFailure && !codeDeployRollsBack) {
    // We saw the failure before CodeDeploy: stop it, and let it put the original task set back.
    try {
      await deps.codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }))
      deps.log(`rolling back: StopDeployment ${deploymentId} with auto-rollback`)
      startedBy = 'ecs-ship (StopDeployment with auto-rollback)'
    } catch (error) {
      // It finished (failed, and maybe rolled back) between our last poll and this call.
      if (errorName(error) !== 'DeploymentAlreadyCompletedException') throw error
      deps.log(`${deploymentId} had already finished; looking for its rollback`)
    }
  }
  if (!rollbackId && stillRunning && !request.rollbackOnFailure)
    // Our verdict came first and nothing stops it: CodeDeploy carries on, and may yet move
    // production (or someone may continue a Ready deployment), so nothing here is settled.
    return {
      kind: 'not-rolled-back',
      reason: `deploy failed: ${reason} (rollback-on-failure is off; CodeDeploy carries deployment ${deploymentId} on, ${last.status} when last seen)`
    }
  if (!rollbackId && (request.rollbackOnFailure || setup.autoRollback))
    rollbackId = await rollbackDeploymentOf(deps, deploymentId)

  if (!rollbackId) {
    const production = last?.taskSets.find(s => s.trafficWeight > 0)
    const stayed = !production || production.label === 'Blue'
    if (stayed)
      return {
        kind: 'not-rolled-back',
        reason: `deploy failed: ${reason}; production traffic never left ${revisionName(request.previous.arn)} (CodeDeploy kept the original task set)`,
        // What production runs, as the output says it.
        taskDefinitionArn: request.previous.arn
      }
    if (!request.rollbackOnFailure)
      return {
        kind: 'not-rolled-back',
        reason: `deploy failed: ${reason} (rollback-on-failure is off; production runs the new revision)`
      }
    // Production had moved and nothing rolls back: deploy the previous revision the same way.
    rollbackId = await createDeployment(deps.codedeploy, {
      setup,
      request,
      taskDefinitionArn: request.previous.arn,
      description: `ecs-ship rollback: ${request.plan.serviceName} → ${revisionName(request.previous.arn)}`,
      purpose: 'rollback'
    })
    startedBy = 'ecs-ship (a new deployment of the previous revision)'
    deps.log(`rolling back: CreateDeployment ${rollbackId} → ${revisionName(request.previous.arn)}`)
  } else {
    deps.log(`following rollback deployment ${rollbackId}`)
  }

  const { decision: rollbackDecision } = await followRollbackDeployment(
    deps,
    setup,
    request,
    rollbackId,
    request.previous.arn
  )
  return {
    kind: 'followed',
    rollback: { deploymentId: rollbackId, decision: rollbackDecision, byEcs: false, startedBy },
    healthyAs: rollbackDecision.reason
  }
}

const DEPLOYMENT_ID = /^d-[A-Z0-9]+$/

/** The deployment of the group at Ready (the one named, else the group's active one), changing nothing. */
async function findWaitingCodeDeploy(
  deps: CodeDeployDeps,
  setup: CodeDeploySetup,
  plan: ServicePlan,
  deploymentId: string | undefined
): Promise<WaitingLookup> {
  if (deploymentId !== undefined && !DEPLOYMENT_ID.test(deploymentId))
    return {
      kind: 'none',
      reason: `input deployment-id: "${deploymentId}" is not a CodeDeploy deployment id (d-XXXXXXXXX)`
    }
  const id =
    deploymentId ??
    (await activeDeployment(deps.codedeploy, setup)) ??
    (
      await deps.codedeploy.send(
        new ListDeploymentsCommand({
          applicationName: setup.application,
          deploymentGroupName: setup.deploymentGroup
        })
      )
    ).deployments?.[0]
  if (id === undefined)
    return { kind: 'none', reason: `deployment group ${setup.deploymentGroup} has no deployment` }
  const { deploymentInfo: info } = await deps.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))
  if (info?.applicationName !== setup.application || info.deploymentGroupName !== setup.deploymentGroup)
    return {
      kind: 'none',
      reason: `deployment ${id} is not a deployment of ${setup.application} / ${setup.deploymentGroup}`
    }
  const status = info.status ?? 'Unknown'
  const manual =
    info.blueGreenDeploymentConfiguration?.deploymentReadyOption?.actionOnTimeout === 'STOP_DEPLOYMENT'
  if (status !== 'Ready') {
    if (status === 'Stopped' && info.errorInformation?.code === 'TIMEOUT')
      return {
        kind: 'expired',
        deploymentId: id,
        reason: `deployment ${id} waited at Ready until its wait time ran out, and CodeDeploy stopped it; production stayed on the original task set`
      }
    if (status === 'Succeeded' && manual)
      return {
        kind: 'promoted',
        deploymentId: id,
        taskDefinitionArn:
          plan.service.taskSets?.find(t => t.status === 'PRIMARY')?.taskDefinition ?? plan.taskDefinitionArn,
        reason: `deployment ${id} was already promoted: production was rerouted to it and it Succeeded`
      }
    return {
      kind: 'none',
      reason: `the latest deployment of ${setup.deploymentGroup} (${id}) does not wait for approval: it is ${status}`
    }
  }
  const primary = plan.service.taskSets?.find(t => t.status === 'PRIMARY')
  const replacement = plan.service.taskSets?.find(t => t.status !== 'PRIMARY' && t.status !== 'DRAINING')
  const green = setup.greenTargetGroupArn
    ? [
        await readTargetCountEvidence(
          deps.elb,
          setup.greenTargetGroupArn,
          replacement?.computedDesiredCount ?? plan.desiredCount
        )
      ]
    : []
  const waiting = readyWaiting(
    { status, ...(await readySinceOf(deps, id)) },
    {
      deploymentId: id,
      ready: {
        waitMs: setup.readyWaitMs ?? 0,
        taskDefinitionArn: replacement?.taskDefinition ?? plan.taskDefinitionArn,
        previousTaskDefinitionArn: primary?.taskDefinition ?? plan.taskDefinitionArn
      }
    },
    green
  )
  return waiting ? { kind: 'waiting', waiting } : { kind: 'none', reason: `deployment ${id} is ${status}` }
}

async function readySinceOf(deps: CodeDeployDeps, deploymentId: string) {
  const listed = await deps.codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }))
  const targetId = listed.targetIds?.[0]
  if (targetId === undefined) return {}
  const answer = await deps.codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId }))
  return readySince(answer.deploymentTarget?.ecsTarget?.lifecycleEvents ?? [])
}

/** A rollback deployment of CodeDeploy's, followed to its verdict on the blue target group. */
function followRollbackDeployment(
  deps: CodeDeployDeps,
  setup: CodeDeploySetup,
  request: RolloutRequest,
  rollbackId: string,
  taskDefinitionArn: string
) {
  return follow(deps, {
    request,
    context: {
      label: 'rollback',
      deploymentId: rollbackId,
      waitUntil: 'succeeded',
      ...(setup.blueTargetGroupArn !== undefined && { targetGroupArn: setup.blueTargetGroupArn })
    },
    taskDefinitionArn
  })
}

/** StopDeployment with auto-rollback, then CodeDeploy's rollback followed until the original serves, healthy. */
async function abortCodeDeploy(
  deps: CodeDeployDeps,
  setup: CodeDeploySetup,
  waiting: Waiting,
  request: RolloutRequest
): Promise<RollbackRecord> {
  try {
    await deps.codedeploy.send(
      new StopDeploymentCommand({ deploymentId: waiting.deploymentId, autoRollbackEnabled: true })
    )
  } catch (error) {
    throw new ActionError(
      `CodeDeploy refused to stop ${waiting.deploymentId}: ${describeError(error)}. Nothing was changed by this run.`
    )
  }
  deps.log(
    `StopDeployment ${waiting.deploymentId} with auto-rollback: production goes back to ${revisionName(waiting.previousTaskDefinitionArn)}`
  )
  const rollbackId = await rollbackDeploymentOf(deps, waiting.deploymentId)
  if (!rollbackId)
    throw new ActionError(
      `CodeDeploy stopped ${waiting.deploymentId} but started no rollback deployment; production never left ${revisionName(waiting.previousTaskDefinitionArn)} (CodeDeploy keeps the original task set)`
    )
  deps.log(`following rollback deployment ${rollbackId}`)
  const { decision } = await followRollbackDeployment(
    deps,
    setup,
    request,
    rollbackId,
    waiting.previousTaskDefinitionArn
  )
  return {
    deploymentId: rollbackId,
    decision,
    byEcs: false,
    startedBy: 'ecs-ship (StopDeployment with auto-rollback at Ready)'
  }
}
