// Pure rendering of the pull-request comment a preview keeps up to date. The hidden marker on
// its first line is how the next run finds this comment again instead of posting a new one.
import { markdownText } from '../report/markdown.js'

export type PreviewStatus = 'deploying' | 'ready' | 'failed' | 'destroyed'

export interface PreviewCommentData {
  /** Preview id (the pull request number unless preview-id says otherwise). */
  readonly id: string
  readonly status: PreviewStatus
  readonly url?: string
  /** Image by digest, as deployed. */
  readonly image?: string
  /** Commit the preview runs. */
  readonly commit?: string
  readonly service?: string
  readonly taskDefinitionArn?: string
  /** Link to the workflow run. */
  readonly logUrl?: string
  /** Why it failed, one line. */
  readonly reason?: string
  /** ISO time of this update, supplied by the caller so rendering stays pure. */
  readonly updatedAt?: string
}

const MARKER_PREFIX = 'ecs-ship:preview:'

/** The hidden marker that identifies one preview's comment. */
export function previewMarker(id: string): string {
  // `--` would end the HTML comment early; ids are short and plain, but never trust that.
  return `<!-- ${MARKER_PREFIX}${id.replace(/-{2,}/g, '-').replace(/[<>\s]/g, '')} -->`
}

/** The marker at the start of a body, if it has one. */
export function markerOf(body: string): string | undefined {
  const match = /^<!-- ecs-ship:[^\s<>]+ -->/.exec(body.trimStart())
  return match?.[0]
}

const STATUS_LINE: Record<PreviewStatus, string> = {
  deploying: '🟡 Deploying',
  ready: '🟢 Ready',
  failed: '🔴 Failed',
  destroyed: '⚪ Destroyed'
}

/** Inline code that cannot be broken out of: backticks inside would end the span. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\``
}

/** Only http(s) URLs become links; anything else is shown as plain code. */
function link(url: string): string {
  return /^https?:\/\/[^\s()<>]+$/.test(url) ? `[${url}](${url})` : code(url)
}

export function renderPreviewComment(data: PreviewCommentData): string {
  const rows: [string, string][] = [['Status', STATUS_LINE[data.status]]]
  if (data.url) rows.push(['URL', data.status === 'destroyed' ? `~~${code(data.url)}~~` : link(data.url)])
  if (data.image) rows.push(['Image', code(data.image)])
  if (data.commit) rows.push(['Commit', code(data.commit)])
  if (data.service) rows.push(['Service', code(data.service)])
  if (data.taskDefinitionArn) rows.push(['Task definition', code(data.taskDefinitionArn)])
  if (data.reason && data.status === 'failed')
    rows.push(['Reason', markdownText(data.reason.replace(/[\r\n|]+/g, ' '))])
  if (data.logUrl) rows.push(['Log', link(data.logUrl)])

  const lines = [
    previewMarker(data.id),
    `### Preview \`${data.id.replace(/`/g, "'")}\``,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${key} | ${value} |`)
  ]
  if (data.status === 'destroyed') {
    lines.push('', 'The preview environment was removed when the pull request closed.')
  }
  if (data.updatedAt) lines.push('', `<sub>Updated ${data.updatedAt} by ecs-ship.</sub>`)
  return `${lines.join('\n')}\n`
}
