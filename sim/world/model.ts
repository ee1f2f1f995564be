// The simulator's state: the resources of every simulated service, typed with the AWS SDK's own
// shapes so what we answer cannot drift from what the SDK expects.
import { randomUUID } from 'node:crypto'
import type {
  Cluster,
  Deployment,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookDetail,
  Service,
  ServiceEvent,
  Task,
  TaskDefinition,
  Tag as EcsTag,
  ServiceDeployment,
  ServiceRevision
} from '@aws-sdk/client-ecs'
import type {
  Listener,
  LoadBalancer,
  Rule,
  TargetGroup,
  Tag as ElbTag,
  TargetHealthStateEnum,
  TargetHealthReasonEnum
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Behaviours, CallRecord, FaultSpec, SimMilestone, Timings } from '../contract.js'
import type { Identity } from '../iam/index.js'
import type { LifecycleStep } from './bluegreen-plan.js'
import { newCodeDeployState, type CodeDeployState } from './codedeploy-model.js'

export interface SimTarget {
  readonly id: string
  readonly port: number
  /** The task that registered it (ECS-managed targets). */
  readonly taskArn?: string
  state: TargetHealthStateEnum
  reason?: TargetHealthReasonEnum
  description?: string
  /** Wall-clock ms of the last state change. */
  since: number
  /** Whether the application behind it answers health checks (decided by the task's behaviour). */
  passes: boolean
  /** Wall-clock ms from which its checks can pass (a slow start); checks before it fail. */
  passesFrom?: number
  failReason?: TargetHealthReasonEnum
  /** Wall-clock ms of the next health check (the first comes one interval after registration). */
  nextCheckAt?: number
  /** Consecutive passed and failed checks, against the healthy and unhealthy threshold counts. */
  passedInARow?: number
  failedInARow?: number
}

export interface SimTargetGroup {
  group: TargetGroup
  attributes: Record<string, string>
  tags: ElbTag[]
  targets: SimTarget[]
}

/**
 * A container's own health check, run the way Docker runs it for the ECS agent: every `interval`
 * from the container's start; a pass makes it HEALTHY; a failure counts only after the start
 * period, and `retries` counted failures in a row make it UNHEALTHY.
 */
export interface ContainerHealthPlan {
  readonly name: string
  readonly essential: boolean
  readonly intervalMs: number
  readonly retries: number
  readonly startPeriodMs: number
  /** Ms after the container starts from which its check passes; undefined: it never does. */
  readonly passesAfterMs?: number
  checksRun: number
  failedInARow: number
}

/** Scheduled future changes of a task (wall-clock ms). */
export interface TaskPlan {
  pendingAt: number
  /** End of PENDING (the image pull): ACTIVATING, or a task that cannot start stops here. */
  activatingAt: number
  runningAt: number
  /** The essential container exits (crash, or a one-off command finishing). */
  exitAt?: number
  exitCode?: number
  /** Fails to start: stops at the end of PENDING instead of running. */
  cannotStart?: { stopCode: string; stoppedReason: string }
  /** Containers with a healthCheck in their definition. */
  containerHealth: ContainerHealthPlan[]
  /** Names of the essential containers: the task's healthStatus derives from theirs. */
  essentialContainers: string[]
  /** The target-group health check fails (RUNNING but unhealthy behind the ALB). */
  failsTargetCheck?: TargetHealthReasonEnum
  /** Ms after RUNNING before the app answers the load balancer's checks (a slow start). */
  appReadyAfterMs: number
  /** Log lines with the (wall-clock) time each is written. */
  logLines: { at: number; message: string }[]
  /** When a stop was requested; the task drains (DEACTIVATING), stops its containers (STOPPING), then DEPROVISIONING. */
  stopRequestedAt?: number
  drainEndsAt?: number
  containersStopAt?: number
  stoppedAt?: number
  /** Service deployment that owns the task (service tasks only). */
  deploymentId?: string
  serviceName?: string
  /** The container whose awslogs stream gets the log lines (the command's, else the essential one). */
  logContainer?: string
  /** Once healthy, a later failure no longer counts against the deployment's circuit breaker. */
  everHealthy?: boolean
}

export interface SimTask {
  task: Task
  plan: TaskPlan
}

/** A Lambda lifecycle hook ECS invoked for a blue/green deployment, and what it will answer when. */
export interface LambdaHookInvocation {
  readonly kind: 'lambda'
  readonly detail: DeploymentLifecycleHookDetail
  readonly answersAt: number
  readonly outcome: 'succeeded' | 'failed'
}

/**
 * A PAUSE hook the deployment waits at ("Pause hooks for Amazon ECS service deployments"): it is
 * AWAITING_ACTION until ContinueServiceDeployment names it, or until it expires (wall-clock ms,
 * the detail's expiresAt), when its timeoutAction applies.
 */
export interface PauseHookInvocation {
  readonly kind: 'pause'
  readonly detail: DeploymentLifecycleHookDetail
  readonly expiresAt: number
  /** What ContinueServiceDeployment asked for, and when: the controller acts on it at its next pass. */
  continued?: { readonly action: DeploymentLifecycleHookAction; readonly at: number }
}

export type HookInvocation = LambdaHookInvocation | PauseHookInvocation

/** The progress of one blue/green, linear or canary deployment (the green one). */
export interface BlueGreenRun {
  readonly steps: readonly LifecycleStep[]
  /** Index in `steps` of the step being carried out. */
  next: number
  /** When the current step began: waits count from here. */
  stepStartedAt: number
  /** Hooks of the current `hooks` step that have answered, and the one ECS is waiting for. */
  hooksAnswered: number
  hook?: HookInvocation
  /** Every hook invoked so far, newest last (ContinueServiceDeployment tells a finished hook from an unknown one). */
  readonly invoked: DeploymentLifecycleHookDetail[]
  /** The deployment serving production traffic when this one started. */
  readonly blue: SimDeployment
  readonly blueTargetGroupArn: string
  readonly greenTargetGroupArn: string
  /** From SCALE_UP on, ECS keeps the green revision at the desired count. */
  greenLaunched: boolean
  rollback?: { readonly reason: string; readonly startedAt: number }
  finished: boolean
}

export interface SimDeployment {
  deployment: Deployment
  /** ARN of the matching service deployment (ListServiceDeployments). */
  serviceDeploymentArn: string
  serviceRevisionArn: string
  /** Set when this deployment is ECS's own rollback. */
  rollbackOf?: string
  /** Tasks of this deployment that stopped before becoming healthy (circuit breaker). */
  failedTasks: number
  /** The lifecycle of a blue/green, linear or canary deployment (controllers/bluegreen/). */
  blueGreen?: BlueGreenRun
  /** When StopServiceDeployment asked for a rollback that ECS has not started yet. */
  rollbackRequestedAt?: number
}

export interface SimService {
  service: Service
  deployments: SimDeployment[]
  /** Task definition of the last deployment that completed: what the circuit breaker rolls back to. */
  lastCompletedTaskDefinition?: string
  tags: EcsTag[]
  events: ServiceEvent[]
  /** Every service deployment ever made, newest last. */
  history: ServiceDeployment[]
  revisions: ServiceRevision[]
  steady: boolean
}

export interface SimLogStream {
  events: { timestamp: number; message: string; ingestionTime: number }[]
  createdAt: number
}

/** An image held in memory (no real registry behind ECR): its manifest is real JSON and its digest that manifest's sha256. */
export interface SimImage {
  digest: string
  pushedAt: Date
  /** The layers' compressed size, as ECR's imageSizeInBytes reports it. */
  size: number
  manifest: string
  mediaType: string
}

export interface SimRepository {
  name: string
  uri: string
  arn: string
  createdAt: Date
  /** IMMUTABLE: a pushed tag cannot be pushed again (as DescribeRepositories reports it). Default MUTABLE. */
  tagMutability?: 'MUTABLE' | 'IMMUTABLE'
  /** In-memory images when no real registry backs ECR: tag → image. */
  images: Map<string, SimImage>
  /**
   * With a real registry behind ECR: when the simulator first saw each digest. The registry's v2
   * API has no push time, and ECR's imagePushedAt does not change from one call to the next.
   */
  firstSeen: Map<string, Date>
}

export interface SimState {
  readonly accountId: string
  readonly region: string
  readonly startedAt: number
  timeScale: number
  timings: Timings
  registryUrl?: string
  /**
   * `127.0.0.1:<port>` when the simulator itself answers the registry API in front of registryUrl
   * (SimulatorOptions.registryProxy): image references and the registry login name it.
   */
  registryFront?: string
  clusters: Map<string, Cluster>
  /** family → revisions in order (index = revision - 1). */
  taskDefinitions: Map<string, { definition: TaskDefinition; tags: EcsTag[] }[]>
  services: Map<string, SimService>
  tasks: SimTask[]
  loadBalancers: LoadBalancer[]
  listeners: Listener[]
  rules: { rule: Rule; listenerArn: string; tags: ElbTag[] }[]
  targetGroups: SimTargetGroup[]
  logGroups: Map<string, { createdAt: number; streams: Map<string, SimLogStream> }>
  repositories: Map<string, SimRepository>
  behaviours: Behaviours
  /** Behaviours a fixture sets for itself (its migrate command); those a test sets win over them. */
  fixtureBehaviours: Behaviours
  faults: { spec: FaultSpec; setAt: number }[]
  calls: CallRecord[]
  milestones: SimMilestone[]
  counter: number
  codedeploy: CodeDeployState
  /**
   * Task-definition ARNs a blue/green deployment has sent production traffic to, since the state
   * began (Behaviours.failingInProduction turns sick from then on).
   */
  servedProduction: Set<string>
  /** The caller and its policies every AWS request is authorized against; undefined: allow all. */
  identity?: Identity
}

export const DEFAULT_TIMINGS: Timings = {
  provisioningSeconds: 2,
  pendingSeconds: 3,
  activatingSeconds: 1,
  stoppingSeconds: 2,
  deprovisioningSeconds: 1
}

export function newState(options: {
  accountId?: string
  region?: string
  timeScale?: number
  timings?: Partial<Timings>
  registryUrl?: string
  registryFront?: string
}): SimState {
  return {
    accountId: options.accountId ?? '123456789012',
    region: options.region ?? 'us-east-1',
    startedAt: Date.now(),
    timeScale: options.timeScale ?? 1,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    registryUrl: options.registryUrl,
    registryFront: options.registryFront,
    clusters: new Map(),
    taskDefinitions: new Map(),
    services: new Map(),
    tasks: [],
    loadBalancers: [],
    listeners: [],
    rules: [],
    targetGroups: [],
    logGroups: new Map(),
    repositories: new Map(),
    behaviours: {},
    fixtureBehaviours: {},
    faults: [],
    calls: [],
    milestones: [],
    counter: 0,
    codedeploy: newCodeDeployState(),
    servedProduction: new Set()
  }
}

/** Converts simulated seconds to wall-clock milliseconds. */
export const scaled = (state: SimState, seconds: number): number => seconds * 1000 * state.timeScale

export function hexId(_state: SimState, length = 32): string {
  let out = ''
  while (out.length < length) out += randomUUID().replace(/-/g, '')
  return out.slice(0, length)
}

export function digitsId(state: SimState, length = 19): string {
  return (BigInt('0x' + hexId(state, 16)) % 10n ** BigInt(length)).toString().padStart(length, '1')
}

export const ecsArn = (state: SimState, resource: string): string =>
  `arn:aws:ecs:${state.region}:${state.accountId}:${resource}`

export function recordMilestone(state: SimState, kind: string, detail: Record<string, unknown>): void {
  state.milestones.push({ kind, at: Date.now() - state.startedAt, detail })
}

/** The cluster name from a name or an ARN (`arn:aws:ecs:…:cluster/<name>`). */
export const nameFromArn = (nameOrArn: string): string => nameOrArn.split('/').at(-1) ?? nameOrArn

/** A service by cluster and service, each a name or an ARN. */
export function findService(state: SimState, cluster: string, name: string): SimService | undefined {
  return state.services.get(`${nameFromArn(cluster)}/${nameFromArn(name)}`)
}
