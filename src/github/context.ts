// Readers of the runner's environment and event payload: which repository, which pull
// request, which commit, and where the run's log lives. Kept apart from the API calls so they
// are tested with plain objects.
import { existsSync, readFileSync } from 'node:fs'
import { ActionError } from '../errors.js'

export interface RepoRef {
  readonly owner: string
  readonly repo: string
}

/** `owner/repo` from GITHUB_REPOSITORY. */
export function repoFromEnv(env: NodeJS.ProcessEnv): RepoRef {
  const full = env.GITHUB_REPOSITORY ?? ''
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(full)
  if (!match?.[1] || !match[2]) {
    throw new ActionError(`GITHUB_REPOSITORY "${full}" is not in the expected format {owner}/{repo}`)
  }
  return { owner: match[1], repo: match[2] }
}

/** The link to this run's log, shown on deployment statuses. */
export function runLogUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  const repository = env.GITHUB_REPOSITORY
  const runId = env.GITHUB_RUN_ID
  if (!repository || !runId) return undefined
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}${attempt}`
}

interface PullRequestPayload {
  readonly number?: unknown
  readonly pull_request?: { readonly number?: unknown; readonly head?: { readonly sha?: unknown } }
}

/** The pull request number of a pull_request event payload; undefined for other events. */
export function pullRequestNumber(payload: unknown): number | undefined {
  if (!payload || typeof payload !== 'object') return undefined
  const event = payload as PullRequestPayload
  const candidate = event.pull_request?.number ?? (event.pull_request ? event.number : undefined)
  return typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate > 0
    ? candidate
    : undefined
}

/**
 * The commit a deployment records. For pull requests, the head commit the author pushed (the
 * merge commit GITHUB_SHA points at is GitHub's own and never appears in the PR's history).
 */
export function deploymentRef(payload: unknown, env: NodeJS.ProcessEnv): string {
  if (payload && typeof payload === 'object') {
    const sha = (payload as PullRequestPayload).pull_request?.head?.sha
    if (typeof sha === 'string' && sha !== '') return sha
  }
  const sha = env.GITHUB_SHA ?? ''
  if (sha === '') throw new ActionError('GITHUB_SHA is empty: cannot tell which commit is being deployed')
  return sha
}

/**
 * The event payload the runner wrote to GITHUB_EVENT_PATH; undefined when the variable is unset
 * or the file is absent. A file that is there but not JSON is an ActionError naming the variable
 * and the file (JSON.parse alone says `Unexpected end of JSON input` and nothing else).
 */
export function eventPayload(env: NodeJS.ProcessEnv): unknown {
  const path = env.GITHUB_EVENT_PATH
  if (!path || !existsSync(path)) return undefined
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new ActionError(
      `GITHUB_EVENT_PATH ${path}: cannot read the event file (${typeof code === 'string' ? code : String(error)})`
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ActionError(
      `GITHUB_EVENT_PATH ${path}: the event file is not valid JSON (${text.trim() === '' ? 'it is empty' : reason})`
    )
  }
}
