// One run's GitHub Deployment, when input `environment` is set: created in progress once the
// inputs are valid, and moved to success or failure when the run ends, with the environment URL.
// Loaded only when an environment is set, so a plain deploy never loads the GitHub client.
import { existsSync, readFileSync } from 'node:fs'
import type { Inputs } from '../inputs.js'
import { createGitHubClient, type GitHubClient } from './client.js'
import { deploymentRef, repoFromEnv, runLogUrl } from './context.js'
import { beginDeployment, completeDeployment, type DeploymentHandle } from './tracker.js'

export interface RunTracking {
  readonly octokit: GitHubClient
  readonly handle: DeploymentHandle | undefined
}

function eventPayload(env: NodeJS.ProcessEnv): unknown {
  const path = env.GITHUB_EVENT_PATH
  if (!path || !existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown
  } catch {
    return undefined
  }
}

export async function startTracking(
  inputs: Inputs,
  env: NodeJS.ProcessEnv
): Promise<RunTracking | undefined> {
  const environment = inputs.github.environment
  if (!environment) return undefined
  const octokit = createGitHubClient(inputs.github.token)
  const { owner, repo } = repoFromEnv(env)
  const preview = inputs.mode === 'preview' || inputs.mode === 'preview-destroy'
  const logUrl = runLogUrl(env)
  const handle = await beginDeployment(octokit, {
    owner,
    repo,
    ref: deploymentRef(eventPayload(env), env),
    environment,
    transient: preview,
    production: !preview,
    ...(logUrl && { logUrl }),
    description: `ecs-ship ${inputs.mode} of ${inputs.service}`
  })
  return { octokit, handle }
}

export async function finishTracking(
  tracking: RunTracking | undefined,
  succeeded: boolean,
  description: string | undefined,
  environmentUrl: string | undefined
): Promise<void> {
  if (!tracking) return
  await completeDeployment(tracking.octokit, tracking.handle, {
    state: succeeded ? 'success' : 'failure',
    ...(environmentUrl && { environmentUrl }),
    // GitHub keeps at most 140 characters of a status description.
    ...(description && { description: description.slice(0, 140) })
  })
}
