// The family of a task definition, and the rule that a deploy or a rollback keeps the service in
// its family unless someone says otherwise. A revision of another family is not "the next
// version": `rollback-to: <number>` and `previous` look in the service's family, so a silent
// change of family sends every later rollback somewhere else. Pure: data in, data out.
import { ActionError } from '../errors.js'

/** `arn:…:task-definition/web:7` → { family: 'web', revision: 7 } */
export function familyAndRevision(arn: string): { family: string; revision: number } {
  const match = /task-definition\/([^:/]+):(\d+)$/.exec(arn)
  if (!match) throw new ActionError(`cannot read the family and revision from ${arn}`)
  return { family: match[1] as string, revision: Number(match[2]) }
}

/** The same ARN with another revision number. */
export function withRevision(arn: string, revision: number): string {
  return arn.replace(/:\d+$/, `:${revision}`)
}

export interface FamilyChange {
  /** The revision the service runs now (its ARN). */
  readonly running: string
  /** The family of what would be deployed. */
  readonly family: string
  /** Where that family comes from, for the message: `task-definition api.json`, `input rollback-to: …`. */
  readonly source: string
  /** The allow-family-change input. */
  readonly allowed: boolean
}

/**
 * Nothing when the family stays the same; a warning line when it changes and allow-family-change
 * is true; else an ActionError naming the source and both families, thrown before any change.
 */
export function checkFamilyChange(change: FamilyChange): string | undefined {
  const current = familyAndRevision(change.running).family
  if (change.family === current) return undefined
  const what = `family "${change.family}" is not the family of the service's running revision ("${current}", ${change.running.split('/').pop() ?? change.running})`
  if (change.allowed)
    return `${change.source}: ${what}; allow-family-change is true, so the service moves to family "${change.family}" (later rollbacks by revision number look in "${change.family}")`
  throw new ActionError(
    `${change.source}: ${what}. Deploying it would move the service to another family, and later rollbacks by revision number would look in the wrong one. Nothing was changed; set allow-family-change: true if the change of family is meant.`
  )
}
