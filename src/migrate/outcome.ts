// Pure decisions about a one-off task: what a stopped task means for the migration, and what
// RunTask's failures[] mean, in words a person can act on. ECS's own texts ("Run task failed",
// "TaskFailedToStart") say that something failed but rarely why or what to do about it.
import type { Failure, Task } from '@aws-sdk/client-ecs'

export interface TaskOutcome {
  readonly succeeded: boolean
  /** The migrate container's exit code, when it ran far enough to have one. */
  readonly exitCode?: number
  /** Plain words; set whenever succeeded is false. */
  readonly reason?: string
}

/** Explanations for errors that ECS reports by name inside stoppedReason or a container's reason. */
const KNOWN_ERRORS: readonly { readonly pattern: RegExp; readonly explain: string }[] = [
  {
    pattern: /CannotPullContainerError/i,
    explain:
      'the image could not be pulled: check that the image and tag exist, that the task execution role may pull it, and that the subnets reach ECR (public IP, NAT gateway or VPC endpoints)'
  },
  {
    pattern: /ResourceInitializationError/i,
    explain:
      'ECS could not prepare the task, most often because a secret or parameter in the task definition could not be fetched: check the execution role may read it (secretsmanager:GetSecretValue, ssm:GetParameters, kms:Decrypt) and that the subnets reach Secrets Manager/SSM'
  },
  {
    pattern: /CannotStartContainerError/i,
    explain: 'the container could not be started: check its command, entry point and working directory'
  },
  {
    pattern: /OutOfMemory/i,
    explain: 'the container ran out of memory: raise the memory of the task or container'
  },
  {
    pattern: /CannotCreateVolumeError|CannotInspectContainerError|CannotStopContainerError/i,
    explain: 'ECS could not manage the container on its host; re-running usually helps'
  }
]

function explainKnown(text: string | undefined): string | undefined {
  if (!text) return undefined
  return KNOWN_ERRORS.find(known => known.pattern.test(text))?.explain
}

/** Words for the exit codes people meet most often when a process is killed. */
function exitCodeNote(code: number): string {
  if (code === 137) return ' (killed: SIGKILL, often out of memory or stopped)'
  if (code === 143) return ' (terminated: SIGTERM)'
  if (code === 139) return ' (crashed: segmentation fault)'
  if (code === 127) return ' (command not found in the image)'
  if (code === 126) return ' (command found but not executable)'
  return ''
}

function withOriginal(explanation: string | undefined, original: string): string {
  return explanation ? `${explanation} (ECS said: ${original})` : original
}

/** Why a task stopped without an exit code from the migrate container, in plain words. */
export function describeStop(task: Task, containerReason?: string): string {
  const stoppedReason = task.stoppedReason?.trim()
  const stopCode = task.stopCode
  const original = [stopCode, stoppedReason, containerReason].filter(Boolean).join(': ') || 'no reason given'
  const explanation = explainKnown(containerReason) ?? explainKnown(stoppedReason)
  if (explanation) return withOriginal(explanation, original)
  switch (stopCode) {
    case 'TaskFailedToStart':
      return `the task failed to start (ECS said: ${original})`
    case 'UserInitiated':
      return `the task was stopped by a person or another tool before the command finished (ECS said: ${original})`
    case 'SpotInterruption':
    case 'TerminationNotice':
      return `the task's capacity was taken back (Spot interruption or host termination) before the command finished; re-run the deploy (ECS said: ${original})`
    case 'ServiceSchedulerInitiated':
      return `ECS stopped the task (ECS said: ${original})`
    default:
      return `the task stopped without an exit code from the migrate container (ECS said: ${original})`
  }
}

/**
 * The result of a STOPPED task. Only the migrate container's exit code decides: a sidecar that
 * is not essential may still be running or exit non-zero without making the migration fail.
 */
export function decideOutcome(task: Task, containerName: string): TaskOutcome {
  const container = task.containers?.find(c => c.name === containerName)
  const exitCode = container?.exitCode
  if (exitCode !== undefined && exitCode !== null) {
    if (exitCode === 0) return { succeeded: true, exitCode }
    const known = explainKnown(container?.reason)
    const detail = known
      ? `: ${withOriginal(known, container?.reason ?? '')}`
      : container?.reason
        ? `: ${container.reason}`
        : ''
    return {
      succeeded: false,
      exitCode,
      reason: `the command exited with code ${exitCode}${exitCodeNote(exitCode)}${detail}`
    }
  }
  if (!container) {
    return {
      succeeded: false,
      reason: `the task has no container named ${containerName}; ${describeStop(task)}`
    }
  }
  return { succeeded: false, reason: describeStop(task, container.reason) }
}

/** RunTask's failures[] (no task was started), in plain words. */
export function describeRunTaskFailures(failures: readonly Failure[]): string {
  if (failures.length === 0) return 'RunTask started no task and gave no reason'
  const parts = failures.map(failure => {
    const reason = failure.reason ?? 'no reason given'
    const detail = failure.detail ? `, ${failure.detail}` : ''
    const original = `${reason}${detail}${failure.arn ? ` (${failure.arn})` : ''}`
    const resource = /^RESOURCE:(\w+)/i.exec(reason)?.[1]?.toLowerCase()
    if (resource) {
      return `no capacity to place the task: no container instance in the cluster has enough ${resource} free (ECS said: ${original})`
    }
    if (/capacity/i.test(reason)) {
      return `no capacity to place the task; try again later, or give the service subnets in more Availability Zones (ECS said: ${original})`
    }
    if (/^AGENT/i.test(reason))
      return `the container instance's ECS agent is disconnected (ECS said: ${original})`
    if (/^ATTRIBUTE/i.test(reason) || /constraint/i.test(reason)) {
      return `no container instance meets the task's placement constraints or required attributes (ECS said: ${original})`
    }
    if (/^MISSING/i.test(reason)) return `a resource the task needs was not found (ECS said: ${original})`
    return `RunTask failed: ${original}`
  })
  return parts.join('; ')
}
