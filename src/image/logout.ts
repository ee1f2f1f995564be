// The post step's half of the login: the main step records each registry it logged in to (in
// core state, as the runner carries it to the post step), and the post step logs out of each.
// Nothing here can fail the job: a logout that does not work is a warning.
import * as core from '@actions/core'
import type { Builder } from '../inputs.js'
import type { Exec } from '../process/exec.js'
import { actionState, STATE_KEYS, type StepState } from '../state.js'
import { logoutArgs } from './argv.js'

export interface RegistryLogin {
  readonly builder: Builder
  readonly registry: string
}

export function parseLogins(text: string): RegistryLogin[] {
  if (text.trim() === '') return []
  try {
    const value: unknown = JSON.parse(text)
    if (!Array.isArray(value)) return []
    return value.filter(
      (item): item is RegistryLogin =>
        typeof item === 'object' &&
        item !== null &&
        ((item as RegistryLogin).builder === 'docker' || (item as RegistryLogin).builder === 'buildah') &&
        typeof (item as RegistryLogin).registry === 'string'
    )
  } catch {
    return []
  }
}

/** Adds a login to the saved state (before the login runs, so a half-done login is undone too). */
export function recordLogin(login: RegistryLogin, state: StepState = actionState): void {
  const logins = parseLogins(state.get(STATE_KEYS.registryLogins))
  if (!logins.some(l => l.builder === login.builder && l.registry === login.registry)) logins.push(login)
  state.save(STATE_KEYS.registryLogins, JSON.stringify(logins))
}

export interface LogoutDeps {
  readonly exec: Exec
  /** Reads the main step's state (src/state.ts); core's in the action. */
  readonly getState?: (name: string) => string
  readonly env?: Readonly<Record<string, string | undefined>>
}

export async function logoutRegistries(deps: LogoutDeps): Promise<void> {
  const logins = parseLogins((deps.getState ?? actionState.get)(STATE_KEYS.registryLogins))
  for (const { builder, registry } of logins) {
    try {
      const result = await deps.exec.run(builder, logoutArgs(registry), {
        ...(deps.env !== undefined && { env: deps.env })
      })
      if (result.exitCode !== 0) {
        core.warning(`could not log ${builder} out of ${registry} (exit ${result.exitCode})`)
      }
    } catch (error) {
      core.warning(
        `could not log ${builder} out of ${registry}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }
}
