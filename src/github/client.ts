// Builds the one Octokit the action uses for GitHub. The token is registered as a secret before
// anything else happens, so no later log line (an error that echoes a request, a debug dump)
// can show it. Everything that calls GitHub receives this client as a parameter.
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { ActionError } from '../errors.js'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  /**
   * REST API root. When absent, @actions/github uses GITHUB_API_URL (set by the runner, and
   * GitHub Enterprise's own), which is also how end-to-end tests point the bundled action at a
   * local stub.
   */
  readonly baseUrl?: string
}

export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  if (token.trim() === '') {
    throw new ActionError('input github-token: is empty; GitHub deployments and comments need a token')
  }
  core.setSecret(token)
  return getOctokit(token, options.baseUrl ? { baseUrl: options.baseUrl } : {})
}
