// One running simulator's world: its state, which the control API can reset or replace with a
// fixture, and the clock tick that moves it forward to the wall clock's now.
import type { SimulatorOptions } from '../contract.js'
import { loadFixture } from '../fixtures/index.js'
import { advance } from '../tick.js'
import { newState, type SimState } from '../world/model.js'

export interface Session {
  state: SimState
  readonly options: SimulatorOptions
  /** The simulator's own host when it answers the registry API (registryProxy), kept across resets. */
  registryFront?: string
}

export function openSession(options: SimulatorOptions): Session {
  const session: Session = { state: newState(options), options }
  if (options.fixture) load(session, options.fixture)
  return session
}

/** A fresh world, at the time scale the current one runs at. */
export function reset(session: Session): void {
  session.state = newState({
    ...session.options,
    timeScale: session.state.timeScale,
    registryFront: session.registryFront
  })
}

export function load(session: Session, name: string): void {
  loadFixture(session.state, name)
  // The fixture's own history is not part of what a test measures.
  session.state.calls = []
  session.state.milestones = []
}

/** Applies every transition due by the wall clock's now. */
export function tick(session: Session): void {
  advance(session.state, Date.now())
}
