// Another CodeDeploy deployment of the group in flight (someone else's deploy, or CodeDeploy's own
// rollback): CodeDeploy would refuse ours (DeploymentLimitExceeded), so a deploy waits for it to
// end, within wait-for-minutes, before it registers anything.
import {
  GetDeploymentCommand,
  ListDeploymentsCommand,
  type CodeDeployClient
} from '@aws-sdk/client-codedeploy'
import { ActionError } from '../../errors.js'
import { watchLoop } from '../../watch/loop.js'
import type { RolloutDeps } from '../../rollout/contract.js'
import type { CodeDeploySetup } from './setup.js'
import { decideEnded, IN_FLIGHT } from './verdict.js'

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
    throw new ActionError(
      `the in-flight CodeDeploy deployment ${deploymentId} did not end in time (${decision.reason}); nothing was changed`
    )
  deps.log(`CodeDeploy deployment ${deploymentId} ended: ${decision.reason}`)
}
