// A deliberate violation, for __tests__/architecture/imports.test.ts: the bottom of the chain
// importing a mode (upward), which also closes an import cycle.
import type { Mode } from '../modes/deploy.js'

export const loop = (mode: Mode): string => mode
