// The GitHub side of one run, as the orchestrator uses it: a deployment that starts in progress
// and ends in success or failure, previews' deployments retired on destroy, and the preview
// comment. GitHub bookkeeping never decides a deploy: when a call fails, the run goes on and a
// warning says what was not recorded and, for a missing permission, which one to grant.
import * as core from '@actions/core'
import type { GitHubClient } from './client.js'
import { upsertPullRequestComment } from './comments.js'
import {
  createDeployment,
  findInProgressDeployment,
  listDeploymentIds,
  setDeploymentStatus
} from './deployments.js'
import { renderPreviewComment, type PreviewCommentData } from './render.js'

export type Warn = (message: string) => void

export interface DeploymentTarget {
  readonly owner: string
  readonly repo: string
  /** Commit being deployed (see deploymentRef). */
  readonly ref: string
  readonly environment: string
  readonly transient: boolean
  readonly production: boolean
  /** Link to the workflow run (see runLogUrl). */
  readonly logUrl?: string
  readonly description?: string
  /** The deployment's task (see CreateDeploymentOptions.task). */
  readonly task?: string
}

export interface DeploymentHandle {
  readonly id: number
  readonly target: DeploymentTarget
}

export interface DeploymentOutcome {
  /** in_progress: it waits for approval (wait-until ready); the promote or abort run ends it. */
  readonly state: 'success' | 'failure' | 'in_progress'
  readonly environmentUrl?: string
  readonly description?: string
}

/** Pure: a warning for a failed GitHub call, with the permission to grant when that is the cause. */
export function describeGitHubFailure(what: string, error: unknown, permission: string): string {
  const status = (error as { status?: unknown } | null)?.status
  const message = error instanceof Error ? error.message : String(error)
  if (status === 403 || status === 404) {
    const http = message.includes(`HTTP ${String(status)}`) ? '' : ` (HTTP ${String(status)})`
    return `could not ${what}: ${message}${http}. The job needs \`permissions: ${permission}\`, and a token that can see this repository.`
  }
  return `could not ${what}: ${message}`
}

async function attempt<T>(
  what: string,
  permission: string,
  warn: Warn,
  call: () => Promise<T>
): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    warn(describeGitHubFailure(what, error, permission))
    return undefined
  }
}

/** Creates the deployment and marks it in progress; undefined (after a warning) when GitHub refused. */
export async function beginDeployment(
  octokit: GitHubClient,
  target: DeploymentTarget,
  warn: Warn = core.warning
): Promise<DeploymentHandle | undefined> {
  const permission = 'deployments: write'
  const id = await attempt(`create a GitHub deployment for ${target.environment}`, permission, warn, () =>
    createDeployment(octokit, target)
  )
  if (id === undefined) return undefined
  await attempt('mark the GitHub deployment in progress', permission, warn, () =>
    setDeploymentStatus(octokit, {
      owner: target.owner,
      repo: target.repo,
      deploymentId: id,
      state: 'in_progress',
      environment: target.environment,
      ...(target.logUrl ? { log_url: target.logUrl } : {}),
      ...(target.description ? { description: target.description } : {})
    })
  )
  return { id, target }
}

/**
 * promote and abort: they end the GitHub Deployment the waiting deploy left in_progress (with the
 * test URL), so the environment shows one deployment going in_progress → success | failure. When
 * none is found (another token, or it was already ended), a deployment of their own is begun.
 */
export async function adoptWaitingDeployment(
  octokit: GitHubClient,
  target: DeploymentTarget,
  warn: Warn = core.warning
): Promise<DeploymentHandle | undefined> {
  const id = await attempt(
    `find the GitHub deployment waiting in ${target.environment}`,
    'deployments: read',
    warn,
    () => findInProgressDeployment(octokit, target)
  )
  if (id === undefined) return beginDeployment(octokit, target, warn)
  return { id, target }
}

export async function completeDeployment(
  octokit: GitHubClient,
  handle: DeploymentHandle | undefined,
  outcome: DeploymentOutcome,
  warn: Warn = core.warning
): Promise<void> {
  if (!handle) return
  const { target } = handle
  await attempt(`mark the GitHub deployment ${outcome.state}`, 'deployments: write', warn, () =>
    setDeploymentStatus(octokit, {
      owner: target.owner,
      repo: target.repo,
      deploymentId: handle.id,
      state: outcome.state,
      environment: target.environment,
      ...(outcome.environmentUrl ? { environment_url: outcome.environmentUrl } : {}),
      ...(target.logUrl ? { log_url: target.logUrl } : {}),
      ...(outcome.description ? { description: outcome.description } : {})
    })
  )
}

/** preview-destroy: every deployment of the preview (its environment and task) becomes inactive. */
export async function retireDeployments(
  octokit: GitHubClient,
  target: {
    readonly owner: string
    readonly repo: string
    readonly environment: string
    readonly task?: string
    readonly logUrl?: string
  },
  warn: Warn = core.warning
): Promise<number> {
  const permission = 'deployments: write'
  const ids = await attempt(`list the GitHub deployments of ${target.environment}`, permission, warn, () =>
    listDeploymentIds(octokit, target)
  )
  let retired = 0
  for (const id of ids ?? []) {
    const done = await attempt(`mark GitHub deployment ${id} inactive`, permission, warn, async () => {
      await setDeploymentStatus(octokit, {
        owner: target.owner,
        repo: target.repo,
        deploymentId: id,
        state: 'inactive',
        environment: target.environment,
        ...(target.logUrl ? { log_url: target.logUrl } : {}),
        description: 'Preview destroyed'
      })
      return true
    })
    if (done) retired++
  }
  return retired
}

/** Posts or updates the preview's one comment; undefined (after a warning) when GitHub refused. */
export async function publishPreviewComment(
  octokit: GitHubClient,
  target: { readonly owner: string; readonly repo: string; readonly issueNumber: number },
  data: PreviewCommentData,
  warn: Warn = core.warning
): Promise<number | undefined> {
  const result = await attempt(
    `comment on pull request #${target.issueNumber}`,
    'pull-requests: write',
    warn,
    () => upsertPullRequestComment(octokit, { ...target, body: renderPreviewComment(data) })
  )
  return result?.commentId
}
