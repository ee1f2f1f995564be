// One poll of a CodeDeploy deployment: the deployment, its ECS target (lifecycle events, task
// sets), the health of the target group that must end healthy, and the revision's stopped tasks.
// Each lifecycle event is logged as it happens, even when several passed between two polls.
import {
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  type CodeDeployClient
} from '@aws-sdk/client-codedeploy'
import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs'
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { errorName } from '../../errors.js'
import { toTargetView, toTask } from '../../watch/observe.js'
import type { RolloutDeps, RolloutRequest } from '../../rollout/contract.js'
import type { CodeDeployObservation, TaskSetView } from './verdict.js'

export interface CodeDeployDeps extends RolloutDeps {
  readonly codedeploy: CodeDeployClient
}

/** One poll: the deployment, its ECS target (events, task sets), a target group's health, failed tasks. */
export function codeDeployObserver(
  deps: CodeDeployDeps,
  watch: {
    readonly request: RolloutRequest
    readonly deploymentId: string
    readonly targetGroupArn: string | undefined
    readonly taskDefinitionArn: string
  }
) {
  const { request, deploymentId, targetGroupArn, taskDefinitionArn } = watch
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
      ...(info?.status === 'Ready' && { ...readySince(target?.lifecycleEvents ?? []) }),
      ...(targetGroupArn &&
        health && {
          targetGroup: {
            arn: targetGroupArn,
            targets: (health.TargetHealthDescriptions ?? []).map(toTargetView)
          }
        }),
      stoppedTasks: [...seenStopped.values()]
        .filter(t => t.taskDefinitionArn === taskDefinitionArn)
        .map(t => toTask(t))
    }
  }
}

/** At Ready: the wait began when the last lifecycle event before it ended. */
export function readySince(events: readonly { readonly status?: string; readonly endTime?: Date }[]): {
  readySince?: number
} {
  const ends = events
    .filter(e => e.status === 'Succeeded' && e.endTime !== undefined)
    .map(e => new Date(e.endTime ?? 0).getTime())
  return ends.length > 0 ? { readySince: Math.max(...ends) } : {}
}
