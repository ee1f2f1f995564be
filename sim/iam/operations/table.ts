// The shape of an operation table: for each operation a service answers, the checks its request
// makes (see ../check.ts).
import type { Check, RequestScope } from '../check.js'

/** The checks of one request; `input` is the request as the wire delivered it. */
export type OperationChecks = (input: Readonly<Record<string, unknown>>, scope: RequestScope) => Check[]

export type ServiceTable = Readonly<Record<string, OperationChecks>>

/** One check with no condition keys of its own. */
export function check(action: string, resource: string, context: Check['context'] = {}): Check {
  return { action, resource, context }
}

/** An operation without resource-level permissions: the action on `*`. */
export function onAnyResource(action: string): OperationChecks {
  return () => [check(action, '*')]
}
