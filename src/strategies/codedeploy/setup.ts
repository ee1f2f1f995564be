// CodeDeploy, before anything changes: the application and deployment group as they are, the
// AppSpec file checked, and the pair of target groups (which one is blue now). A typo in an input
// fails here, with the input's name, before a revision is registered.
import { readFile } from 'node:fs/promises'
import {
  GetDeploymentGroupCommand,
  type CodeDeployClient,
  type DeploymentGroupInfo
} from '@aws-sdk/client-codedeploy'
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { AwsClients } from '../../aws/clients.js'
import { targetGroupName } from '../../aws/names.js'
import { ActionError, errorName } from '../../errors.js'
import type { Inputs } from '../../inputs.js'
import type { ServicePlan } from '../../service/plan.js'
import { fileInWorkspace, workspaceRoot } from '../../util/input-file.js'
import { parseAppSpec, type AppSpec } from './appspec.js'

export interface CodeDeploySetup {
  readonly application: string
  readonly deploymentGroup: string
  readonly deploymentConfig?: string
  readonly appspec?: AppSpec
  readonly waitUntil: 'succeeded' | 'ready'
  /**
   * The group stops at Ready for a manual reroute (deploymentReadyOption STOP_DEPLOYMENT) and
   * waits this long before it stops the deployment; undefined when it reroutes by itself.
   */
  readonly readyWaitMs?: number
  /** The group rolls a failed deployment back by itself. */
  readonly autoRollback: boolean
  /** The original task set's target group (production now) and the replacement's. */
  readonly blueTargetGroupArn?: string
  readonly greenTargetGroupArn?: string
}

async function readGroup(
  codedeploy: CodeDeployClient,
  application: string,
  deploymentGroup: string
): Promise<DeploymentGroupInfo> {
  try {
    const answer = await codedeploy.send(
      new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: deploymentGroup })
    )
    if (!answer.deploymentGroupInfo) throw new ActionError('GetDeploymentGroup returned no deployment group')
    return answer.deploymentGroupInfo
  } catch (error) {
    const name = errorName(error)
    if (name === 'ApplicationDoesNotExistException')
      throw new ActionError(`input codedeploy-application: application ${application} does not exist`)
    if (name === 'DeploymentGroupDoesNotExistException')
      throw new ActionError(
        `input codedeploy-deployment-group: deployment group ${deploymentGroup} does not exist in application ${application}`
      )
    throw error
  }
}

/** Reads the AppSpec file the input names: inside the workspace only, checked before it is read. */
async function readAppSpecFile(path: string, workspace: string): Promise<AppSpec> {
  const inside = await fileInWorkspace('codedeploy-appspec', path, workspace)
  let text: string
  try {
    text = await readFile(inside, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code
    throw new ActionError(
      code === 'ENOENT'
        ? `input codedeploy-appspec: ${path} does not exist`
        : `input codedeploy-appspec: ${path}: cannot read the file (${code ?? String(error)})`
    )
  }
  return parseAppSpec(text, path)
}

/** Everything a CodeDeploy rollout needs, checked before anything in AWS changes. */
export async function loadCodeDeploySetup(
  inputs: Pick<Inputs, 'waitUntil' | 'codedeploy'>,
  clients: AwsClients,
  plan: ServicePlan,
  /** Where the AppSpec file must lie (GITHUB_WORKSPACE in the action). */
  workspace: string = workspaceRoot()
): Promise<CodeDeploySetup> {
  const application = inputs.codedeploy.application ?? `AppECS-${plan.cluster}-${plan.serviceName}`
  const deploymentGroup = inputs.codedeploy.deploymentGroup ?? `DgpECS-${plan.cluster}-${plan.serviceName}`
  const appspec = inputs.codedeploy.appspecPath
    ? await readAppSpecFile(inputs.codedeploy.appspecPath, workspace)
    : undefined
  const group = await readGroup(await clients.codedeploy(), application, deploymentGroup)

  const ready = group.blueGreenDeploymentConfiguration?.deploymentReadyOption
  if (inputs.waitUntil === 'ready' && ready?.actionOnTimeout !== 'STOP_DEPLOYMENT')
    throw new ActionError(
      `input wait-until: \`ready\` needs a deployment group that waits for a manual reroute (deploymentReadyOption STOP_DEPLOYMENT); ${deploymentGroup} continues on its own`
    )
  const readyWaitMs =
    ready?.actionOnTimeout === 'STOP_DEPLOYMENT' ? (ready.waitTimeInMinutes ?? 0) * 60_000 : undefined
  const rollback = group.autoRollbackConfiguration
  const autoRollback = rollback?.enabled === true && (rollback.events ?? []).includes('DEPLOYMENT_FAILURE')

  // The pair of target groups: blue is the one the PRIMARY task set serves from now.
  const names = (group.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.targetGroups ?? [])
    .map(t => t.name)
    .filter((n): n is string => typeof n === 'string')
  let blue: string | undefined
  let green: string | undefined
  if (names.length === 2) {
    const elb = await clients.elb()
    const found = await elb.send(new DescribeTargetGroupsCommand({ Names: names }))
    const arns = (found.TargetGroups ?? []).map(t => t.TargetGroupArn).filter((a): a is string => !!a)
    const primary = plan.service.taskSets?.find(s => s.status === 'PRIMARY')
    const serving = primary?.loadBalancers?.[0]?.targetGroupArn ?? plan.targetGroupArns[0]
    blue = arns.find(a => a === serving) ?? arns[0]
    green = arns.find(a => a !== blue)
  }
  return {
    application,
    deploymentGroup,
    ...(inputs.codedeploy.deploymentConfig !== undefined && {
      deploymentConfig: inputs.codedeploy.deploymentConfig
    }),
    ...(appspec !== undefined && { appspec }),
    waitUntil: inputs.waitUntil,
    ...(readyWaitMs !== undefined && { readyWaitMs }),
    autoRollback,
    ...(blue !== undefined && { blueTargetGroupArn: blue }),
    ...(green !== undefined && { greenTargetGroupArn: green })
  }
}

/** The plan's lines for the log and the summary. */
export function describeCodeDeploySetup(setup: CodeDeploySetup): string[] {
  return [
    `CodeDeploy: application ${setup.application}, deployment group ${setup.deploymentGroup}${setup.deploymentConfig ? `, config ${setup.deploymentConfig}` : ''}`,
    `AppSpec: ${setup.appspec ? `from the file${setup.appspec.Hooks?.length ? `, ${setup.appspec.Hooks.length} hook(s)` : ''}` : "generated from the service's load balancer"}`,
    ...(setup.greenTargetGroupArn && setup.blueTargetGroupArn
      ? [
          `replacement in ${targetGroupName(setup.greenTargetGroupArn)}, original in ${targetGroupName(setup.blueTargetGroupArn)}`
        ]
      : []),
    ...(setup.readyWaitMs !== undefined
      ? [
          `stops at Ready for approval (manual reroute), for up to ${Math.round(setup.readyWaitMs / 60_000)} min`
        ]
      : []),
    `on failure: ${setup.autoRollback ? 'the deployment group rolls back by itself' : 'ecs-ship rolls back (the group has no automatic rollback)'}`,
    `done when: ${setup.waitUntil === 'ready' ? 'Ready (replacement on test traffic, waiting for the reroute)' : 'Succeeded'}`
  ]
}
