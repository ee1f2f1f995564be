// How an image, a revision or a command behaves: what a test set through the control API wins;
// what the fixture set for itself (django-web's migrate command) fills in the rest; then the
// built-in defaults (healthy; exit 0 after a second with no output).
import type { CommandBehaviour, ImageBehaviour, PlacementFailure } from '../contract.js'
import type { SimState } from './model.js'

const HEALTHY: ImageBehaviour = { kind: 'healthy' }
const DEFAULT_COMMAND: CommandBehaviour = { exitCode: 0, runSeconds: 1, logLines: [] }

const revisionKey = (taskDefinitionArn: string) => taskDefinitionArn.split('/').at(-1) ?? ''

/** The behaviour of a task definition revision's essential container (`revisions` wins over `images`). */
export function imageBehaviour(
  state: SimState,
  taskDefinitionArn: string,
  image: string | undefined
): ImageBehaviour {
  const key = revisionKey(taskDefinitionArn)
  for (const b of [state.behaviours, state.fixtureBehaviours]) {
    const found = b.revisions?.[key] ?? (image ? b.images?.[image] : undefined) ?? b.defaultImage
    if (found) return found
  }
  return HEALTHY
}

/** The behaviour of a non-essential container: its own image's. */
export function sidecarBehaviour(state: SimState, image: string | undefined): ImageBehaviour {
  for (const b of [state.behaviours, state.fixtureBehaviours]) {
    const found = (image ? b.images?.[image] : undefined) ?? b.defaultImage
    if (found) return found
  }
  return HEALTHY
}

export function commandBehaviour(state: SimState, argv: readonly string[]): CommandBehaviour {
  const key = argv.join(' ')
  for (const b of [state.behaviours, state.fixtureBehaviours]) {
    const found = b.commands?.[key] ?? b.defaultCommand
    if (found) return found
  }
  return DEFAULT_COMMAND
}

/** Whether RunTask of this revision (or with this command override) cannot place its task. */
export function placementFailure(
  state: SimState,
  taskDefinitionArn: string,
  argv: readonly string[] | undefined
): PlacementFailure | undefined {
  const byRevision = (b: typeof state.behaviours) => b.placementFailures?.[revisionKey(taskDefinitionArn)]
  const byCommand = argv?.length ? commandBehaviour(state, argv).placementFailure : undefined
  return byRevision(state.behaviours) ?? byCommand ?? byRevision(state.fixtureBehaviours)
}

/**
 * Whether the targets of a revision's tasks fail their health checks now, and with which reason
 * code: Behaviours.failingTargets, or Behaviours.failingInProduction once production traffic has
 * reached the revision. Only what a test set counts: fixtures set no such failure.
 */
export function targetFailure(state: SimState, taskDefinitionArn: string | undefined) {
  if (!taskDefinitionArn) return undefined
  const key = revisionKey(taskDefinitionArn)
  const { failingTargets, failingInProduction } = state.behaviours
  return (
    failingTargets?.[key] ??
    (state.servedProduction.has(taskDefinitionArn) ? failingInProduction?.[key] : undefined)
  )
}
