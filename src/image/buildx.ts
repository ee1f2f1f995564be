// The buildx builder a docker build runs on. The docker driver, which is what a stock runner's
// default builder uses, refuses to export a build cache ("Cache export is not supported for the
// docker driver") and to build several platforms into one image. For such a build the current
// builder is inspected first: when its driver is `docker`, a docker-container builder is created
// for this run, every build names it with --builder, and the post step removes it. Any other
// builder (the one docker/setup-buildx-action sets up, say) is used as it is.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import type { Exec } from '../process/exec.js'
import { printForeign } from '../report/foreign.js'
import { builderCreateArgs, builderInspectArgs, builderRemoveArgs, type BuildPlan } from './argv.js'
import { commandFailed } from './failure.js'
import type { LogoutDeps } from './logout.js'
import { actionState, STATE_KEYS, type StepState } from '../state.js'

export interface BuilderInfo {
  readonly name?: string
  readonly driver?: string
}

/**
 * The builder's own `Name:` and `Driver:` from `docker buildx inspect`: the first of each, since
 * the lines about its nodes come after them.
 */
export function parseBuilderInspect(text: string): BuilderInfo {
  const field = (label: string) => new RegExp(`^${label}:[ \\t]*(\\S+)`, 'm').exec(text)?.[1]
  const name = field('Name')
  const driver = field('Driver')
  return { ...(name !== undefined && { name }), ...(driver !== undefined && { driver }) }
}

/** Why a build cannot run on the docker driver, or undefined when it can. */
export function containerBuilderReason(plan: Pick<BuildPlan, 'cache' | 'platforms'>): string | undefined {
  if (plan.cache !== 'none') return `cache: ${plan.cache} exports a build cache`
  if (plan.platforms.length > 1) return `it builds ${plan.platforms.join(', ')} into one image`
  return undefined
}

export function parseBuilderNames(text: string): string[] {
  if (text.trim() === '') return []
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
  } catch {
    return []
  }
}

/** Adds a builder the post step must remove to the saved state. */
export function recordBuilder(name: string, state: StepState = actionState): void {
  const names = parseBuilderNames(state.get(STATE_KEYS.buildxBuilders))
  if (!names.includes(name)) names.push(name)
  state.save(STATE_KEYS.buildxBuilders, JSON.stringify(names))
}

function newBuilderName(): string {
  return `ecs-ship-${randomBytes(4).toString('hex')}`
}

export interface BuilderDeps {
  readonly exec: Exec
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Records the created builder for the post step; core state in the action. */
  readonly recordBuilder?: (name: string) => void
  readonly newName?: () => string
}

/**
 * The builder to pass as --builder, or undefined to build on the current one. Creates a
 * docker-container builder when the build needs one and the current builder cannot do it.
 */
export async function chooseDockerBuilder(
  plan: Pick<BuildPlan, 'cache' | 'platforms'>,
  deps: BuilderDeps
): Promise<string | undefined> {
  const reason = containerBuilderReason(plan)
  if (reason === undefined) return undefined
  const options = { silent: true, ...(deps.env !== undefined && { env: deps.env }) }

  const inspect = await deps.exec.run('docker', builderInspectArgs(), options)
  if (inspect.exitCode !== 0) {
    commandFailed(
      'docker buildx inspect',
      inspect,
      'builder docker builds with docker buildx, so the buildx plugin must be installed (docker/setup-buildx-action installs it)'
    )
  }
  const current = parseBuilderInspect(inspect.stdout)
  const described = `${current.name ?? 'the current builder'} (driver ${current.driver ?? 'unknown'})`
  if (current.driver !== 'docker') {
    printForeign(`building with the buildx builder ${described}`)
    return undefined
  }

  const name = (deps.newName ?? newBuilderName)()
  printForeign(
    `the buildx builder ${described} cannot do this build, because ${reason}; ` +
      `creating the docker-container builder ${name} for this run (the post step removes it)`
  )
  const create = await deps.exec.run('docker', builderCreateArgs(name), options)
  if (create.exitCode !== 0) commandFailed(`docker buildx create --name ${name}`, create)
  ;(deps.recordBuilder ?? recordBuilder)(name)
  return name
}

/** What the post step gives both of its clean-ups: the same for removing builders as for logging out. */
export type RemoveBuildersDeps = LogoutDeps

/** The post step: removes the builders this run created. A failure is a warning, never an error. */
export async function removeBuilders(deps: RemoveBuildersDeps): Promise<void> {
  const names = parseBuilderNames((deps.getState ?? actionState.get)(STATE_KEYS.buildxBuilders))
  for (const name of names) {
    try {
      const result = await deps.exec.run('docker', builderRemoveArgs(name), {
        ...(deps.env !== undefined && { env: deps.env })
      })
      if (result.exitCode !== 0) {
        core.warning(`could not remove the buildx builder ${name} (exit ${result.exitCode})`)
      }
    } catch (error) {
      core.warning(
        `could not remove the buildx builder ${name}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }
}
