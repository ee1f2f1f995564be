// The preview comment against a local stub of GitHub's REST API: one comment, upserted.
import { jest } from '@jest/globals'
import { createGitHubClient } from '../../src/github/client.js'
import { findMarkedComment, upsertPullRequestComment } from '../../src/github/comments.js'
import { previewMarker, renderPreviewComment } from '../../src/github/render.js'
import { startRestStub, type RestStub } from './rest-stub.js'

const TOKEN = 'ghs_commenttoken987'
const target = { owner: 'acme', repo: 'shop' }

describe('findMarkedComment', () => {
  const marker = previewMarker('9')
  it('finds the oldest comment that starts with the marker', () => {
    const comments = [
      { id: 1, body: 'hello' },
      { id: 2, body: `> ${marker}\n> quoted by someone` },
      { id: 3, body: `${marker}\nours` },
      { id: 4, body: `${marker}\nduplicate` },
      { id: 5, body: null }
    ]
    expect(findMarkedComment(comments, marker)?.id).toBe(3)
  })

  it("does not take another preview's comment", () => {
    expect(findMarkedComment([{ id: 1, body: `${previewMarker('90')}\n` }], marker)).toBeUndefined()
  })
})

describe('upsertPullRequestComment (local REST stub)', () => {
  let stub: RestStub
  let writeSpy: jest.SpiedFunction<typeof process.stdout.write>

  beforeAll(async () => {
    stub = await startRestStub(TOKEN)
  })
  afterAll(async () => {
    await stub.close()
  })
  beforeEach(() => {
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterEach(() => writeSpy.mockRestore())

  it('posts once, then updates the same comment on the next push', async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    // 150 comments from people first: ours lands on the second page, so only paging finds it.
    stub.seedComments(
      42,
      Array.from({ length: 150 }, (_, i) => `review note ${i}`)
    )

    const first = await upsertPullRequestComment(octokit, {
      ...target,
      issueNumber: 42,
      body: renderPreviewComment({ id: '42', status: 'deploying', commit: 'aaa' })
    })
    const second = await upsertPullRequestComment(octokit, {
      ...target,
      issueNumber: 42,
      body: renderPreviewComment({
        id: '42',
        status: 'ready',
        url: 'https://pr-42.example.com',
        commit: 'bbb'
      })
    })

    expect(first.action).toBe('created')
    expect(second).toEqual({ commentId: first.commentId, action: 'updated' })
    const ours = (stub.comments.get(42) ?? []).filter(c => c.body.startsWith(previewMarker('42')))
    expect(ours).toHaveLength(1)
    expect(ours[0]?.body).toContain('🟢 Ready')
    expect(ours[0]?.body).toContain('`bbb`')

    const writes = stub.calls.filter(c => c.method !== 'GET').map(c => `${c.method} ${c.path}`)
    expect(writes).toEqual([
      'POST /repos/acme/shop/issues/42/comments',
      `PATCH /repos/acme/shop/issues/comments/${first.commentId}`
    ])
    const pagesRead = stub.calls.filter(c => c.method === 'GET').map(c => c.query.page ?? '1')
    expect(pagesRead).toEqual(['1', '2', '1', '2'])
  })

  it('keeps separate comments for separate previews, and skips an identical update', async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const body = renderPreviewComment({ id: 'feature-a', status: 'ready' })
    const a = await upsertPullRequestComment(octokit, { ...target, issueNumber: 7, body })
    const b = await upsertPullRequestComment(octokit, {
      ...target,
      issueNumber: 7,
      body: renderPreviewComment({ id: 'feature-b', status: 'ready' })
    })
    const again = await upsertPullRequestComment(octokit, { ...target, issueNumber: 7, body })

    expect(b.commentId).not.toBe(a.commentId)
    expect(again).toEqual({ commentId: a.commentId, action: 'unchanged' })
    expect(stub.comments.get(7)).toHaveLength(2)
  })

  it('refuses a body without a marker before calling GitHub', async () => {
    const octokit = createGitHubClient(TOKEN, { baseUrl: stub.baseUrl })
    const before = stub.calls.length
    await expect(
      upsertPullRequestComment(octokit, { ...target, issueNumber: 1, body: 'plain' })
    ).rejects.toThrow('marker')
    expect(stub.calls).toHaveLength(before)
  })
})
