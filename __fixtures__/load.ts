// Reads a fixture file by its path under __fixtures__/ (JSON parsed, anything else as text).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('.', import.meta.url))

export function fixturePath(name: string): string {
  return `${FIXTURES}${name}`
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8')
}

export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T
}
