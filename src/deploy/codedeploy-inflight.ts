// Another CodeDeploy deployment of the group in flight (someone else's deploy, or CodeDeploy's own
// rollback): CodeDeploy would refuse ours (DeploymentLimitExceeded), so a deploy waits for it to
// end, within wait-for-minutes, before it registers anything.
import {
  GetDeploymentCommand,
  ListDeploymentsCommand,
  type CodeDeployClient
} from '@aws-sdk/client-codedeploy'
import { statusProgress, untilEnded, type Decision } from './decide.js'
import type { CodeDeploySetup } from './codedeploy-setup.js'
import type { RolloutDeps } from './rolling.js'
import { watchLoop } from './watch.js'

/** Statuses of a deployment that has not ended; Ready waits for a manual reroute. */
const IN_FLIGHT = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const

export async function activeDeployment(
  codedeploy: CodeDeployClient,
  setup: Pick<CodeDeploySetup, 'application' | 'deploymentGroup'>
): Promise<string | undefined> {
  const answer = await codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: setup.application,
      deploymentGroupName: setup.deploymentGroup,
      includeOnlyStatuses: [...IN_FLIGHT]
    })
  )
  return answer.deployments?.[0]
}

/** Pure: has the deployment ended, and if not, is there still time to wait? */
export function decideEnded(
  observation: { readonly at: number; readonly status: string },
  context: { readonly deploymentId: string; readonly startedAt: number; readonly timeoutMs: number }
): Decision {
  const { status } = observation
  const line = `in-flight CodeDeploy deployment ${context.deploymentId}: ${status}`
  const ended = !(IN_FLIGHT as readonly string[]).includes(status)
  return untilEnded({ ...observation, ended }, statusProgress(line), context, 'CodeDeploy to end it')
}

export async function waitForCodeDeployInFlight(
  deps: RolloutDeps & { readonly codedeploy: CodeDeployClient },
  deploymentId: string,
  timeoutMs: number
): Promise<void> {
  deps.log(
    `another CodeDeploy deployment is in flight (${deploymentId}): waiting for it to end before deploying`
  )
  const context = { deploymentId, startedAt: deps.clock.now(), timeoutMs }
  const decision = await watchLoop(
    async () => {
      const answer = await deps.codedeploy.send(new GetDeploymentCommand({ deploymentId }))
      return { at: deps.clock.now(), status: answer.deploymentInfo?.status ?? 'Unknown' }
    },
    observation => decideEnded(observation, context),
    context,
    { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
  )
  if (decision.kind !== 'done')
    throw new Error(
      `the in-flight CodeDeploy deployment ${deploymentId} did not end in time (${decision.reason}); nothing was changed`
    )
  deps.log(`CodeDeploy deployment ${deploymentId} ended: ${decision.reason}`)
}
