// What modes promote and abort make of the inputs: they act on a deployment that already exists,
// so the inputs that shape a new one are said to be ignored rather than silently dropped.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'

export function warnIgnoredByApproval(inputs: Inputs): void {
  const ignored = [
    inputs.image !== undefined && 'image',
    inputs.taskDefinitionPath !== undefined && 'task-definition',
    inputs.environmentVariables.size > 0 && 'environment-variables',
    inputs.build !== undefined && 'ecr-repository',
    inputs.migrate !== undefined && 'migrate-command',
    inputs.desiredCount !== undefined && 'desired-count',
    inputs.forceNewDeployment && 'force-new-deployment',
    inputs.waitUntil === 'ready' && 'wait-until'
  ].filter((name): name is string => typeof name === 'string')
  if (ignored.length > 0) core.warning(`mode ${inputs.mode} ignores these inputs: ${ignored.join(', ')}`)
}
