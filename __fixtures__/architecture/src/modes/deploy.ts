// A deliberate violation, for __tests__/architecture/imports.test.ts: see ../watch/loop.ts.
import { loop } from '../watch/loop.js'

export type Mode = 'deploy'
export const run = (): string => loop('deploy')
