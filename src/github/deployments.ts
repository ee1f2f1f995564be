// GitHub Deployments: one deployment per run for the commit, and its statuses moved as the run
// goes (in_progress → success | failure; inactive when a preview is destroyed). The environment
// page then shows what runs where, with the URL and a link to the log.
import { ActionError } from '../errors.js'
import type { GitHubClient } from './client.js'

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive'

export interface CreateDeploymentOptions {
  readonly owner: string
  readonly repo: string
  /** Commit SHA (or branch) being deployed. */
  readonly ref: string
  readonly environment: string
  /** Previews: GitHub may retire the environment once its deployments are inactive. */
  readonly transient: boolean
  readonly production: boolean
  readonly description?: string
  /**
   * What is deployed; GitHub's default is `deploy`. Previews use `deploy:preview-<id>`, so one
   * environment holds every pull request's preview and each is found again by its task.
   */
  readonly task?: string
}

export interface DeploymentStatusOptions {
  readonly owner: string
  readonly repo: string
  readonly deploymentId: number
  readonly state: DeploymentState
  /** Kept on the environment so a later status (inactive) still names it. */
  readonly environment?: string
  readonly environment_url?: string
  readonly log_url?: string
  readonly description?: string
}

/** GitHub rejects deployment-status descriptions longer than this. */
export const DESCRIPTION_LIMIT = 140

/** Pure: shortens a description to GitHub's limit, marking the cut. */
export function fitDescription(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= DESCRIPTION_LIMIT ? oneLine : `${oneLine.slice(0, DESCRIPTION_LIMIT - 1)}…`
}

export async function createDeployment(
  octokit: GitHubClient,
  options: CreateDeploymentOptions
): Promise<number> {
  const response = await octokit.rest.repos.createDeployment({
    owner: options.owner,
    repo: options.repo,
    ref: options.ref,
    environment: options.environment,
    transient_environment: options.transient,
    production_environment: options.production,
    // The action deploys exactly the commit it was given: no merge of the default branch, and
    // no wait for other status checks (the workflow's own `needs:` decides what must pass first).
    auto_merge: false,
    required_contexts: [],
    task: options.task ?? 'deploy',
    ...(options.description ? { description: fitDescription(options.description) } : {})
  })
  const data = response.data as { id?: unknown; message?: unknown }
  if (typeof data.id !== 'number') {
    const reason = typeof data.message === 'string' ? data.message : `HTTP ${response.status}`
    throw new ActionError(`GitHub did not create a deployment for ${options.environment}: ${reason}`)
  }
  return data.id
}

export async function setDeploymentStatus(
  octokit: GitHubClient,
  options: DeploymentStatusOptions
): Promise<void> {
  await octokit.rest.repos.createDeploymentStatus({
    owner: options.owner,
    repo: options.repo,
    deployment_id: options.deploymentId,
    state: options.state,
    // A success retires the environment's earlier deployments, so only the live one is "Active".
    auto_inactive: options.state === 'success',
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.environment_url ? { environment_url: options.environment_url } : {}),
    ...(options.log_url ? { log_url: options.log_url } : {}),
    ...(options.description ? { description: fitDescription(options.description) } : {})
  })
}

/**
 * Every deployment of the environment (of one task, when given), newest first. preview-destroy
 * marks each one inactive, so the pull request no longer links to a URL that is gone (inactive
 * twice is harmless).
 */
export async function listDeploymentIds(
  octokit: GitHubClient,
  options: {
    readonly owner: string
    readonly repo: string
    readonly environment: string
    readonly task?: string
  }
): Promise<number[]> {
  const deployments = await octokit.paginate(octokit.rest.repos.listDeployments, {
    owner: options.owner,
    repo: options.repo,
    environment: options.environment,
    ...(options.task !== undefined && { task: options.task }),
    per_page: 100
  })
  return deployments.map(deployment => deployment.id)
}

/**
 * The newest of the environment's latest deployments whose last status is in_progress: the one a
 * deploy with wait-until ready left waiting for approval, which the promote or abort run ends.
 * Only the newest few are looked at (a waiting deploy is recent; the approval job follows it).
 */
export async function findInProgressDeployment(
  octokit: GitHubClient,
  options: { readonly owner: string; readonly repo: string; readonly environment: string },
  lookAt = 5
): Promise<number | undefined> {
  const response = await octokit.rest.repos.listDeployments({
    owner: options.owner,
    repo: options.repo,
    environment: options.environment,
    per_page: lookAt
  })
  for (const deployment of response.data) {
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      owner: options.owner,
      repo: options.repo,
      deployment_id: deployment.id,
      per_page: 1
    })
    if (statuses.data[0]?.state === 'in_progress') return deployment.id
  }
  return undefined
}
