// Everything the main step hands to the post step. The runner runs dist/index.js twice (action.yml
// `post:`) and carries values between the two runs through core.saveState/getState; this module
// owns every key, so what the post step reads is what the main step wrote, and nothing else in
// the action touches core's state.
import * as core from '@actions/core'

export const STATE_KEYS = {
  /** Set by the main step: the next run of dist/index.js is the post step. */
  isPost: 'isPost',
  /** JSON list of {builder, registry}: the registries the image phase logged in to. */
  registryLogins: 'image-registry-logins',
  /** JSON list of buildx builder names the image phase created for this run. */
  buildxBuilders: 'image-buildx-builders'
} as const

/** Where state is kept: core in the action, a Map in tests. */
export interface StepState {
  get(name: string): string
  save(name: string, value: string): void
}

export const actionState: StepState = {
  get: name => core.getState(name),
  save: (name, value) => core.saveState(name, value)
}

/** True in the post step: the main step ran first and said so. */
export function isPostStep(state: StepState = actionState): boolean {
  return state.get(STATE_KEYS.isPost) === 'true'
}

/** Called by the main step before anything else, so the post step knows it is one. */
export function markMainStepStarted(state: StepState = actionState): void {
  state.save(STATE_KEYS.isPost, 'true')
}
