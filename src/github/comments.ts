// One pull-request comment per preview, updated in place on every push: the run finds its own
// earlier comment by the hidden marker on the first line and edits it; only the first run posts.
import { ActionError } from '../errors.js'
import type { GitHubClient } from './client.js'
import { markerOf } from './render.js'

export interface UpsertCommentOptions {
  readonly owner: string
  readonly repo: string
  readonly issueNumber: number
  /** Must start with a marker such as `<!-- ecs-ship:preview:42 -->` (renderPreviewComment does). */
  readonly body: string
}

export interface UpsertResult {
  readonly commentId: number
  readonly action: 'created' | 'updated' | 'unchanged'
}

interface CommentLike {
  readonly id: number
  readonly body?: string | null
}

/** Pure: the oldest comment whose body starts with the marker (a quote of it in a reply does not count). */
export function findMarkedComment<T extends CommentLike>(
  comments: readonly T[],
  marker: string
): T | undefined {
  return comments.find(comment => (comment.body ?? '').trimStart().startsWith(marker))
}

export async function upsertPullRequestComment(
  octokit: GitHubClient,
  options: UpsertCommentOptions
): Promise<UpsertResult> {
  const marker = markerOf(options.body)
  if (!marker) {
    throw new ActionError('a preview comment must start with its <!-- ecs-ship:… --> marker')
  }
  const { owner, repo, issueNumber } = options
  // Busy pull requests have hundreds of comments: read every page, not just the first 30.
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100
  })
  const existing = findMarkedComment(comments, marker)
  if (!existing) {
    const created = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body: options.body
    })
    return { commentId: created.data.id, action: 'created' }
  }
  if (existing.body === options.body) return { commentId: existing.id, action: 'unchanged' }
  await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: options.body })
  return { commentId: existing.id, action: 'updated' }
}
