// When the workflow is cancelled during a migration, the runner signals the action (SIGINT, then
// SIGTERM). We do NOT stop the task: a migration stopped half-way can leave the schema in a state
// neither revision expects, which is worse than letting it finish. main.ts answers the signal (it
// is the one place that does) and names the task from here, so a person can follow it.

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

/** Marks a migrate task as running until the returned function is called. */
export function markMigrationRunning(taskArn: string, cluster: string): () => void {
  inFlight = { taskArn, cluster }
  return () => {
    if (inFlight?.taskArn === taskArn) inFlight = undefined
  }
}
