// The job summary: what was deployed where, what changed, how long each phase took, the verdict
// and the evidence behind it. Pure (data in, Markdown out); main.ts writes it in `finally`, so a
// failed deploy still explains itself. Secrets appear only by name and source, never by value:
// nothing here reads a secret value, and the diff lines show values by the rule of
// taskdef/shown-value.ts (whole, or a name with a fingerprint). Much of the text comes from outside
// the action (reasons, stopped tasks, ELB descriptions, log lines): it is shown as text, never
// read as Markdown or HTML, so it cannot leave its table cell, open a tag, or draw a link.
import type { ImageResult, MigrateResult, PhaseTiming } from '../phases.js'
import type { TargetGroupEvidence } from '../watch/verdict.js'
import type { RolloutTimeline } from '../watch/timeline.js'
import { adviceLines, advise } from './advisor.js'
import { revisionName, targetGroupName } from '../aws/names.js'
import { waitingLines, type Waiting } from '../service/approval.js'
import { markdownBlock as block, markdownCode as code, markdownText as cell } from './markdown.js'

export type RunStatus =
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'unchanged'
  | 'dry-run'
  /** Deployed, but the service runs no task: nothing was started or health-checked. */
  | 'no-tasks'
  /** The workflow was cancelled; the reason says where the service is and what a re-run does. */
  | 'cancelled'
  /** wait-until ready: the new revision serves test traffic, healthy, and waits for promote or abort. */
  | 'ready'
  /** mode abort: the waiting deployment was rolled back, the previous revision healthy on production. */
  | 'aborted'

export interface ReportData {
  readonly mode: string
  readonly cluster?: string
  readonly service?: string
  readonly status: RunStatus
  /** Why it failed, or what happened when nothing did. */
  readonly reason?: string
  readonly strategy?: string
  readonly previousTaskDefinitionArn?: string
  /** The revision this run deployed (after a rollback, not the one the service runs). */
  readonly attemptedTaskDefinitionArn?: string
  /** The revision the service runs (or is meant to run) when the run ends. */
  readonly taskDefinitionArn?: string
  readonly deploymentId?: string
  /** Rollback mode: the revision it puts back, and why that one. */
  readonly rollbackTarget?: string
  readonly image?: string
  readonly plan?: readonly string[]
  readonly diff?: readonly string[]
  readonly timings: readonly PhaseTiming[]
  /** How the health gate decided, in one sentence. */
  readonly healthGate?: string
  readonly evidence?: readonly TargetGroupEvidence[]
  /** Stopped tasks, exit codes, ELB reasons behind a failure. */
  readonly failureEvidence?: readonly string[]
  readonly rollback?: {
    readonly deploymentId: string
    readonly byEcs: boolean
    readonly startedBy?: string
    readonly healthy: boolean
    readonly reason: string
    /** The targets of the rollback's deployment, as last seen. */
    readonly evidence?: readonly TargetGroupEvidence[]
    readonly failureEvidence?: readonly string[]
  }
  readonly imageResult?: ImageResult
  readonly migrateResult?: MigrateResult
  /** preview mode: where the preview answers. */
  readonly previewUrl?: string
  /** Where the rollout's time went (the watch's timeline), for the advisor. */
  readonly timeline?: RolloutTimeline
  /** A deployment that waits for approval (status ready), and where its test traffic answers. */
  readonly waiting?: Waiting
  readonly testUrl?: string
}

const STATUS_TEXT: Record<RunStatus, string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  'rolled-back': '↩️ rolled back',
  unchanged: '⏸️ unchanged',
  'dry-run': '📝 dry run',
  'no-tasks': '⚠️ deployed, no tasks to check',
  cancelled: '⏹️ cancelled',
  ready: '⏳ waiting for approval',
  aborted: '↩️ aborted, previous revision healthy'
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`
}

function fence(lines: readonly string[], language = ''): string {
  const body = lines.join('\n')
  // A fence longer than any run of backticks inside, so nothing can close it early.
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map(run => run.length))
  const ticks = '`'.repeat(longest + 1)
  return `${ticks}${language}\n${body}\n${ticks}`
}

function imageSection(image: ImageResult): string[] {
  return [
    '### Image',
    '',
    '| | |',
    '| --- | --- |',
    `| image | ${code(image.imageUri)} |`,
    `| tag | ${code(image.imageTag)} |`,
    `| built | ${image.imageBuilt ? `yes, with ${cell(image.builder)}` : 'no: the tag already existed, reused'} |`,
    `| platforms | ${cell(image.platforms.join(', ') || '-')} |`,
    ''
  ]
}

function migrateSection(migrate: MigrateResult): string[] {
  const lines = ['### Migrations', '', '| command | exit | time | result |', '| --- | --- | --- | --- |']
  for (const task of migrate.tasks) {
    lines.push(
      `| ${code(task.command.join(' '))} | ${task.exitCode ?? '-'} | ${seconds(task.durationMs)} | ${task.succeeded ? 'ok' : cell(task.reason ?? 'failed')} |`
    )
  }
  const failed = migrate.tasks.find(t => !t.succeeded)
  if (failed && failed.lastLogLines.length > 0) {
    lines.push(
      '',
      '<details><summary>last log lines of the failed command</summary>',
      '',
      fence(failed.lastLogLines),
      '',
      '</details>'
    )
  }
  lines.push('')
  return lines
}

/** What waits, until when, what happens then, and how to promote or abort it. */
function waitingSection(waiting: Waiting, testUrl: string | undefined): string[] {
  return [
    '### Waiting for approval',
    '',
    ...waitingLines(waiting).map(line => `- ${block(line)}`),
    ...(testUrl !== undefined ? [`- test traffic: ${cell(testUrl)}`] : []),
    ''
  ]
}

function targetTables(groups: readonly TargetGroupEvidence[]): string[] {
  const lines: string[] = []
  for (const group of groups) {
    lines.push(
      `**${cell(targetGroupName(group.targetGroupArn))}**: ${group.healthy}/${group.expected} healthy`,
      ''
    )
    if (group.targets.length > 0) {
      lines.push('| task | target | state | reason |', '| --- | --- | --- | --- |')
      for (const t of group.targets) {
        const why = [t.reason, t.description].filter(Boolean).join(': ')
        lines.push(
          `| ${cell(t.task)} | ${cell(`${t.id}:${t.port}`)} | ${cell(t.state)} | ${cell(why || '-')} |`
        )
      }
      lines.push('')
    }
  }
  return lines
}

function whatFailed(evidence: readonly string[] | undefined): string[] {
  if (!evidence || evidence.length === 0) return []
  return ['What failed:', '', ...evidence.slice(0, 10).map(e => `- ${block(e)}`), '']
}

function evidenceSection(data: ReportData): string[] {
  const lines: string[] = ['### Health evidence', '']
  if (data.healthGate) lines.push(block(data.healthGate), '')
  lines.push(...targetTables(data.evidence ?? []), ...whatFailed(data.failureEvidence))
  return lines
}

/** The rollback's own targets, apart from those of the deployment that failed. */
function rollbackSection(rollback: NonNullable<ReportData['rollback']>): string[] {
  return [
    `### Rollback health: ${rollback.healthy ? 'healthy' : 'FAILED'}`,
    '',
    block(rollback.reason),
    '',
    ...targetTables(rollback.evidence ?? []),
    ...whatFailed(rollback.failureEvidence)
  ]
}

/** `web:7 → web:8`, and where the service ended up when that is not the revision deployed. */
function revisionRow(data: ReportData): string | undefined {
  const deployed = data.attemptedTaskDefinitionArn ?? data.taskDefinitionArn
  if (!data.previousTaskDefinitionArn && !deployed) return undefined
  const name = (arn: string | undefined) => (arn ? revisionName(arn) : '?')
  const row = `${name(data.previousTaskDefinitionArn)} → ${name(deployed)}`
  const now = data.taskDefinitionArn
  if (!now || !deployed || now === deployed) return row
  // Rolled back: the service went to the new revision and came back. Otherwise it never left.
  const moved = data.rollback !== undefined || data.status === 'rolled-back'
  return `${row}; the service ${moved ? 'is back on' : 'still runs'} ${revisionName(now)}`
}

export function renderSummary(data: ReportData): string {
  const title = data.service ? `ecs-ship: ${cell(data.service)}` : 'ecs-ship'
  const lines: string[] = [`## ${title} — ${STATUS_TEXT[data.status]}`, '']
  if (data.reason) lines.push(`> ${block(data.reason)}`, '')

  const text = (value: string | undefined) => (value === undefined ? undefined : cell(value))
  // Each value as Markdown already: text escaped, the image as inline code.
  const facts: [string, string | undefined][] = [
    ['mode', text(data.mode)],
    ['cluster', text(data.cluster)],
    ['service', text(data.service)],
    ['strategy', text(data.strategy)],
    ['revision', text(revisionRow(data))],
    ['rollback target', text(data.rollbackTarget)],
    ['preview', text(data.previewUrl)],
    ['image', data.image ? code(data.image) : undefined],
    ['deployment', text(data.deploymentId)],
    [
      'rollback',
      text(
        data.rollback
          ? `${data.rollback.startedBy ? `by ${data.rollback.startedBy}` : data.rollback.byEcs ? 'by the ECS circuit breaker' : 'by ecs-ship'}, deployment ${data.rollback.deploymentId}: ${data.rollback.healthy ? 'healthy' : `FAILED (${data.rollback.reason})`}`
          : undefined
      )
    ]
  ]
  lines.push('| | |', '| --- | --- |')
  for (const [name, value] of facts) if (value !== undefined) lines.push(`| ${name} | ${value} |`)
  lines.push('')

  if (data.waiting) lines.push(...waitingSection(data.waiting, data.testUrl))
  if (data.timings.length > 0) {
    lines.push('### Phases', '', '| phase | time | outcome |', '| --- | --- | --- |')
    for (const t of data.timings) lines.push(`| ${cell(t.phase)} | ${seconds(t.durationMs)} | ${t.outcome} |`)
    lines.push('')
  }
  if (data.imageResult) lines.push(...imageSection(data.imageResult))
  if (data.migrateResult) lines.push(...migrateSection(data.migrateResult))
  if (data.healthGate || (data.evidence?.length ?? 0) > 0 || (data.failureEvidence?.length ?? 0) > 0) {
    lines.push(...evidenceSection(data))
  }
  if (data.rollback) lines.push(...rollbackSection(data.rollback))
  if (data.timeline) {
    const advice = adviceLines(advise(data.timeline), data.timeline.healthCheckGracePeriodMs)
    if (advice.length > 0) lines.push('### Where the time went', '', ...advice, '')
  }
  if (data.plan && data.plan.length > 0) {
    lines.push('<details><summary>Plan</summary>', '', fence(data.plan), '', '</details>', '')
  }
  if (data.diff) {
    const count = data.diff.length
    lines.push(
      `<details><summary>Task definition diff (${count === 0 ? 'no changes' : `${count} change${count === 1 ? '' : 's'}`})</summary>`,
      '',
      fence(count === 0 ? ['(no changes)'] : data.diff, 'diff'),
      '',
      '</details>',
      ''
    )
  }
  return lines.join('\n')
}
