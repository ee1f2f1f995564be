// The GitHub side of one run: a GitHub Deployment when input `environment` is set (created in
// progress once the inputs are valid, moved to success or failure at the end, retired to
// inactive by preview-destroy), and for previews of a pull request the one comment that says
// where the preview is and how it went. Loaded only when there is something to record, so a
// plain deploy never loads the GitHub client.
import * as core from '@actions/core'
import { describeError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { GitHubClient } from './client.js'
import { deploymentRef, eventPayload, pullRequestNumber, repoFromEnv, runLogUrl } from './context.js'
import type { PreviewStatus } from './render.js'
import {
  adoptWaitingDeployment,
  beginDeployment,
  completeDeployment,
  publishPreviewComment,
  retireDeployments,
  type DeploymentHandle,
  type DeploymentOutcome
} from './tracker.js'

export interface RunTracking {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly mode: Inputs['mode']
  readonly environment?: string
  readonly handle?: DeploymentHandle
  readonly logUrl?: string
  readonly commit?: string
  /** The pull request a preview comment goes to. */
  readonly pullRequest?: number
  readonly previewId?: string
  /** A preview's deployment task (see previewTask). */
  readonly task?: string
}

/** How a run ended, as the GitHub side reports it. */
export interface RunOutcome {
  readonly succeeded: boolean
  /** It waits for approval: the GitHub Deployment stays in progress, with the test URL. */
  readonly waiting?: boolean
  readonly description?: string
  readonly environmentUrl?: string
  readonly image?: string
  readonly service?: string
  readonly taskDefinitionArn?: string
}

const isPreview = (mode: Inputs['mode']) => mode === 'preview' || mode === 'preview-destroy'

/**
 * Pure: the deployment task of a preview. Every pull request's preview is recorded in the one
 * environment the workflow runs in (a GITHUB_TOKEN cannot delete environments, so one per pull
 * request would pile up), and its task tells them apart when one is destroyed.
 */
export function previewTask(previewId: string): string {
  return `deploy:preview-${previewId}`
}

/** Pure: whether this run records anything on GitHub. */
export function wantsTracking(inputs: Inputs, pullRequest: number | undefined): boolean {
  if (inputs.github.token === '') return false
  return inputs.github.environment !== undefined || (isPreview(inputs.mode) && pullRequest !== undefined)
}

export async function startTracking(
  inputs: Inputs,
  env: NodeJS.ProcessEnv
): Promise<RunTracking | undefined> {
  if (inputs.github.token === '') return undefined
  let payload: unknown
  try {
    payload = eventPayload(env)
  } catch (error) {
    // GitHub bookkeeping never decides a deploy. And @actions/github parses the same file when
    // it loads, and would throw; so it is not loaded at all.
    core.warning(`${describeError(error)}; nothing of this run is recorded on GitHub`)
    return undefined
  }
  const pullRequest = pullRequestNumber(payload)
  if (!wantsTracking(inputs, pullRequest)) return undefined
  // Loaded here, after the payload was read: @actions/github parses GITHUB_EVENT_PATH on load.
  const { createGitHubClient } = await import('./client.js')
  const octokit = createGitHubClient(inputs.github.token)
  const { owner, repo } = repoFromEnv(env)
  const logUrl = runLogUrl(env)
  const environment = inputs.github.environment
  const commit = env.GITHUB_SHA ? deploymentRef(payload, env) : undefined
  const task =
    isPreview(inputs.mode) && inputs.preview.id !== undefined ? previewTask(inputs.preview.id) : undefined
  // preview-destroy deploys nothing: it retires the environment's deployments at the end.
  const handle =
    environment && inputs.mode !== 'preview-destroy'
      ? await (
          inputs.mode === 'promote' || inputs.mode === 'abort' ? adoptWaitingDeployment : beginDeployment
        )(octokit, {
          owner,
          repo,
          ref: deploymentRef(payload, env),
          environment,
          transient: isPreview(inputs.mode),
          production: !isPreview(inputs.mode),
          ...(logUrl && { logUrl }),
          ...(task !== undefined && { task }),
          description: `ecs-ship ${inputs.mode} of ${inputs.service}`
        })
      : undefined
  return {
    octokit,
    owner,
    repo,
    mode: inputs.mode,
    ...(environment !== undefined && { environment }),
    ...(handle !== undefined && { handle }),
    ...(logUrl !== undefined && { logUrl }),
    ...(commit !== undefined && { commit }),
    ...(isPreview(inputs.mode) && pullRequest !== undefined && { pullRequest }),
    ...(inputs.preview.id !== undefined && { previewId: inputs.preview.id }),
    ...(task !== undefined && { task })
  }
}

/** Pure: the GitHub Deployment's state for how the run ended. */
export function deploymentState(
  outcome: Pick<RunOutcome, 'succeeded' | 'waiting'>
): DeploymentOutcome['state'] {
  if (!outcome.succeeded) return 'failure'
  return outcome.waiting ? 'in_progress' : 'success'
}

/** Pure: the preview comment's status for how the run ended. */
export function previewStatus(mode: Inputs['mode'], succeeded: boolean): PreviewStatus {
  if (mode === 'preview-destroy') return succeeded ? 'destroyed' : 'failed'
  return succeeded ? 'ready' : 'failed'
}

export async function finishTracking(
  tracking: RunTracking | undefined,
  outcome: RunOutcome,
  now: () => Date = () => new Date()
): Promise<void> {
  if (!tracking) return
  const { octokit, owner, repo } = tracking
  // GitHub keeps at most 140 characters of a status description.
  const description = outcome.description?.slice(0, 140)
  if (tracking.mode === 'preview-destroy') {
    // Only this preview's deployments: the environment holds every pull request's.
    if (tracking.environment && tracking.task !== undefined && outcome.succeeded)
      await retireDeployments(octokit, {
        owner,
        repo,
        environment: tracking.environment,
        task: tracking.task,
        ...(tracking.logUrl && { logUrl: tracking.logUrl })
      })
  } else {
    await completeDeployment(octokit, tracking.handle, {
      state: deploymentState(outcome),
      ...(outcome.environmentUrl && { environmentUrl: outcome.environmentUrl }),
      ...(description && { description })
    })
  }
  if (tracking.pullRequest !== undefined) {
    const status = previewStatus(tracking.mode, outcome.succeeded)
    await publishPreviewComment(
      octokit,
      { owner, repo, issueNumber: tracking.pullRequest },
      {
        id: tracking.previewId ?? String(tracking.pullRequest),
        status,
        ...(outcome.environmentUrl && { url: outcome.environmentUrl }),
        ...(outcome.image && { image: outcome.image }),
        ...(tracking.commit && { commit: tracking.commit }),
        ...(outcome.service && { service: outcome.service }),
        ...(outcome.taskDefinitionArn && { taskDefinitionArn: outcome.taskDefinitionArn }),
        ...(tracking.logUrl && { logUrl: tracking.logUrl }),
        ...(!outcome.succeeded && outcome.description && { reason: outcome.description }),
        updatedAt: now().toISOString()
      }
    )
  }
}
