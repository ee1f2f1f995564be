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
  let ready = false
  const decision = await watchLoop(
    async () => {
      const answer = await deps.codedeploy.send(new GetDeploymentCommand({ deploymentId }))
      return { at: deps.clock.now(), status: answer.deploymentInfo?.status ?? 'Unknown' }
    },
    observation => {
      // At Ready it waits for a person, not for time: say so now, not at the timeout.
      ready = observation.status === 'Ready'
      return ready
        ? {
            ...decideEnded(observation, context),
            kind: 'failed',
            failure: { cause: 'stopped', evidence: [] }
          }
        : decideEnded(observation, context)
    },
    context,
    { clock: deps.clock, log: deps.log, ...(deps.backoff !== undefined && { backoff: deps.backoff }) }
  )
  if (ready)
    throw new ActionError(
      `the CodeDeploy deployment ${deploymentId} waits for approval at Ready; nothing was changed. Promote or abort it first (mode: promote or mode: abort, deployment-id ${deploymentId}), then deploy again`
    )
  if (decision.kind !== 'done')
    throw new ActionError(
      `the in-flight CodeDeploy deployment ${deploymentId} did not end in time (${decision.reason}); nothing was changed`
    )
  deps.log(`CodeDeploy deployment ${deploymentId} ended: ${decision.reason}`)
}
