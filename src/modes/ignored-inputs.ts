// Modes that act on what already exists (rollback, promote, abort) ignore the inputs that shape a
// new revision: they are said to be ignored rather than silently dropped.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'

/** Warns about every input that shapes a new revision, and the mode's own `also` ignored ones. */
export function warnIgnoredInputs(inputs: Inputs, also: readonly (string | false)[] = []): void {
  const ignored = [
    inputs.image !== undefined && 'image',
    inputs.taskDefinitionPath !== undefined && 'task-definition',
    inputs.environmentVariables.size > 0 && 'environment-variables',
    inputs.build !== undefined && 'ecr-repository',
    inputs.migrate !== undefined && 'migrate-command',
    inputs.desiredCount !== undefined && 'desired-count',
    ...also
  ].filter((name): name is string => typeof name === 'string')
  if (ignored.length > 0) core.warning(`mode ${inputs.mode} ignores these inputs: ${ignored.join(', ')}`)
}

/** promote and abort: also force-new-deployment and wait-until ready, which only a deploy uses. */
export function warnIgnoredByApproval(inputs: Inputs): void {
  warnIgnoredInputs(inputs, [
    inputs.forceNewDeployment && 'force-new-deployment',
    inputs.waitUntil === 'ready' && 'wait-until'
  ])
}
