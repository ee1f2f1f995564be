// Builds the one Octokit the action uses for GitHub. The token is registered as a secret before
// anything else happens, so no later log line (an error that echoes a request, a debug dump)
// can show it. Everything that calls GitHub receives this client as a parameter.
//
// GitHub bookkeeping never holds up a deploy: every request goes through one hook that gives
// each try a time limit, tries again what is safe to try again, and keeps the whole run's time on
// GitHub within a budget. A GitHub that accepts the connection and never answers costs the run
// at most GITHUB_LIMITS.budgetMs in all, before and after the deploy together.
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { ActionError } from '../errors.js'

export type GitHubClient = ReturnType<typeof getOctokit>

/** How long GitHub calls may take: each try, the tries of one call, and all calls of a run. */
export interface GitHubLimits {
  /** One try waits this long for the answer (and its body). */
  readonly attemptMs: number
  /** Tries of one call, the first included. */
  readonly attempts: number
  /** Pause before the second try; it doubles for each further one. */
  readonly pauseMs: number
  /** Time the run may spend on GitHub in all (tries and pauses); a call past it is not made. */
  readonly budgetMs: number
}

/**
 * A deploy records 3 calls on GitHub (create, in progress, success/failure), each well under a
 * second when GitHub is well. 10 s without an answer means it will not come; a minute in all is
 * what a run gives GitHub before it stops asking.
 */
export const GITHUB_LIMITS: GitHubLimits = { attemptMs: 10_000, attempts: 3, pauseMs: 1000, budgetMs: 60_000 }

export interface GitHubClientOptions {
  /**
   * REST API root. When absent, @actions/github uses GITHUB_API_URL (set by the runner, and
   * GitHub Enterprise's own), which is also how end-to-end tests point the bundled action at a
   * local stub.
   */
  readonly baseUrl?: string
  readonly limits?: GitHubLimits
  /** Milliseconds now, and a pause (the real clock in the action). */
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

/** A GitHub call that failed, in words that say which call and how many tries it got. */
export class GitHubCallError extends Error {
  override readonly name = 'GitHubCallError'
  constructor(
    message: string,
    /** The HTTP status GitHub answered with; undefined when no answer came. */
    readonly status: number | undefined,
    readonly attempts: number,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

interface RequestFailure {
  readonly status?: unknown
  readonly response?: unknown
  readonly message?: unknown
  readonly cause?: { readonly code?: unknown; readonly cause?: { readonly code?: unknown } }
}

/** Connection failures that mean the request never reached GitHub, so any method may be sent again. */
const NEVER_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']

/**
 * Pure: whether a failed try may be tried again. GitHub's own overload answers (429, 5xx) are;
 * a missing answer is for reads and edits, and for a POST only when the connection never opened,
 * because a POST that timed out may have been done (a second deployment or comment is worse
 * than a warning).
 */
export function mayRetry(
  method: string,
  failure: { readonly status?: number; readonly neverSent: boolean }
): boolean {
  if (failure.status !== undefined) return failure.status === 429 || failure.status >= 500
  return method.toUpperCase() !== 'POST' || failure.neverSent
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`
}

function tries(n: number): string {
  return n === 1 ? '1 try' : `${n} tries`
}

export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  if (token.trim() === '') {
    throw new ActionError('input github-token: is empty; GitHub deployments and comments need a token')
  }
  core.setSecret(token)
  const limits = options.limits ?? GITHUB_LIMITS
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)))
  const octokit = getOctokit(token, options.baseUrl ? { baseUrl: options.baseUrl } : {})
  let spentMs = 0

  octokit.hook.wrap('request', async (request, endpoint) => {
    const method = String(endpoint.method ?? 'GET').toUpperCase()
    const path = octokit.request.endpoint.parse(endpoint).url.replace(/\?.*$/, '')
    const call = `${method} ${path}`
    let attempts = 0
    for (;;) {
      const left = limits.budgetMs - spentMs
      if (left <= 0) {
        throw new GitHubCallError(
          `${call} was not sent: the run has spent its ${seconds(limits.budgetMs)} on GitHub`,
          undefined,
          attempts
        )
      }
      attempts++
      const limit = Math.min(limits.attemptMs, left)
      const timeout = AbortSignal.timeout(limit)
      const started = now()
      let failure: RequestFailure
      try {
        // Set on the options object itself: the hooks inside this one (the token's) were bound
        // to it, and ignore options passed to them.
        endpoint.request = { ...endpoint.request, signal: timeout }
        return await request(endpoint)
      } catch (error) {
        failure = (error ?? {}) as RequestFailure
      } finally {
        spentMs += now() - started
      }
      const answered = failure.response !== undefined && typeof failure.status === 'number'
      const status = answered ? (failure.status as number) : undefined
      const code = failure.cause?.code ?? failure.cause?.cause?.code
      const neverSent = !timeout.aborted && typeof code === 'string' && NEVER_SENT.includes(code)
      const retry =
        attempts < limits.attempts && mayRetry(method, { ...(status !== undefined && { status }), neverSent })
      if (!retry) {
        const message = typeof failure.message === 'string' ? failure.message : String(failure)
        const what = timeout.aborted
          ? `no answer within ${seconds(limit)}`
          : typeof code === 'string' && !message.includes(code)
            ? `${message} (${code})`
            : message
        const unsent =
          timeout.aborted && method === 'POST' && attempts === 1
            ? '; not sent again, as GitHub may have done it'
            : ''
        const http = status !== undefined ? `HTTP ${status}, ` : ''
        throw new GitHubCallError(`${call}: ${what} (${http}${tries(attempts)}${unsent})`, status, attempts, {
          cause: failure
        })
      }
      const pause = Math.min(limits.pauseMs * 2 ** (attempts - 1), Math.max(0, limits.budgetMs - spentMs))
      const pauseStarted = now()
      await sleep(pause)
      spentMs += now() - pauseStarted
    }
  })
  return octokit
}
