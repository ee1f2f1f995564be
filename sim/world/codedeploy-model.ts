// The state of simulated CodeDeploy (ECS compute platform only), typed with the SDK's own shapes.
import type {
  ApplicationInfo,
  DeploymentConfigInfo,
  DeploymentGroupInfo,
  DeploymentInfo,
  Diagnostics,
  ECSTaskSet,
  ErrorCode,
  LifecycleEvent,
  Tag,
  TargetStatus
} from '@aws-sdk/client-codedeploy'
import type { EcsAppSpec } from './appspec.js'

/** Why a lifecycle event, and so the deployment, failed: GetDeployment's errorInformation and the event's diagnostics. */
export interface LifecycleFailure {
  readonly code: ErrorCode
  readonly message: string
  readonly diagnostics?: Diagnostics
}

export interface SimApplication {
  info: ApplicationInfo
  tags: Tag[]
}

/** One call of a lifecycle hook's Lambda function, answered through PutLifecycleEventHookExecutionStatus. */
export interface HookExecution {
  readonly id: string
  readonly eventName: string
  readonly functionName: string
  /** When the simulated function reports (wall-clock ms), and what. */
  readonly answerAt: number
  readonly answer: 'Succeeded' | 'Failed'
  /** CodeDeploy gives a hook an hour to report. */
  readonly timeoutAt: number
  reported?: 'Succeeded' | 'Failed'
}

export interface SimCodeDeployment {
  info: DeploymentInfo
  /** `deploy` shifts traffic to a replacement task set; `rollback` restores the original one. */
  readonly kind: 'deploy' | 'rollback'
  readonly appSpec: EcsAppSpec
  readonly clusterName: string
  readonly serviceName: string
  /** The ECS lifecycle events of the deployment's one target, in order. */
  events: LifecycleEvent[]
  targetStatus: TargetStatus
  lastUpdatedAt: Date
  /** A wait between lifecycle events: for ContinueDeployment (READY_WAIT) or before the original task set goes. */
  waiting?: { readonly kind: 'ready' | 'termination'; until: number }
  /** Set by ContinueDeployment (READY_WAIT): traffic may be rerouted. */
  readyContinued?: boolean
  hooks: HookExecution[]
  originalTaskSetId?: string
  replacementTaskSetId?: string
  blueTargetGroupArn?: string
  greenTargetGroupArn?: string
  /** Production traffic steps of AllowTraffic: the replacement's percentage from a given time on. */
  trafficSteps?: { at: number; greenPercent: number }[]
  greenPercent: number
  /** When Install gives up waiting for the replacement task set to become healthy. */
  installDeadline?: number
  /** The task sets as last seen, kept after ECS has deleted one. */
  taskSetsInfo: ECSTaskSet[]
  /** The deployment-completed milestone waits until every replacement target is healthy. */
  completionPending?: boolean
}

export interface CodeDeployState {
  applications: Map<string, SimApplication>
  /** Keyed by `application/deploymentGroup`. */
  deploymentGroups: Map<string, DeploymentGroupInfo>
  deployments: Map<string, SimCodeDeployment>
}

export function newCodeDeployState(): CodeDeployState {
  return { applications: new Map(), deploymentGroups: new Map(), deployments: new Map() }
}

export const groupKey = (application: string, group: string): string => `${application}/${group}`

/** The predefined ECS deployment configurations ("Deployment configurations on an Amazon ECS compute platform"). */
export const ECS_DEPLOYMENT_CONFIGS: Readonly<Record<string, DeploymentConfigInfo>> = Object.fromEntries(
  (
    [
      ['CodeDeployDefault.ECSAllAtOnce', { type: 'AllAtOnce' }],
      [
        'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
        { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } }
      ],
      [
        'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
        { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 3 } }
      ],
      [
        'CodeDeployDefault.ECSCanary10Percent5Minutes',
        { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } }
      ],
      [
        'CodeDeployDefault.ECSCanary10Percent15Minutes',
        { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 15 } }
      ]
    ] as const
  ).map(([name, trafficRoutingConfig], i) => [
    name,
    {
      deploymentConfigId: `00000000-0000-4000-8000-00000000000${i}`,
      deploymentConfigName: name,
      computePlatform: 'ECS',
      createTime: new Date(0),
      trafficRoutingConfig
    }
  ])
)
