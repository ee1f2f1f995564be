// Pure: where a rollout's time went, and which setting was behind each phase, for the job
// summary. Only facts read from AWS (our tasks' timestamps, the target groups' settings) and the
// moments the watch saw a change; advice only where those figures show the setting was the wait.
import type { RolloutTimeline } from '../watch/timeline.js'

export interface AdvisedPhase {
  readonly name: string
  readonly ms: number
  /** The setting behind the phase, as AWS returned it. */
  readonly setting?: string
  /** What changing the setting would save, and on what condition. */
  readonly advice?: string
  readonly dominant?: boolean
}

export interface Advice {
  readonly totalMs: number
  readonly phases: readonly AdvisedPhase[]
}

/** AWS's minimums: HealthyThresholdCount 2; HealthCheckIntervalSeconds 5 (10 s is a common choice). */
const LEAN_THRESHOLD = 2
const LEAN_INTERVAL_S = 10
/** A deregistration delay that suits requests finishing within a few seconds. */
const LEAN_DRAIN_S = 10
/** Below this, a saving is not worth a line. */
const WORTH_MS = 5000

const s = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`)

export function advise(t: RolloutTimeline): Advice {
  const phases: AdvisedPhase[] = []
  const push = (p: AdvisedPhase) => {
    if (p.ms > 0) phases.push(p)
  }
  if (t.tasksCreatedAt !== undefined && t.pullStartedAt !== undefined)
    push({ name: 'task placement and provisioning', ms: t.pullStartedAt - t.tasksCreatedAt })
  if (t.pullStartedAt !== undefined && t.pullStoppedAt !== undefined)
    push({
      name: 'image pull',
      ms: t.pullStoppedAt - t.pullStartedAt,
      setting: 'the image size and where it is pulled from'
    })
  if (t.pullStoppedAt !== undefined && t.tasksStartedAt !== undefined)
    push({ name: 'container start', ms: t.tasksStartedAt - t.pullStoppedAt })

  if (t.tasksStartedAt !== undefined && t.healthyAt !== undefined) {
    const ms = t.healthyAt - t.tasksStartedAt
    const hc = t.healthCheck
    const floor = hc ? hc.healthyThreshold * hc.intervalSeconds * 1000 : undefined
    const lean =
      Math.min(hc?.healthyThreshold ?? 0, LEAN_THRESHOLD) *
      Math.min(hc?.intervalSeconds ?? 0, LEAN_INTERVAL_S) *
      1000
    const saving = floor !== undefined ? Math.min(ms, floor) - lean : 0
    push({
      name: 'new targets healthy',
      ms,
      ...(hc && {
        setting: `${hc.healthyThreshold} checks × ${hc.intervalSeconds} s (HealthyThresholdCount × HealthCheckIntervalSeconds)`
      }),
      // Only when the checks were what the wait was made of: it took at least most of their floor.
      ...(hc &&
        floor !== undefined &&
        ms >= 0.8 * floor &&
        saving >= WORTH_MS && {
          advice: `${Math.min(hc.healthyThreshold, LEAN_THRESHOLD)} checks × ${Math.min(hc.intervalSeconds, LEAN_INTERVAL_S)} s would make this about ${s(lean)}: up to ${s(saving)} less per deploy`
        })
    })
  }

  if (t.drainFrom !== undefined) {
    const end = t.drainEndedAt ?? t.drainSeenUntil ?? t.endedAt
    const ms = end - t.drainFrom
    const delay = t.deregistrationDelayMs
    const saving = delay !== undefined ? Math.min(ms, delay) - LEAN_DRAIN_S * 1000 : 0
    push({
      name: 'old targets draining',
      ms,
      ...(delay !== undefined && {
        setting: `${Math.round(delay / 1000)} s (target group deregistration_delay.timeout_seconds)`
      }),
      ...(delay !== undefined &&
        ms >= 0.8 * delay &&
        saving >= WORTH_MS && {
          advice: `if every request finishes within ${LEAN_DRAIN_S} s, a delay of ${LEAN_DRAIN_S} s would save about ${s(saving)} per deploy`
        })
    })
  }

  const total = t.endedAt - t.startedAt
  const largest = Math.max(0, ...phases.map(p => p.ms))
  return {
    totalMs: total,
    // Dominant: the largest phase, when it is at least a third of the rollout.
    phases: phases.map(p => (p.ms === largest && p.ms >= total / 3 ? { ...p, dominant: true } : p))
  }
}

/** The summary's section, as Markdown lines (the figures are ours; nothing from outside). */
export function adviceLines(advice: Advice, gracePeriodMs: number): string[] {
  if (advice.phases.length === 0) return []
  const lines = [
    `Rollout watched for ${s(advice.totalMs)}:`,
    '',
    '| phase | took | set by | would save |',
    '| --- | --- | --- | --- |'
  ]
  for (const p of advice.phases)
    lines.push(
      `| ${p.dominant ? `**${p.name}** (dominant)` : p.name} | ${s(p.ms)} | ${p.setting ?? '—'} | ${p.advice ?? '—'} |`
    )
  if (gracePeriodMs > 0)
    lines.push(
      '',
      `The health-check grace period (${s(gracePeriodMs)}, healthCheckGracePeriodSeconds) does not slow a healthy rollout; it delays the verdict on targets that fail their checks.`
    )
  return lines
}
