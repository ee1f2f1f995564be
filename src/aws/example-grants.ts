// Generated from examples/django-fargate/iam/permissions.json by `npx tsx scripts/example-grants.ts --write`;
// do not edit by hand (a test fails when it is stale). For each IAM action an example role grants:
// the kind of resource (`<service>:<resource type>`, or `*`), the statement and its policy file.

/** `[action, kind, sid, policy file]`. */
export type ExampleGrant = readonly [action: string, kind: string, sid: string, policy: string]

export const EXAMPLE_POLICY_DIR = 'examples/django-fargate/iam'

export const EXAMPLE_GRANTS: readonly ExampleGrant[] = [
  ['codedeploy:ContinueDeployment', '*', 'ApprovalCodeDeployContinue', 'promote-policy.json'],
  [
    'codedeploy:CreateDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'deploy-policy.json'
  ],
  [
    'codedeploy:CreateDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'promote-policy.json'
  ],
  [
    'codedeploy:CreateDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'rollback-policy.json'
  ],
  ['codedeploy:GetDeployment', 'codedeploy:deploymentgroup', 'BlueGreenCodeDeployGroup', 'abort-policy.json'],
  [
    'codedeploy:GetDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'deploy-policy.json'
  ],
  [
    'codedeploy:GetDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'promote-policy.json'
  ],
  [
    'codedeploy:GetDeployment',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'rollback-policy.json'
  ],
  [
    'codedeploy:GetDeploymentConfig',
    'codedeploy:deploymentconfig',
    'BlueGreenCodeDeployConfig',
    'deploy-policy.json'
  ],
  [
    'codedeploy:GetDeploymentConfig',
    'codedeploy:deploymentconfig',
    'BlueGreenCodeDeployConfig',
    'promote-policy.json'
  ],
  [
    'codedeploy:GetDeploymentConfig',
    'codedeploy:deploymentconfig',
    'BlueGreenCodeDeployConfig',
    'rollback-policy.json'
  ],
  [
    'codedeploy:GetDeploymentGroup',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'abort-policy.json'
  ],
  [
    'codedeploy:GetDeploymentGroup',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'deploy-policy.json'
  ],
  [
    'codedeploy:GetDeploymentGroup',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'promote-policy.json'
  ],
  [
    'codedeploy:GetDeploymentGroup',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'rollback-policy.json'
  ],
  ['codedeploy:GetDeploymentTarget', '*', 'BlueGreenCodeDeployTargets', 'abort-policy.json'],
  ['codedeploy:GetDeploymentTarget', '*', 'BlueGreenCodeDeployTargets', 'deploy-policy.json'],
  ['codedeploy:GetDeploymentTarget', '*', 'BlueGreenCodeDeployTargets', 'promote-policy.json'],
  ['codedeploy:GetDeploymentTarget', '*', 'BlueGreenCodeDeployTargets', 'rollback-policy.json'],
  ['codedeploy:ListDeploymentTargets', '*', 'BlueGreenCodeDeployTargets', 'abort-policy.json'],
  ['codedeploy:ListDeploymentTargets', '*', 'BlueGreenCodeDeployTargets', 'deploy-policy.json'],
  ['codedeploy:ListDeploymentTargets', '*', 'BlueGreenCodeDeployTargets', 'promote-policy.json'],
  ['codedeploy:ListDeploymentTargets', '*', 'BlueGreenCodeDeployTargets', 'rollback-policy.json'],
  [
    'codedeploy:ListDeployments',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'abort-policy.json'
  ],
  [
    'codedeploy:ListDeployments',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'deploy-policy.json'
  ],
  [
    'codedeploy:ListDeployments',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'promote-policy.json'
  ],
  [
    'codedeploy:ListDeployments',
    'codedeploy:deploymentgroup',
    'BlueGreenCodeDeployGroup',
    'rollback-policy.json'
  ],
  [
    'codedeploy:RegisterApplicationRevision',
    'codedeploy:application',
    'BlueGreenCodeDeployRevision',
    'deploy-policy.json'
  ],
  [
    'codedeploy:RegisterApplicationRevision',
    'codedeploy:application',
    'BlueGreenCodeDeployRevision',
    'promote-policy.json'
  ],
  [
    'codedeploy:RegisterApplicationRevision',
    'codedeploy:application',
    'BlueGreenCodeDeployRevision',
    'rollback-policy.json'
  ],
  ['codedeploy:StopDeployment', '*', 'BlueGreenCodeDeployStop', 'abort-policy.json'],
  ['codedeploy:StopDeployment', '*', 'BlueGreenCodeDeployStop', 'deploy-policy.json'],
  ['codedeploy:StopDeployment', '*', 'BlueGreenCodeDeployStop', 'promote-policy.json'],
  ['ecr:BatchCheckLayerAvailability', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:BatchCheckLayerAvailability', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecr:BatchGetImage', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:BatchGetImage', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecr:CompleteLayerUpload', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:CompleteLayerUpload', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecr:DescribeImages', 'ecr:repository', 'ImageFindRepositoryAndTag', 'deploy-policy.json'],
  ['ecr:DescribeImages', 'ecr:repository', 'PreviewImageFindRepositoryAndTag', 'preview-policy.json'],
  ['ecr:DescribeImages', 'ecr:repository', 'RollbackImageTagCheck', 'rollback-policy.json'],
  ['ecr:DescribeRepositories', 'ecr:repository', 'ImageFindRepositoryAndTag', 'deploy-policy.json'],
  ['ecr:DescribeRepositories', 'ecr:repository', 'PreviewImageFindRepositoryAndTag', 'preview-policy.json'],
  ['ecr:GetAuthorizationToken', '*', 'ImageRegistryLogin', 'deploy-policy.json'],
  ['ecr:GetAuthorizationToken', '*', 'ImageRegistryLogin', 'preview-policy.json'],
  ['ecr:GetDownloadUrlForLayer', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:InitiateLayerUpload', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:InitiateLayerUpload', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecr:PutImage', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:PutImage', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecr:UploadLayerPart', 'ecr:repository', 'ImagePushAndCache', 'deploy-policy.json'],
  ['ecr:UploadLayerPart', 'ecr:repository', 'PreviewImagePush', 'preview-policy.json'],
  ['ecs:ContinueServiceDeployment', 'ecs:service', 'ApprovalNativeContinue', 'abort-policy.json'],
  ['ecs:ContinueServiceDeployment', 'ecs:service', 'ApprovalNativeContinue', 'promote-policy.json'],
  ['ecs:ContinueServiceDeployment', 'ecs:service-deployment', 'ApprovalNativeContinue', 'abort-policy.json'],
  [
    'ecs:ContinueServiceDeployment',
    'ecs:service-deployment',
    'ApprovalNativeContinue',
    'promote-policy.json'
  ],
  ['ecs:CreateService', 'ecs:service', 'PreviewCreateServiceOnlyTagged', 'preview-policy.json'],
  ['ecs:DeleteService', 'ecs:service', 'PreviewChangeOwnService', 'preview-policy.json'],
  ['ecs:DescribeServiceDeployments', 'ecs:service', 'BlueGreenNativeFollow', 'abort-policy.json'],
  ['ecs:DescribeServiceDeployments', 'ecs:service', 'BlueGreenNativeFollow', 'rollback-policy.json'],
  ['ecs:DescribeServiceDeployments', 'ecs:service', 'BlueGreenNativeFollowAndStop', 'deploy-policy.json'],
  ['ecs:DescribeServiceDeployments', 'ecs:service', 'BlueGreenNativeFollowAndStop', 'promote-policy.json'],
  ['ecs:DescribeServiceDeployments', 'ecs:service-deployment', 'BlueGreenNativeFollow', 'abort-policy.json'],
  [
    'ecs:DescribeServiceDeployments',
    'ecs:service-deployment',
    'BlueGreenNativeFollow',
    'rollback-policy.json'
  ],
  [
    'ecs:DescribeServiceDeployments',
    'ecs:service-deployment',
    'BlueGreenNativeFollowAndStop',
    'deploy-policy.json'
  ],
  [
    'ecs:DescribeServiceDeployments',
    'ecs:service-deployment',
    'BlueGreenNativeFollowAndStop',
    'promote-policy.json'
  ],
  ['ecs:DescribeServiceRevisions', 'ecs:service', 'RollbackServiceRevisionsRead', 'rollback-policy.json'],
  [
    'ecs:DescribeServiceRevisions',
    'ecs:service-revision',
    'RollbackServiceRevisionsRead',
    'rollback-policy.json'
  ],
  ['ecs:DescribeServices', 'ecs:service', 'PreviewServicesRead', 'preview-policy.json'],
  ['ecs:DescribeServices', 'ecs:service', 'ServiceRead', 'abort-policy.json'],
  ['ecs:DescribeServices', 'ecs:service', 'ServiceRead', 'deploy-policy.json'],
  ['ecs:DescribeServices', 'ecs:service', 'ServiceRead', 'promote-policy.json'],
  ['ecs:DescribeServices', 'ecs:service', 'ServiceRead', 'rollback-policy.json'],
  ['ecs:DescribeTaskDefinition', '*', 'TaskDefinitionRead', 'abort-policy.json'],
  ['ecs:DescribeTaskDefinition', '*', 'TaskDefinitionRead', 'deploy-policy.json'],
  ['ecs:DescribeTaskDefinition', '*', 'TaskDefinitionRead', 'preview-policy.json'],
  ['ecs:DescribeTaskDefinition', '*', 'TaskDefinitionRead', 'promote-policy.json'],
  ['ecs:DescribeTaskDefinition', '*', 'TaskDefinitionRead', 'rollback-policy.json'],
  ['ecs:DescribeTasks', 'ecs:task', 'TasksReadInTheCluster', 'abort-policy.json'],
  ['ecs:DescribeTasks', 'ecs:task', 'TasksReadInTheCluster', 'deploy-policy.json'],
  ['ecs:DescribeTasks', 'ecs:task', 'TasksReadInTheCluster', 'preview-policy.json'],
  ['ecs:DescribeTasks', 'ecs:task', 'TasksReadInTheCluster', 'promote-policy.json'],
  ['ecs:DescribeTasks', 'ecs:task', 'TasksReadInTheCluster', 'rollback-policy.json'],
  ['ecs:ListServiceDeployments', 'ecs:service', 'ServiceDeploymentsList', 'abort-policy.json'],
  ['ecs:ListServiceDeployments', 'ecs:service', 'ServiceDeploymentsList', 'deploy-policy.json'],
  ['ecs:ListServiceDeployments', 'ecs:service', 'ServiceDeploymentsList', 'promote-policy.json'],
  ['ecs:ListServiceDeployments', 'ecs:service', 'ServiceDeploymentsList', 'rollback-policy.json'],
  ['ecs:ListTaskDefinitions', '*', 'RollbackFamilyRevisionsList', 'rollback-policy.json'],
  ['ecs:ListTasks', '*', 'TasksReadInTheCluster', 'abort-policy.json'],
  ['ecs:ListTasks', '*', 'TasksReadInTheCluster', 'deploy-policy.json'],
  ['ecs:ListTasks', '*', 'TasksReadInTheCluster', 'preview-policy.json'],
  ['ecs:ListTasks', '*', 'TasksReadInTheCluster', 'promote-policy.json'],
  ['ecs:ListTasks', '*', 'TasksReadInTheCluster', 'rollback-policy.json'],
  [
    'ecs:RegisterTaskDefinition',
    'ecs:task-definition',
    'PreviewTaskDefinitionRegister',
    'preview-policy.json'
  ],
  ['ecs:RegisterTaskDefinition', 'ecs:task-definition', 'TaskDefinitionRegister', 'deploy-policy.json'],
  ['ecs:RegisterTaskDefinition', 'ecs:task-definition', 'TaskDefinitionRegister', 'rollback-policy.json'],
  ['ecs:RunTask', 'ecs:task-definition', 'MigrateRunTask', 'deploy-policy.json'],
  ['ecs:StopServiceDeployment', 'ecs:service', 'BlueGreenNativeFollowAndStop', 'deploy-policy.json'],
  ['ecs:StopServiceDeployment', 'ecs:service', 'BlueGreenNativeFollowAndStop', 'promote-policy.json'],
  [
    'ecs:StopServiceDeployment',
    'ecs:service-deployment',
    'BlueGreenNativeFollowAndStop',
    'deploy-policy.json'
  ],
  [
    'ecs:StopServiceDeployment',
    'ecs:service-deployment',
    'BlueGreenNativeFollowAndStop',
    'promote-policy.json'
  ],
  ['ecs:StopTask', 'ecs:task', 'MigrateStopTask', 'deploy-policy.json'],
  ['ecs:TagResource', 'ecs:service', 'PreviewTagServiceOnCreate', 'preview-policy.json'],
  ['ecs:TagResource', 'ecs:task', 'MigrateTagTaskOnRun', 'deploy-policy.json'],
  ['ecs:TagResource', 'ecs:task-definition', 'PreviewTaskDefinitionTagOnRegister', 'preview-policy.json'],
  ['ecs:TagResource', 'ecs:task-definition', 'TaskDefinitionTagOnRegister', 'deploy-policy.json'],
  ['ecs:TagResource', 'ecs:task-definition', 'TaskDefinitionTagOnRegister', 'rollback-policy.json'],
  ['ecs:UpdateService', 'ecs:service', 'PreviewChangeOwnService', 'preview-policy.json'],
  ['ecs:UpdateService', 'ecs:service', 'RolloutUpdateService', 'deploy-policy.json'],
  ['ecs:UpdateService', 'ecs:service', 'RolloutUpdateService', 'rollback-policy.json'],
  [
    'elasticloadbalancing:AddTags',
    'elasticloadbalancing:listener-rule',
    'PreviewTagLoadBalancingOnCreate',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:AddTags',
    'elasticloadbalancing:targetgroup',
    'PreviewTagLoadBalancingOnCreate',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:CreateRule',
    'elasticloadbalancing:listener',
    'PreviewCreateLoadBalancingOnlyTagged',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:CreateTargetGroup',
    'elasticloadbalancing:targetgroup',
    'PreviewCreateLoadBalancingOnlyTagged',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:DeleteRule',
    'elasticloadbalancing:listener-rule',
    'PreviewChangeOwnLoadBalancing',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:targetgroup',
    'PreviewChangeOwnLoadBalancing',
    'preview-policy.json'
  ],
  ['elasticloadbalancing:DescribeListeners', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  ['elasticloadbalancing:DescribeLoadBalancers', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  ['elasticloadbalancing:DescribeRules', '*', 'BlueGreenNativeListenerRules', 'abort-policy.json'],
  ['elasticloadbalancing:DescribeRules', '*', 'BlueGreenNativeListenerRules', 'deploy-policy.json'],
  ['elasticloadbalancing:DescribeRules', '*', 'BlueGreenNativeListenerRules', 'promote-policy.json'],
  ['elasticloadbalancing:DescribeRules', '*', 'BlueGreenNativeListenerRules', 'rollback-policy.json'],
  ['elasticloadbalancing:DescribeRules', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  ['elasticloadbalancing:DescribeTags', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  [
    'elasticloadbalancing:DescribeTargetGroupAttributes',
    '*',
    'PreviewLoadBalancingRead',
    'preview-policy.json'
  ],
  ['elasticloadbalancing:DescribeTargetGroupAttributes', '*', 'TargetHealthRead', 'abort-policy.json'],
  ['elasticloadbalancing:DescribeTargetGroupAttributes', '*', 'TargetHealthRead', 'deploy-policy.json'],
  ['elasticloadbalancing:DescribeTargetGroupAttributes', '*', 'TargetHealthRead', 'promote-policy.json'],
  ['elasticloadbalancing:DescribeTargetGroupAttributes', '*', 'TargetHealthRead', 'rollback-policy.json'],
  ['elasticloadbalancing:DescribeTargetGroups', '*', 'BlueGreenCodeDeployTargetGroups', 'abort-policy.json'],
  ['elasticloadbalancing:DescribeTargetGroups', '*', 'BlueGreenCodeDeployTargetGroups', 'deploy-policy.json'],
  [
    'elasticloadbalancing:DescribeTargetGroups',
    '*',
    'BlueGreenCodeDeployTargetGroups',
    'promote-policy.json'
  ],
  [
    'elasticloadbalancing:DescribeTargetGroups',
    '*',
    'BlueGreenCodeDeployTargetGroups',
    'rollback-policy.json'
  ],
  ['elasticloadbalancing:DescribeTargetGroups', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  ['elasticloadbalancing:DescribeTargetHealth', '*', 'PreviewLoadBalancingRead', 'preview-policy.json'],
  ['elasticloadbalancing:DescribeTargetHealth', '*', 'TargetHealthRead', 'abort-policy.json'],
  ['elasticloadbalancing:DescribeTargetHealth', '*', 'TargetHealthRead', 'deploy-policy.json'],
  ['elasticloadbalancing:DescribeTargetHealth', '*', 'TargetHealthRead', 'promote-policy.json'],
  ['elasticloadbalancing:DescribeTargetHealth', '*', 'TargetHealthRead', 'rollback-policy.json'],
  [
    'elasticloadbalancing:ModifyRule',
    'elasticloadbalancing:listener-rule',
    'PreviewChangeOwnLoadBalancing',
    'preview-policy.json'
  ],
  [
    'elasticloadbalancing:ModifyTargetGroupAttributes',
    'elasticloadbalancing:targetgroup',
    'PreviewChangeOwnLoadBalancing',
    'preview-policy.json'
  ],
  ['iam:PassRole', 'iam:role', 'PassTaskRolesToEcsTasks', 'deploy-policy.json'],
  ['iam:PassRole', 'iam:role', 'PassTaskRolesToEcsTasks', 'rollback-policy.json'],
  ['iam:PassRole', 'iam:role', 'PreviewPassTaskRoles', 'preview-policy.json'],
  ['logs:GetLogEvents', 'logs:log-group', 'MigrateTaskLogs', 'deploy-policy.json']
]
