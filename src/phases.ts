// Results that phases hand to the orchestrator (src/main.ts) and the report (src/report/).
// Each phase module owns how it gets its result; these shapes are the contract between them.

export interface ImageResult {
  /** `<registry>/<repo>@sha256:…`: what the task definition gets. */
  readonly imageUri: string
  readonly imageDigest: string
  readonly imageTag: string
  /** False when the tag already existed in ECR and the build was skipped. */
  readonly imageBuilt: boolean
  readonly builder: string
  readonly platforms: readonly string[]
}

export interface MigrateTaskResult {
  readonly command: readonly string[]
  readonly taskArn?: string
  readonly exitCode?: number
  /** Plain-words reason when it failed (stoppedReason, RunTask failures, timeout). */
  readonly reason?: string
  readonly durationMs: number
  readonly lastLogLines: readonly string[]
  readonly succeeded: boolean
}

export interface MigrateResult {
  readonly tasks: readonly MigrateTaskResult[]
  readonly succeeded: boolean
}

export interface PhaseTiming {
  readonly phase: string
  readonly durationMs: number
  readonly outcome: 'ok' | 'failed' | 'skipped'
}
