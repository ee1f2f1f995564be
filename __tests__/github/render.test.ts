import { markerOf, previewMarker, renderPreviewComment } from '../../src/github/render.js'

describe('previewMarker', () => {
  it('is a hidden HTML comment naming the preview', () => {
    expect(previewMarker('42')).toBe('<!-- ecs-ship:preview:42 -->')
  })

  it('cannot end the HTML comment early or span lines', () => {
    const marker = previewMarker('a--> <b>\nc')
    const inside = marker.slice('<!--'.length, -'-->'.length)
    expect(inside).not.toContain('--')
    expect(inside).not.toMatch(/[<>\n]/)
    expect(markerOf(marker)).toBe(marker)
  })
})

describe('markerOf', () => {
  it.each([
    ['<!-- ecs-ship:preview:7 -->\nbody', '<!-- ecs-ship:preview:7 -->'],
    ['  \n<!-- ecs-ship:preview:feature-x -->', '<!-- ecs-ship:preview:feature-x -->'],
    ['text first <!-- ecs-ship:preview:7 -->', undefined],
    ['<!-- something else -->', undefined],
    ['', undefined]
  ])('%j → %j', (body, expected) => {
    expect(markerOf(body)).toBe(expected)
  })
})

describe('renderPreviewComment', () => {
  const ready = {
    id: '42',
    status: 'ready' as const,
    url: 'https://pr-42.preview.example.com',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc',
    commit: '0123456789abcdef',
    service: 'web-pr-42',
    logUrl: 'https://github.com/acme/shop/actions/runs/9',
    updatedAt: '2026-11-22T13:00:00Z'
  }

  it('starts with the marker, so the next run finds it', () => {
    const body = renderPreviewComment(ready)
    expect(body.split('\n')[0]).toBe('<!-- ecs-ship:preview:42 -->')
    expect(markerOf(body)).toBe(previewMarker('42'))
  })

  it('shows the URL as a link, the image and the status', () => {
    const body = renderPreviewComment(ready)
    expect(body).toContain('| Status | 🟢 Ready |')
    expect(body).toContain('| URL | [https://pr-42.preview.example.com](https://pr-42.preview.example.com) |')
    expect(body).toContain('| Image | `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc` |')
    expect(body).toContain('| Log | [https://github.com/acme/shop/actions/runs/9]')
    expect(body).toContain('Updated 2026-11-22T13:00:00Z')
  })

  it('omits rows it has no data for', () => {
    const body = renderPreviewComment({ id: '3', status: 'deploying' })
    expect(body).toContain('🟡 Deploying')
    expect(body).not.toContain('| URL |')
    expect(body).not.toContain('| Image |')
    expect(body).not.toContain('Updated')
  })

  it('gives the reason only when the preview failed, on one line', () => {
    const failed = renderPreviewComment({ id: '3', status: 'failed', reason: 'target unhealthy\n| injected' })
    expect(failed).toContain('| Reason | target unhealthy  injected |')
    expect(renderPreviewComment({ id: '3', status: 'ready', reason: 'old' })).not.toContain('Reason')
    const hostile = renderPreviewComment({
      id: '3',
      status: 'failed',
      reason: 'stopped: <img src=x> [click](https://evil.example)'
    })
    expect(hostile).toContain('| Reason | stopped: \\<img src=x\\> \\[click\\](https://evil.example) |')
  })

  it('strikes the URL out once destroyed and says why', () => {
    const body = renderPreviewComment({ ...ready, status: 'destroyed' })
    expect(body).toContain('⚪ Destroyed')
    expect(body).toContain('~~`https://pr-42.preview.example.com`~~')
    expect(body).toContain('removed when the pull request closed')
  })

  it('never turns a non-http URL or backticks into markup', () => {
    const body = renderPreviewComment({ id: '1', status: 'ready', url: 'javascript:alert(1)', image: 'a`b' })
    expect(body).toContain('| URL | `javascript:alert(1)` |')
    expect(body).not.toContain('](javascript')
    expect(body).toContain("`a'b`")
  })
})
