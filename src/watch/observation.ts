// What the watch loop sees on one poll, reduced to the fields the decision needs. The AWS side
// (observe.ts) fills these in; the verdict (verdict.ts) reads only these, so it is tested with
// plain objects.
import type { LoadBalancerTarget } from '../service/plan.js'

export interface DeploymentView {
  readonly id: string
  /** PRIMARY (the newest), ACTIVE (older, still running tasks) or INACTIVE. */
  readonly status: string
  readonly taskDefinition: string
  readonly desiredCount: number
  readonly runningCount: number
  readonly pendingCount: number
  readonly failedTasks: number
  /** Absent on services without rollout states (older APIs, some controllers). */
  readonly rolloutState?: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS' | string
  readonly rolloutStateReason?: string
}

export interface ContainerView {
  readonly name: string
  readonly lastStatus?: string
  readonly exitCode?: number
  readonly reason?: string
  readonly healthStatus?: string
}

export interface PortBinding {
  readonly containerName: string
  readonly containerPort: number
  readonly hostPort: number
}

export interface TaskView {
  readonly taskArn: string
  /** For tasks a service starts: the id of the deployment that started it. */
  readonly startedBy?: string
  readonly taskDefinitionArn: string
  readonly lastStatus: string
  readonly desiredStatus: string
  /** HEALTHY / UNHEALTHY / UNKNOWN: the containers' own health checks. */
  readonly healthStatus?: string
  readonly stoppedReason?: string
  readonly stopCode?: string
  readonly startedAt?: number
  /** AWS's timestamps of the task's start-up (ms): created, image pull begun and done. */
  readonly createdAt?: number
  readonly pullStartedAt?: number
  readonly pullStoppedAt?: number
  readonly containers: readonly ContainerView[]
  /** awsvpc: the task ENI's private IP. */
  readonly privateIp?: string
  /** bridge/host: the EC2 instance the task runs on. */
  readonly instanceId?: string
  readonly bindings: readonly PortBinding[]
}

export interface TargetView {
  readonly id: string
  readonly port?: number
  /** initial, healthy, unhealthy, unused, draining, unavailable. */
  readonly state: string
  readonly reason?: string
  readonly description?: string
  /** For a draining target: when the observer first saw it draining (clock ms). */
  readonly drainingSince?: number
  /** For a target in its initial checks: the earliest it can have been registered (clock ms). */
  readonly initialSince?: number
}

export interface TargetGroupView {
  readonly arn: string
  readonly targets: readonly TargetView[]
  /** The group's deregistration delay (a static fact, read once per run), when it could be read. */
  readonly deregistrationDelayMs?: number
  /** The group's health checks (DescribeTargetGroups, read once per run), when they could be read. */
  readonly healthCheck?: {
    readonly intervalSeconds: number
    readonly healthyThreshold: number
    readonly unhealthyThreshold?: number
  }
}

/** An ECS service deployment (DescribeServiceDeployments): the lifecycle of blue/green, linear, canary. */
export interface ServiceDeploymentView {
  readonly arn: string
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED. */
  readonly status: string
  readonly lifecycleStage?: string
  readonly statusReason?: string
  /** Clock time when the observer first saw the current lifecycle stage. */
  readonly stageSince?: number
  /** The lifecycle hooks ECS ran or runs in it (lifecycleHookDetails): a pause hook waits for a person. */
  readonly hooks?: readonly LifecycleHookView[]
}

/** One entry of a service deployment's lifecycleHookDetails. */
export interface LifecycleHookView {
  readonly hookId: string
  /** AWS_LAMBDA or PAUSE. */
  readonly targetType?: string
  /** AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT. */
  readonly status: string
  /** When the hook times out (ms since the epoch). */
  readonly expiresAt?: number
  /** CONTINUE or ROLLBACK: what ECS does when it times out. */
  readonly timeoutAction?: string
}

/** Where one listener rule sends traffic: target group ARN → weight. */
export interface TrafficView {
  readonly rule: 'production' | 'test'
  readonly weights: readonly { readonly targetGroupArn: string; readonly weight: number }[]
}

export interface Observation {
  /** Clock time of the poll. */
  readonly at: number
  readonly deployments: readonly DeploymentView[]
  /** Tasks of the service, running and recently stopped (the decision picks ours). */
  readonly tasks: readonly TaskView[]
  /** One entry per target group of the service. */
  readonly targetGroups: readonly TargetGroupView[]
  /** ECS-native blue/green, linear, canary: the service deployment being watched. */
  readonly serviceDeployment?: ServiceDeploymentView
  /** ECS-native: the production and test listener rules' weights. */
  readonly traffic?: readonly TrafficView[]
  /**
   * AWS's times (ms) of the service's `has begun draining connections on N tasks` events: when
   * ECS began deregistering old tasks' targets. Exact where a poll only bounds the drain's start.
   */
  readonly drainsBegunAt?: readonly number[]
}

/** What the watch is about: fixed for one watch. */
export interface WatchContext {
  /**
   * `deployment` for our rollout, `rollback` when watching a rollback, `in-flight deployment` for
   * one we found running, `current deployment` when checking what the service already runs.
   */
  readonly label: 'deployment' | 'rollback' | 'in-flight deployment' | 'current deployment'
  readonly deploymentId: string
  readonly taskDefinitionArn: string
  readonly startedAt: number
  readonly timeoutMs: number
  readonly loadBalancers: readonly LoadBalancerTarget[]
  /** awsvpc, bridge, host (decides how a task is found among targets). */
  readonly networkMode: string
  readonly healthCheckGracePeriodMs: number
  /** True when a container of the revision has its own healthCheck. */
  readonly containerHealthChecks: boolean
  /** Failed tasks (stopped, or with unhealthy targets) of our deployment that fail it. */
  readonly failureThreshold: number
  /**
   * Checking a deployment that settled long ago: tasks that had already stopped when the check
   * began say nothing about now (they were replaced), and ECS's failedTasks counter is the
   * deployment's whole history, so neither counts. Only failures seen after these do.
   */
  readonly pastStoppedTasks?: ReadonlySet<string>
  /** ECS-native: the bake time after production traffic moved, to say how long is left. */
  readonly bakeTimeMs?: number
}
