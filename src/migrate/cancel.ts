// When the workflow is cancelled during a migration, the runner signals the action (SIGINT, then
// SIGTERM). We do NOT stop the task: a migration stopped half-way can leave the schema in a state
// neither revision expects, which is worse than letting it finish. We say which task it is, so a
// person can follow it, and then let the signal do what it would have done.

/** The subset of `process` used here, so tests can pass a fake. */
export interface SignalTarget {
  readonly pid: number
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  listenerCount(signal: NodeJS.Signals): number
  kill(pid: number, signal: NodeJS.Signals): unknown
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

let inFlight: { readonly taskArn: string; readonly cluster: string } | undefined

/** The message for a cancellation while a migration runs; undefined when none is running. */
export function migrationInFlightMessage(): string | undefined {
  if (!inFlight) return undefined
  return (
    `the workflow was cancelled while migrate task ${inFlight.taskArn} was running; it is left running ` +
    `to finish (stopping a migration half-way is worse). Follow it with: aws ecs describe-tasks ` +
    `--cluster ${inFlight.cluster} --tasks ${inFlight.taskArn}`
  )
}

/**
 * Marks a migrate task as running and, until the returned function is called, answers SIGINT and
 * SIGTERM by logging which task is left running. If nobody else listens for the signal, it is
 * raised again after our listener is gone, so the process ends as it would have without us.
 */
export function watchCancellation(
  taskArn: string,
  cluster: string,
  log: (message: string) => void,
  target: SignalTarget = process
): () => void {
  inFlight = { taskArn, cluster }
  const onSignal = (signal: NodeJS.Signals): void => {
    const message = migrationInFlightMessage()
    dispose()
    if (message) log(message)
    if (target.listenerCount(signal) === 0) target.kill(target.pid, signal)
  }
  let disposed = false
  function dispose(): void {
    if (disposed) return
    disposed = true
    for (const signal of SIGNALS) target.off(signal, onSignal)
    if (inFlight?.taskArn === taskArn) inFlight = undefined
  }
  for (const signal of SIGNALS) target.on(signal, onSignal)
  return dispose
}
