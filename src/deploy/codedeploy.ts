// CodeDeploy blue/green for services with the CODE_DEPLOY controller: read the deployment group
// (before anything changes), CreateDeployment with the AppSpec, follow it event by event with the
// shared watch loop and the replacement's target health, and on failure make sure the service
// ends on a known-good revision: follow CodeDeploy's own rollback when it makes one, stop the
// deployment with auto-rollback when we see the failure first, or redeploy the previous revision
// when production traffic had already moved and nothing rolls back.
import { existsSync, readFileSync } from 'node:fs'
import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentGroupInfo
} from '@aws-sdk/client-codedeploy'
import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { AwsClients } from '../aws/clients.js'
import { ActionError, credentialErrorMessage, describeError, isCredentialError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { ServicePlan } from '../plan/service.js'
import {
  appSpecRevision,
  decideCodeDeploy,
  parseAppSpec,
  renderAppSpec,
  type AppSpec,
  type CodeDeployContext,
  type CodeDeployObservation,
  type TaskSetView
} from './codedeploy-plan.js'
import { DEFAULT_FAILURE_THRESHOLD, revisionName, targetGroupName, type Decision } from './decide.js'
import { toTask } from './observe.js'
import type { RolloutDeps, RolloutRequest, RolloutResult } from './rolling.js'
import { watchLoop } from './watch.js'

export interface CodeDeploySetup {
  readonly application: string
  readonly deploymentGroup: string
  readonly deploymentConfig?: string
  readonly appspec?: AppSpec
  readonly waitUntil: 'succeeded' | 'ready'
  /** The group rolls a failed deployment back by itself. */
  readonly autoRollback: boolean
  /** The original task set's target group (production now) and the replacement's. */
  readonly blueTargetGroupArn?: string
  readonly greenTargetGroupArn?: string
}

const errorName = (error: unknown): string =>
  error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : ''

async function readGroup(
  codedeploy: CodeDeployClient,
  application: string,
  deploymentGroup: string
): Promise<DeploymentGroupInfo> {
  try {
    const answer = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup })
    )
    if (!answer.deploymentGroupInfo) throw new Error('GetDeploymentGroup returned no deployment group')
    return answer.deploymentGroupInfo
  } catch (error) {
    const name = errorName(error)
    if (name === 'ApplicationDoesNotExistException')
      throw new ActionError(`input codedeploy-application: application ${application} does not exist`)
    if (name === 'DeploymentGroupDoesNotExistException')
      throw new ActionError(
        `input codedeploy-deployment-group: deployment group ${deploymentGroup} does not exist in application ${application}`
      )
    throw error
  }
}

function readAppSpecFile(path: string): AppSpec {
  if (!existsSync(path)) throw new ActionError(`input codedeploy-appspec: ${path} does not exist`)
  return parseAppSpec(readFileSync(path, 'utf8'), path)
}

/** Everything a CodeDeploy rollout needs, checked before anything in AWS changes. */
export async function loadCodeDeploySetup(
  inputs: Inputs,
  clients: AwsClients,
  plan: ServicePlan
): Promise<CodeDeploySetup> {
  const application = inputs.codedeploy.application ?? `AppECS-${plan.cluster}-${plan.serviceName}`
  const deploymentGroup = inputs.codedeploy.deploymentGroup ?? `DgpECS-${plan.cluster}-${plan.serviceName}`
  const appspec = inputs.codedeploy.appspecPath ? readAppSpecFile(inputs.codedeploy.appspecPath) : undefined
  const group = await readGroup(await clients.codedeploy(), application, deploymentGroup)

  const ready = group.blueGreenDeploymentConfiguration?.deploymentReadyOption
  if (inputs.waitUntil === 'ready' && ready?.actionOnTimeout !== 'STOP_DEPLOYMENT')
    throw new ActionError(
      `input wait-until: \`ready\` needs a deployment group that waits for a manual reroute (deploymentReadyOption STOP_DEPLOYMENT); ${deploymentGroup} continues on its own`
    )
  const rollback = group.autoRollbackConfiguration
  const autoRollback = rollback?.enabled === true && (rollback.events ?? []).includes('DEPLOYMENT_FAILURE')

  // The pair of target groups: blue is the one the PRIMARY task set serves from now.
  const names = (group.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.targetGroups ?? [])
    .map(t => t.name)
    .filter((n): n is string => typeof n === 'string')
  let blue: string | undefined
  let green: string | undefined
  if (names.length === 2) {
    const elb = await clients.elb()
    const found = await elb.send(new DescribeTargetGroupsCommand({ Names: names }))
    const arns = (found.TargetGroups ?? []).map(t => t.TargetGroupArn).filter((a): a is string => !!a)
    const primary = plan.service.taskSets?.find(s => s.status === 'PRIMARY')
    const serving = primary?.loadBalancers?.[0]?.targetGroupArn ?? plan.targetGroupArns[0]
    blue = arns.find(a => a === serving) ?? arns[0]
    green = arns.find(a => a !== blue)
  }
  return {
    application,
    deploymentGroup,
    ...(inputs.codedeploy.deploymentConfig !== undefined && {
      deploymentConfig: inputs.codedeploy.deploymentConfig
    }),
    ...(appspec !== undefined && { appspec }),
    waitUntil: inputs.waitUntil,
    autoRollback,
    ...(blue !== undefined && { blueTargetGroupArn: blue }),
    ...(green !== undefined && { greenTargetGroupArn: green })
  }
}

/** The plan's lines for the log and the summary. */
export function describeCodeDeploySetup(setup: CodeDeploySetup): string[] {
  return [
    `CodeDeploy: application ${setup.application}, deployment group ${setup.deploymentGroup}${setup.deploymentConfig ? `, config ${setup.deploymentConfig}` : ''}`,
    `AppSpec: ${setup.appspec ? `from the file${setup.appspec.Hooks?.length ? `, ${setup.appspec.Hooks.length} hook(s)` : ''}` : "generated from the service's load balancer"}`,
    ...(setup.greenTargetGroupArn && setup.blueTargetGroupArn
      ? [
          `replacement in ${targetGroupName(setup.greenTargetGroupArn)}, original in ${targetGroupName(setup.blueTargetGroupArn)}`
        ]
      : []),
    `on failure: ${setup.autoRollback ? 'the deployment group rolls back by itself' : 'ecs-ship rolls back (the group has no automatic rollback)'}`,
    `done when: ${setup.waitUntil === 'ready' ? 'Ready (replacement on test traffic, waiting for the reroute)' : 'Succeeded'}`
  ]
}

async function createDeployment(
  codedeploy: CodeDeployClient,
  setup: CodeDeploySetup,
  request: RolloutRequest,
  taskDefinitionArn: string,
  description: string,
  purpose: 'deploy' | 'rollback' = 'deploy'
): Promise<string> {
  // A rollback runs no hooks, as CodeDeploy's own rollbacks do: the revision is the known-good
  // one, and a check that failed the deploy must not hold production on the failed revision.
  const template =
    purpose === 'rollback' && setup.appspec ? { ...setup.appspec, Hooks: undefined } : setup.appspec
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
    if (!answer.deploymentId) throw new Error('CreateDeployment returned no deployment id')
    return answer.deploymentId
  } catch (error) {
    if (errorName(error) === 'DeploymentLimitExceededException')
      throw new ActionError(
        `another CodeDeploy deployment of ${setup.deploymentGroup} is in progress; the service was not changed (${describeError(error)})`
      )
    throw error
  }
}

interface CodeDeployDeps extends RolloutDeps {
  readonly codedeploy: CodeDeployClient
}

/** One poll: the deployment, its ECS target (events, task sets), a target group's health, failed tasks. */
function codeDeployObserver(
  deps: CodeDeployDeps,
  request: RolloutRequest,
  deploymentId: string,
  targetGroupArn: string | undefined,
  taskDefinitionArn: string
) {
  let targetId: string | undefined
  const seenStopped = new Map<string, Task>()
  let lastCounts = ''
  const eventStatus = new Map<string, string>()

  /** Each lifecycle event as it happens, even when several passed between two polls. */
  function logEvents(events: readonly { lifecycleEventName?: string; status?: string }[]) {
    for (const event of events) {
      const name = event.lifecycleEventName ?? '?'
      const status = event.status ?? 'Unknown'
      if (status === 'Pending' || eventStatus.get(name) === status) continue
      eventStatus.set(name, status)
      deps.log(`  ${deploymentId} ${name}: ${status}`)
    }
  }

  async function ecsTarget() {
    try {
      if (targetId === undefined) {
        const listed = await deps.codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }))
        targetId = listed.targetIds?.[0]
      }
      if (targetId === undefined) return undefined
      const answer = await deps.codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId }))
      return answer.deploymentTarget?.ecsTarget
    } catch (error) {
      // For a moment after CreateDeployment there are no targets yet.
      if (errorName(error) === 'DeploymentNotStartedException') return undefined
      throw error
    }
  }

  async function stoppedTasks(taskSets: readonly TaskSetView[]) {
    // Listed again only when the task sets' counts move: stopped tasks are what costs the most calls.
    const counts = taskSets.map(s => `${s.label}:${s.runningCount}:${s.pendingCount}`).join('|')
    if (counts === lastCounts) return
    lastCounts = counts
    const listed = await deps.ecs.send(
      new ListTasksCommand({
        cluster: request.plan.cluster,
        serviceName: request.plan.serviceName,
        desiredStatus: 'STOPPED'
      })
    )
    const fresh = (listed.taskArns ?? []).filter(arn => !seenStopped.has(arn)).slice(0, 100)
    if (fresh.length === 0) return
    const described = await deps.ecs.send(
      new DescribeTasksCommand({ cluster: request.plan.cluster, tasks: fresh })
    )
    for (const task of described.tasks ?? []) if (task.taskArn) seenStopped.set(task.taskArn, task)
  }

  return async (): Promise<CodeDeployObservation> => {
    const { deploymentInfo: info } = await deps.codedeploy.send(new GetDeploymentCommand({ deploymentId }))
    const target = await ecsTarget()
    logEvents(target?.lifecycleEvents ?? [])
    const taskSets: TaskSetView[] = (target?.taskSetsInfo ?? []).map(s => ({
      label: s.taskSetLabel ?? '?',
      ...(s.status !== undefined && { status: s.status }),
      desiredCount: s.desiredCount ?? 0,
      runningCount: s.runningCount ?? 0,
      pendingCount: s.pendingCount ?? 0,
      trafficWeight: s.trafficWeight ?? 0,
      ...(s.targetGroup?.name !== undefined && { targetGroupName: s.targetGroup.name })
    }))
    const [health] = await Promise.all([
      targetGroupArn
        ? deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
        : undefined,
      stoppedTasks(taskSets)
    ])
    return {
      at: deps.clock.now(),
      status: info?.status ?? 'Unknown',
      ...(info?.errorInformation?.code !== undefined && { errorCode: info.errorInformation.code }),
      ...(info?.errorInformation?.message !== undefined && { errorMessage: info.errorInformation.message }),
      ...(info?.rollbackInfo?.rollbackDeploymentId !== undefined && {
        rollbackDeploymentId: info.rollbackInfo.rollbackDeploymentId
      }),
      lifecycleEvents: (target?.lifecycleEvents ?? []).map(e => ({
        name: e.lifecycleEventName ?? '?',
        status: e.status ?? 'Unknown',
        ...(e.diagnostics && {
          diagnostics: {
            ...(e.diagnostics.errorCode !== undefined && { errorCode: e.diagnostics.errorCode }),
            ...(e.diagnostics.message !== undefined && { message: e.diagnostics.message }),
            ...(e.diagnostics.scriptName !== undefined && { scriptName: e.diagnostics.scriptName }),
            ...(e.diagnostics.logTail !== undefined && { logTail: e.diagnostics.logTail })
          }
        })
      })),
      taskSets,
      ...(targetGroupArn &&
        health && {
          targetGroup: {
            arn: targetGroupArn,
            targets: (health.TargetHealthDescriptions ?? []).map(d => ({
              id: d.Target?.Id ?? '?',
              ...(d.Target?.Port !== undefined && { port: d.Target.Port }),
              state: d.TargetHealth?.State ?? 'unknown',
              ...(d.TargetHealth?.Reason !== undefined && { reason: d.TargetHealth.Reason }),
              ...(d.TargetHealth?.Description !== undefined && { description: d.TargetHealth.Description })
            }))
          }
        }),
      stoppedTasks: [...seenStopped.values()]
        .filter(t => t.taskDefinitionArn === taskDefinitionArn)
        .map(t => toTask(t))
    }
  }
}

async function follow(
  deps: CodeDeployDeps,
  request: RolloutRequest,
  context: Omit<CodeDeployContext, 'startedAt' | 'timeoutMs' | 'failureThreshold'>,
  taskDefinitionArn: string
): Promise<{ decision: Decision; last?: CodeDeployObservation }> {
  const full: CodeDeployContext = {
    ...context,
    startedAt: deps.clock.now(),
    timeoutMs: request.timeoutMs,
    failureThreshold: DEFAULT_FAILURE_THRESHOLD
  }
  const observe = codeDeployObserver(
    deps,
    request,
    context.deploymentId,
    context.targetGroupArn,
    taskDefinitionArn
  )
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

export function rollOutCodeDeploy(setup: CodeDeploySetup) {
  return async (deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> => {
    if (!deps.codedeploy) throw new Error('the CodeDeploy client is missing')
    const cd: CodeDeployDeps = { ...deps, codedeploy: deps.codedeploy }
    const description = `ecs-ship: ${request.plan.serviceName} → ${revisionName(request.target.arn)}`
    const deploymentId = await createDeployment(
      cd.codedeploy,
      setup,
      request,
      request.target.arn,
      description
    )
    deps.log(
      `CreateDeployment: ${deploymentId} (${setup.application} / ${setup.deploymentGroup}) → ${revisionName(request.target.arn)}`
    )
    if (!request.wait) {
      deps.log('wait-for-service-stability is false: not following the CodeDeploy deployment')
      return { status: 'succeeded', deploymentId, taskDefinitionArn: request.target.arn, rolledBack: false }
    }
    const { decision, last } = await follow(
      cd,
      request,
      {
        label: 'deployment',
        deploymentId,
        waitUntil: setup.waitUntil,
        ...(setup.greenTargetGroupArn !== undefined && { targetGroupArn: setup.greenTargetGroupArn })
      },
      request.target.arn
    )
    if (decision.kind === 'done') {
      deps.log(`healthy: ${decision.reason}`)
      return {
        status: 'succeeded',
        deploymentId,
        taskDefinitionArn: request.target.arn,
        rolledBack: false,
        decision
      }
    }
    for (const line of decision.kind === 'failed' ? decision.failure.evidence : []) deps.log(`  ${line}`)
    const failedResult = (why: string): RolloutResult => ({
      status: 'failed',
      deploymentId,
      taskDefinitionArn: request.target.arn,
      rolledBack: false,
      reason: why,
      decision
    })
    try {
      return await recover(cd, setup, request, deploymentId, decision, last, failedResult)
    } catch (error) {
      const why = isCredentialError(error) ? credentialErrorMessage(error) : describeError(error)
      return failedResult(
        `deploy failed: ${decision.reason}; THE ROLLBACK TO ${request.previous.arn} FAILED TOO: ${why}. The service needs attention now.`
      )
    }
  }
}

/** After a failure: find or start the rollback, follow it, and say where the service ended. */
async function recover(
  deps: CodeDeployDeps,
  setup: CodeDeploySetup,
  request: RolloutRequest,
  deploymentId: string,
  decision: Decision,
  last: CodeDeployObservation | undefined,
  failedResult: (why: string) => RolloutResult
): Promise<RolloutResult> {
  const reason = decision.reason
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
  if (!rollbackId && (request.rollbackOnFailure || setup.autoRollback))
    rollbackId = await rollbackDeploymentOf(deps, deploymentId)

  if (!rollbackId) {
    const production = last?.taskSets.find(s => s.trafficWeight > 0)
    const stayed = !production || production.label === 'Blue'
    if (stayed) {
      return {
        ...failedResult(
          `deploy failed: ${reason}; production traffic never left ${revisionName(request.previous.arn)} (CodeDeploy kept the original task set)`
        ),
        // What production runs, as the output says it.
        taskDefinitionArn: request.previous.arn
      }
    }
    if (!request.rollbackOnFailure)
      return failedResult(
        `deploy failed: ${reason} (rollback-on-failure is off; production runs the new revision)`
      )
    // Production had moved and nothing rolls back: deploy the previous revision the same way.
    rollbackId = await createDeployment(
      deps.codedeploy,
      setup,
      request,
      request.previous.arn,
      `ecs-ship rollback: ${request.plan.serviceName} → ${revisionName(request.previous.arn)}`,
      'rollback'
    )
    startedBy = 'ecs-ship (a new deployment of the previous revision)'
    deps.log(`rolling back: CreateDeployment ${rollbackId} → ${revisionName(request.previous.arn)}`)
  } else {
    deps.log(`following rollback deployment ${rollbackId}`)
  }

  const { decision: rollbackDecision } = await follow(
    deps,
    request,
    {
      label: 'rollback',
      deploymentId: rollbackId,
      waitUntil: 'succeeded',
      ...(setup.blueTargetGroupArn !== undefined && { targetGroupArn: setup.blueTargetGroupArn })
    },
    request.previous.arn
  )
  const rollback = {
    deploymentId: rollbackId,
    decision: rollbackDecision,
    byEcs: false,
    startedBy
  }
  if (rollbackDecision.kind === 'done') {
    return {
      status: 'rolled-back',
      deploymentId,
      taskDefinitionArn: request.previous.arn,
      rolledBack: true,
      reason: `deploy failed: ${reason}; rolled back to ${request.previous.arn} (${rollbackDecision.reason})`,
      decision,
      rollback
    }
  }
  return {
    ...failedResult(
      `deploy failed: ${reason}; THE ROLLBACK TO ${request.previous.arn} FAILED TOO: ${rollbackDecision.reason}. The service needs attention now.`
    ),
    rollback
  }
}
