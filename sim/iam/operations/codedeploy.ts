// AWS CodeDeploy. Deployments are authorized on their deployment group; the Service Authorization
// Reference gives StopDeployment, ContinueDeployment, the hook status and the deployment-target
// calls no resource type, so they are evaluated against `*`.
import { applicationArn, deploymentConfigArn, deploymentGroupArn } from '../arns.js'
import {
  requestTagContext,
  resourceTagContext,
  str,
  strings,
  type AnyTag,
  type Check,
  type RequestScope
} from '../check.js'
import { check, onAnyResource, type OperationChecks, type ServiceTable } from './table.js'

/** CodeDeploy's default when neither the deployment nor its group names a configuration. */
const DEFAULT_CONFIG = 'CodeDeployDefault.OneAtATime'

function onGroup(action: string, scope: RequestScope, application: string, group: string): Check {
  const arn = deploymentGroupArn(scope, application, group)
  return check(action, arn, resourceTagContext(scope.world.tagsOf(arn)))
}

function onApplication(action: string, scope: RequestScope, application: string): Check {
  const arn = applicationArn(scope, application)
  return check(action, arn, resourceTagContext(scope.world.tagsOf(arn)))
}

/** A deployment is authorized on the group it belongs to; an unknown one on `*`. */
function onDeployment(action: string, scope: RequestScope, deploymentId: string): Check {
  const found = scope.world.codeDeployDeployment?.(deploymentId)
  return found ? onGroup(action, scope, found.applicationName, found.deploymentGroupName) : check(action, '*')
}

function tagsOf(input: Readonly<Record<string, unknown>>): AnyTag[] {
  return Array.isArray(input.tags) ? (input.tags as AnyTag[]) : []
}

/**
 * CreateDeployment: "When you specify CreateDeployment permissions, you must also specify
 * GetDeploymentConfig permissions for the deployment configuration and GetApplicationRevision or
 * RegisterApplicationRevision permissions for the application revision" (CodeDeploy permissions
 * reference). An ECS deployment's AppSpec content is registered as a revision of the application.
 */
const createDeployment: OperationChecks = (input, scope) => {
  const application = str(input.applicationName) ?? ''
  const group = str(input.deploymentGroupName) ?? ''
  const config =
    str(input.deploymentConfigName) ?? scope.world.deploymentConfigOf?.(application, group) ?? DEFAULT_CONFIG
  return [
    onGroup('codedeploy:CreateDeployment', scope, application, group),
    {
      ...check('codedeploy:GetDeploymentConfig', deploymentConfigArn(scope, config)),
      impliedBy: 'codedeploy:CreateDeployment'
    },
    {
      ...onApplication('codedeploy:RegisterApplicationRevision', scope, application),
      impliedBy: 'codedeploy:CreateDeployment',
      orActions: ['codedeploy:GetApplicationRevision']
    }
  ]
}

export const codeDeployTable: ServiceTable = {
  CreateApplication: (input, scope) => [
    {
      ...onApplication('codedeploy:CreateApplication', scope, str(input.applicationName) ?? ''),
      context: requestTagContext(tagsOf(input))
    }
  ],
  GetApplication: (input, scope) => [
    onApplication('codedeploy:GetApplication', scope, str(input.applicationName) ?? '')
  ],
  BatchGetApplications: (input, scope) =>
    strings(input.applicationNames).map(name =>
      onApplication('codedeploy:BatchGetApplications', scope, name)
    ),
  ListApplications: onAnyResource('codedeploy:ListApplications'),
  DeleteApplication: (input, scope) => [
    onApplication('codedeploy:DeleteApplication', scope, str(input.applicationName) ?? '')
  ],
  CreateDeploymentGroup: (input, scope) => [
    {
      ...onGroup(
        'codedeploy:CreateDeploymentGroup',
        scope,
        str(input.applicationName) ?? '',
        str(input.deploymentGroupName) ?? ''
      ),
      context: requestTagContext(tagsOf(input))
    }
  ],
  GetDeploymentGroup: (input, scope) => [
    onGroup(
      'codedeploy:GetDeploymentGroup',
      scope,
      str(input.applicationName) ?? '',
      str(input.deploymentGroupName) ?? ''
    )
  ],
  ListDeploymentGroups: (input, scope) => [
    onApplication('codedeploy:ListDeploymentGroups', scope, str(input.applicationName) ?? '')
  ],
  UpdateDeploymentGroup: (input, scope) => {
    const application = str(input.applicationName) ?? ''
    const current = str(input.currentDeploymentGroupName) ?? ''
    const renamed = str(input.newDeploymentGroupName)
    // A rename needs the permission on both names (the permissions reference, note 3).
    return [current, ...(renamed !== undefined && renamed !== current ? [renamed] : [])].map(group =>
      onGroup('codedeploy:UpdateDeploymentGroup', scope, application, group)
    )
  },
  DeleteDeploymentGroup: (input, scope) => [
    onGroup(
      'codedeploy:DeleteDeploymentGroup',
      scope,
      str(input.applicationName) ?? '',
      str(input.deploymentGroupName) ?? ''
    )
  ],
  GetDeploymentConfig: (input, scope) => [
    check('codedeploy:GetDeploymentConfig', deploymentConfigArn(scope, str(input.deploymentConfigName) ?? ''))
  ],
  ListDeploymentConfigs: onAnyResource('codedeploy:ListDeploymentConfigs'),
  CreateDeployment: createDeployment,
  GetDeployment: (input, scope) => [
    onDeployment('codedeploy:GetDeployment', scope, str(input.deploymentId) ?? '')
  ],
  BatchGetDeployments: (input, scope) =>
    strings(input.deploymentIds).map(id => onDeployment('codedeploy:BatchGetDeployments', scope, id)),
  // Resource-level only for one deployment group (the permissions reference, note 2).
  ListDeployments: (input, scope) => {
    const application = str(input.applicationName)
    const group = str(input.deploymentGroupName)
    return application !== undefined && group !== undefined
      ? [onGroup('codedeploy:ListDeployments', scope, application, group)]
      : [check('codedeploy:ListDeployments', '*')]
  },
  StopDeployment: onAnyResource('codedeploy:StopDeployment'),
  ContinueDeployment: onAnyResource('codedeploy:ContinueDeployment'),
  PutLifecycleEventHookExecutionStatus: onAnyResource('codedeploy:PutLifecycleEventHookExecutionStatus'),
  ListDeploymentTargets: onAnyResource('codedeploy:ListDeploymentTargets'),
  BatchGetDeploymentTargets: onAnyResource('codedeploy:BatchGetDeploymentTargets'),
  GetDeploymentTarget: onAnyResource('codedeploy:GetDeploymentTarget')
}
