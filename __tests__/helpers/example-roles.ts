// End-to-end runs under the example roles (examples/django-fargate/iam/): one simulator per test,
// started in the example's region with the example's world (fixture django-fargate*) and the
// role's policy as the caller's identity, so every AWS request of the bundled action is
// authorized against exactly what the role grants. The call log keeps each request's checks and
// the statements that allowed them, for the minimality tests.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord, RunningSimulator, SimIdentity } from '../../sim/contract.js'
import { exampleIdentity, loadPermissions } from '../../sim/iam/permissions.js'
import { startSimulator } from '../../sim/index.js'
import { bundledEntry, runAction, type ActionRun } from '../../scripts/lib/run-action.js'

export type ExampleRole = 'deploy' | 'rollback' | 'preview' | 'promote' | 'abort'

export const PERMISSIONS = loadPermissions()
export const REGION = PERMISSIONS.region
export const ACCOUNT = PERMISSIONS.account
export const CLUSTER = 'web-cluster'
export const WEB_REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web`
export const PREVIEW_REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web-preview`
export const PREVIEW_LISTENER = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/preview/0123456789abcdef/0123456789abcdef`

export interface RunOptions {
  readonly env?: Record<string, string>
  readonly timeoutMs?: number
  readonly onSpawn?: (pid: number) => void
  readonly onLine?: (line: string) => void
}

export interface ExampleSim {
  readonly sim: RunningSimulator
  /** Runs dist/index.js against this simulator for cluster web-cluster, service web (unless inputs say otherwise). */
  run(inputs: Record<string, string>, options?: RunOptions): Promise<ActionRun>
  /** Authorize what follows as this role. */
  actAs(role: ExampleRole): Promise<void>
  /** Every call so far, across runs (the log is kept for the whole test). */
  calls(): Promise<readonly CallRecord[]>
}

/** Starts a simulator with the fixture, under the role's identity (or the one given); close it after. */
export async function exampleSim(
  fixture: string,
  role: ExampleRole | SimIdentity,
  options: { timeScale?: number; registryUrl?: string } = {}
): Promise<ExampleSim & { close(): Promise<void> }> {
  if (!existsSync(bundledEntry()))
    throw new Error('dist/index.js is missing: run `npm run bundle` before the end-to-end tests')
  const sim = await startSimulator({
    timeScale: options.timeScale ?? 0.05,
    region: REGION,
    accountId: ACCOUNT,
    fixture,
    // The registry answers through the simulator, so pushes are authorized as ECR actions too.
    ...(options.registryUrl !== undefined && { registryUrl: options.registryUrl, registryProxy: true })
  })
  await sim.control.setIdentity(typeof role === 'string' ? exampleIdentity(role, PERMISSIONS) : role)
  return {
    sim,
    run: (inputs, runOptions = {}) =>
      runAction({
        timeoutMs: runOptions.timeoutMs ?? 150_000,
        ...(runOptions.onSpawn && { onSpawn: runOptions.onSpawn }),
        ...(runOptions.onLine && { onLine: runOptions.onLine }),
        inputs: { cluster: CLUSTER, service: 'web', 'wait-for-minutes': '10', ...inputs },
        env: {
          AWS_ENDPOINT_URL: sim.url,
          AWS_REGION: REGION,
          ECS_SHIP_POLL_MIN_MS: '100',
          ECS_SHIP_POLL_MAX_MS: '500',
          ...runOptions.env
        }
      }),
    actAs: role => sim.control.setIdentity(exampleIdentity(role, PERMISSIONS)),
    calls: () => sim.control.calls(),
    close: () => sim.close()
  }
}

/** Runs fn against a fresh simulator under the role, and closes the simulator however fn ends. */
export async function withExampleSim<T>(
  fixture: string,
  role: ExampleRole | SimIdentity,
  fn: (sim: ExampleSim) => Promise<T>,
  options: { timeScale?: number; registryUrl?: string } = {}
): Promise<T> {
  const sim = await exampleSim(fixture, role, options)
  try {
    return await fn(sim)
  } finally {
    await sim.close()
  }
}

/**
 * A run's exit code, with the reason when it is not the one expected. The error lines and the
 * log's tail come first: CI shows only the head and the end of a long failure message.
 */
export function expectExit(run: ActionRun, exitCode: number, status?: string): void {
  if (run.exitCode === exitCode && (status === undefined || run.outputs.status === status)) return
  const lines = run.stdout.split('\n')
  const errors = lines.filter(line => /^::(error|warning)/.test(line))
  throw new Error(
    [
      `expected exit ${exitCode} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}`,
      '--- error and warning lines:',
      ...errors,
      '--- stderr:',
      run.stderr.trim(),
      '--- last 40 lines of stdout:',
      ...lines.slice(-40)
    ].join('\n')
  )
}

/** Calls that IAM denied. */
export function deniedCalls(calls: readonly CallRecord[]): CallRecord[] {
  return calls.filter(c => c.authorization?.allowed === false)
}

/** A workspace with the example's task-definition files, as a repository would hold them. */
export function exampleWorkspace(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-iam-'))
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), JSON.stringify(content, null, 2))
  return dir
}
