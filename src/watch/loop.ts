// The watch loop: poll, decide, print progress when it changed, sleep adaptively, repeat until
// the decision is done or failed. All judgement is in verdict.ts (decide()); this file only drives it.
// Bounded: decide() fails the watch at its timeout, and the sleep never runs past it.
import { ActionError, describeError, isCredentialError } from '../errors.js'
import { DEFAULT_BACKOFF, nextPollDelay, type BackoffSettings } from './poll.js'
import type { Clock } from '../util/clock.js'
import { HOT_WINDOW, nextSleep } from './poll-plan.js'
import { decide, transitionPending, type Decision } from './verdict.js'
import type { Observer } from './observe.js'
import type { Observation, WatchContext } from './observation.js'
import { extendTimeline, type RolloutTimeline } from './timeline.js'

export interface WatchOptions {
  readonly clock: Clock
  readonly backoff?: BackoffSettings
  /** Where progress lines go (core.info in the action). */
  readonly log: (line: string) => void
  /** Failed polls in a row (after the SDK's own retries) before the watch gives up. */
  readonly maxConsecutiveErrors?: number
  /** The verdict for one poll; decide() unless a flow judges differently (an ECS-native rollback). */
  readonly decide?: (observation: Observation, context: WatchContext) => Decision
}

export async function watchDeployment(
  observer: Observer,
  context: WatchContext,
  options: WatchOptions
): Promise<Decision> {
  const judge = options.decide ?? decide
  let timeline: RolloutTimeline | undefined
  const decision = await watchLoop(
    last => observer.observe(last?.progress),
    (observation: Observation) => {
      const decided = judge(observation, context)
      timeline = extendTimeline(timeline, observation, decided.progress, context)
      return decided
    },
    context,
    options
  )
  // Where the time went, for the job summary's advisor.
  return timeline ? { ...decision, progress: { ...decision.progress, timeline } } : decision
}

/**
 * The loop itself, for any kind of observation: CodeDeploy's deployments are observed through
 * other calls than ECS's, but are waited for, backed off and timed out the same way.
 */
export async function watchLoop<T>(
  /** One poll; it is given the last decision, so it can leave out reads that cannot change it. */
  observe: (last: Decision | undefined) => Promise<T>,
  judge: (observation: T) => Decision,
  context: Pick<WatchContext, 'deploymentId' | 'startedAt' | 'timeoutMs'>,
  options: Omit<WatchOptions, 'decide'>
): Promise<Decision> {
  const { clock, log } = options
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  // The safety poll follows the backoff's scale (4/3 of its longest sleep: 20 s by default), so
  // settings that shorten every wait (the simulator's time scale) shorten it too.
  const hotWindow = {
    ...HOT_WINDOW,
    safetyMs: Math.min(HOT_WINDOW.safetyMs, Math.round((backoff.maxMs * 4) / 3))
  }
  const maxErrors = options.maxConsecutiveErrors ?? 5
  const deadline = context.startedAt + context.timeoutMs
  let delay: number | undefined
  let lastLine: string | undefined
  let lastDecision: Decision | undefined
  let errors = 0
  let hotUntil: number | undefined

  for (;;) {
    let changed = false
    let dueWithinMs: number | undefined
    try {
      const decision = judge(await observe(lastDecision))
      errors = 0
      if (decision.progress.line !== lastLine) log(decision.progress.line)
      // Targets in their initial checks keep the polls quick, unless the decision knows when
      // their checks can end (then the loop sleeps to that moment).
      changed =
        decision.progress.line !== lastLine ||
        (transitionPending(decision.progress) && decision.progress.nextChangeWithinMs === undefined)
      lastLine = decision.progress.line
      lastDecision = decision
      dueWithinMs = decision.progress.nextChangeWithinMs
      if (decision.kind !== 'wait') return decision
    } catch (error) {
      // Credentials do not heal by waiting; everything else (throttling past the SDK's retries,
      // a 5xx) gets a few more polls.
      if (isCredentialError(error)) throw error
      errors++
      const message = describeError(error)
      if (errors >= maxErrors) {
        throw new ActionError(
          `${errors} polls in a row failed while watching ${context.deploymentId}; last error: ${message}`
        )
      }
      log(`poll failed (${errors}/${maxErrors}), trying again: ${message}`)
      if (clock.now() >= deadline) {
        // Out of time with the polls failing: report the last state that was seen.
        if (lastDecision) return timeoutFrom(lastDecision, context, message)
        throw new ActionError(
          `no successful poll of ${context.deploymentId} before the timeout; last error: ${message}`
        )
      }
    }
    delay = nextPollDelay(delay, changed, backoff)
    // A change the decision expects (a drain, a grace period or a bake time ending) is slept to,
    // below the backoff's minimum if need be, and then polled for at a short interval for a
    // bounded time (poll-plan.ts), however long it has been quiet.
    const next = nextSleep(clock.now(), delay, dueWithinMs, hotUntil, hotWindow)
    hotUntil = next.hotUntil
    const sleepMs = next.sleepMs
    const remaining = deadline - clock.now()
    // One last poll exactly at the deadline, so the timeout reports the freshest state.
    await clock.sleep(Math.max(0, Math.min(sleepMs, remaining)))
  }
}

function timeoutFrom(last: Decision, context: Pick<WatchContext, 'timeoutMs'>, error: string): Decision {
  const minutes = Math.round(context.timeoutMs / 60_000)
  return {
    kind: 'failed',
    reason: `timed out after ${minutes} minutes (the last polls failed: ${error}); last state: ${last.progress.line}`,
    progress: last.progress,
    failure: { cause: 'timeout', evidence: [] }
  }
}
