// The simulator's public contract: what tests, the demo and the benchmark may rely on.
// sim/index.ts exports startSimulator() (server/http.ts); sim/control-client.ts implements ControlClient over
// HTTP under the reserved path /__sim/. Extend these types; do not rename what is here.

/** How a container image (or a task-definition revision) behaves when ECS runs it. */
export type ImageBehaviour =
  /**
   * Starts and passes every health check. `startSeconds`: a slow start: the container runs, but
   * its app answers health checks (its container healthCheck and the load balancer's) only this
   * many seconds after it started; until then they fail. Default 0.
   */
  | { readonly kind: 'healthy'; readonly startSeconds?: number }
  /** Starts, then its essential container exits with this code (a crash loop when the scheduler retries). */
  | {
      readonly kind: 'exit'
      readonly exitCode: number
      readonly afterSeconds: number
      readonly logLines?: readonly string[]
    }
  /** RUNNING, but the load balancer's health check fails with this ELB reason code. */
  | {
      readonly kind: 'unhealthy-target'
      readonly reasonCode?: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks'
    }
  /**
   * RUNNING, but the container's healthCheck command never passes: UNHEALTHY after its start period
   * and `retries` failed checks, and ECS replaces a service task (after the service's grace
   * period). Only a container whose definition has a healthCheck is checked: ECS ignores a
   * Dockerfile HEALTHCHECK. Applies to the essential containers of the task definition; a
   * non-essential container takes the behaviour of its own image.
   */
  | { readonly kind: 'unhealthy-container' }
  /** Never starts: stops in PENDING/PROVISIONING with this stop code and reason. */
  | { readonly kind: 'cannot-start'; readonly stopCode: 'TaskFailedToStart'; readonly stoppedReason: string }

/**
 * Why RunTask could not place a task, as ECS words it in `failures[].reason` ("API failure
 * reasons" in the ECS developer guide): RunTask then starts no task and answers this failure.
 */
export interface PlacementFailure {
  readonly reason:
    | 'RESOURCE:CPU'
    | 'RESOURCE:MEMORY'
    | 'RESOURCE:PORTS'
    | 'RESOURCE:ENI'
    | 'RESOURCE:GPU'
    | 'AGENT'
    | 'ATTRIBUTE'
    | 'LOCATION'
    | 'Capacity is unavailable at this time. Please try again later or in a different availability zone'
  readonly detail?: string
  /** The resource the failure is about (for EC2 reasons, a container instance ARN). */
  readonly arn?: string
}

/** How a one-off command behaves (RunTask with a command override), keyed by the argv joined with spaces. */
export interface CommandBehaviour {
  readonly exitCode: number
  readonly runSeconds: number
  /** Written to the container's awslogs stream, spread over the run; the last ones just before it stops. */
  readonly logLines: readonly string[]
  /** RunTask with this command cannot place its task: it answers this failure and starts nothing. */
  readonly placementFailure?: PlacementFailure
}

/**
 * How a lifecycle hook's Lambda function answers: the AppSpec hooks of a CodeDeploy deployment
 * (the function reports through PutLifecycleEventHookExecutionStatus) and the lifecycle hooks of
 * an ECS-native blue/green, linear or canary deployment (the function returns hookStatus).
 */
export interface HookBehaviour {
  readonly outcome: 'succeeded' | 'failed'
  /** Simulated seconds the function takes before it answers. Default 1. */
  readonly afterSeconds?: number
}

export interface Behaviours {
  /** Keyed by the Lambda function name or ARN as the AppSpec or the hook names it; unlisted hooks succeed. */
  readonly hooks?: Readonly<Record<string, HookBehaviour>>
  /** Keyed by the image reference exactly as in the container definition (tag or @digest form). */
  readonly images?: Readonly<Record<string, ImageBehaviour>>
  /** Keyed by `family:revision`; wins over images. */
  readonly revisions?: Readonly<Record<string, ImageBehaviour>>
  readonly commands?: Readonly<Record<string, CommandBehaviour>>
  /** Keyed by `family:revision`: RunTask of that revision answers this failure and starts no task. */
  readonly placementFailures?: Readonly<Record<string, PlacementFailure>>
  /**
   * Keyed by `family:revision`: while listed, the load balancer's health checks of every target of
   * that revision's tasks fail with this reason code, tasks already running included (a revision
   * that turns sick after it was healthy, such as a green revision waiting at a pause hook or at
   * CodeDeploy's Ready). Targets go unhealthy after UnhealthyThresholdCount failed checks, and ECS
   * then replaces the tasks as it does any task failing its checks; dropping the entry (a later
   * setBehaviours without it) lets checks pass again.
   */
  readonly failingTargets?: Readonly<
    Record<string, 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks'>
  >
  /**
   * Keyed by `family:revision`: the revision works until production traffic reaches it, then fails
   * (an app that only production requests or data break): from the moment a blue/green deployment
   * first sends it production traffic (ECS-native: the production listener rule gives its target
   * group weight at PRODUCTION_TRAFFIC_SHIFT; CodeDeploy: AllowTraffic reroutes the production
   * listener to its task set), the load balancer's checks of its targets fail with this reason
   * code, as with failingTargets, and stay failing. Healthy on test traffic before that.
   */
  readonly failingInProduction?: Readonly<
    Record<string, 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks'>
  >
  /**
   * For images and commands not listed: default healthy / exit 0 with no output. Behaviours a test
   * sets win over a fixture's own (such as django-web's migrate command); the fixture's fill in the
   * rest.
   */
  readonly defaultImage?: ImageBehaviour
  readonly defaultCommand?: CommandBehaviour
}

export interface FaultSpec {
  /** `<service>:<Operation>` such as `ecs:DescribeServices` or `elbv2:DescribeTargetHealth`; `*`, `ecs:*` or `ecs:Describe*` match more. */
  readonly operation: string
  /** 0..1: answer ThrottlingException (HTTP 400). */
  readonly throttleRatio?: number
  /** 0..1: answer HTTP 500 or 503 (each picked at random, half and half, from the seeded generator). */
  readonly serverErrorRatio?: number
  /** Added latency before answering. */
  readonly latencyMs?: number
  /** 0..1: destroy the socket without answering. */
  readonly dropRatio?: number
  /** After this many (scaled) seconds from when the fault is set, answer ExpiredTokenException. */
  readonly expireCredentialsAfterSeconds?: number
  /** Answer AccessDeniedException. */
  readonly accessDenied?: boolean
  /**
   * 0..1: answer as a proxy or load balancer in front of the endpoint does when it cannot reach
   * it: HTTP 502 or 503 (half and half, from the seeded generator) with an HTML page and
   * `content-type: text/html`, which is not an AWS error in either protocol.
   */
  readonly proxyErrorRatio?: number
}

/** Durations that AWS does not publish per resource; scaled by timeScale. */
export interface Timings {
  readonly provisioningSeconds: number
  /** PENDING: the image pull. */
  readonly pendingSeconds: number
  /** ACTIVATING: containers created, networking configured, load-balancer targets registered. Default 1. */
  readonly activatingSeconds?: number
  /** Time for a stopping task to go from STOPPING to its containers stopped (after target draining). */
  readonly stoppingSeconds: number
  /** DEPROVISIONING of an awsvpc task: its network interface detached and deleted. Default 1. */
  readonly deprovisioningSeconds?: number
  /**
   * How long a CodeDeploy ECS deployment waits for its replacement task set to become healthy
   * before the Install event fails. Default 3600, CodeDeploy's own limit; tests shorten it.
   */
  readonly replacementTaskSetTimeoutSeconds?: number
}

export interface CallRecord {
  /** `ecs`, `elbv2`, `logs`, `ecr`, `codedeploy`, `sts`; `registry` for the registry API (registryProxy). */
  readonly service: string
  readonly operation: string
  /** Simulator time, ms since it started (unscaled wall clock). */
  readonly at: number
  readonly params: unknown
  /** True for operations that change state (Register*, Create*, Update*, Delete*, Run*, Stop*, Put*, …). */
  readonly mutating: boolean
  /** Error code when the call was answered with an error (`HTTP 502 (text/html)` for a proxy page). */
  readonly error?: string
  /** How IAM decided the call, when an identity is set (setIdentity); absent under allow-all. */
  readonly authorization?: CallAuthorization
}

/** One IAM check of a call: an action on a resource, and the statements that allowed it. */
export interface AuthorizationCheck {
  readonly action: string
  readonly resource: string
  /** The API action that implies this one (`ecs:RegisterTaskDefinition` for its TagResource). */
  readonly impliedBy?: string
  /** The request's condition keys (the caller's global ones aside). */
  readonly context: Readonly<Record<string, string | readonly string[]>>
  readonly verdict: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied'
  /** `policy:Sid` of each statement that allowed it. */
  readonly allowedBy: readonly string[]
}

export interface CallAuthorization {
  readonly principalArn: string
  readonly allowed: boolean
  /** The checks evaluated, in order; a denied call ends with the denied one. */
  readonly checks: readonly AuthorizationCheck[]
}

/**
 * Who calls the simulator's AWS APIs, and its identity policies: once set, every request is
 * authorized against them (sim/iam) and a denial answers AWS's AccessDenied. Unset (the
 * default, and after reset), every request is allowed.
 */
export interface SimIdentity {
  /** The ARN the caller signs as, e.g. `arn:aws:sts::123456789012:assumed-role/ecs-ship-deploy/ecs-ship`. */
  readonly principalArn: string
  readonly policies: readonly { readonly name: string; readonly document: unknown }[]
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  readonly port?: number
  /** 1 = real time; 0.05 = twenty times faster. Applies to every simulated duration. */
  readonly timeScale?: number
  /** A built-in fixture name (at least 'django-web') to load at start. */
  readonly fixture?: string
  /** Base URL of a real OCI registry (docker-registry) that backs ECR, e.g. http://127.0.0.1:5000. */
  readonly registryUrl?: string
  /**
   * With registryUrl: answer the registry API (`/v2/…`, what docker push and pull send) on the
   * simulator's own port and forward it to the registry, so each registry request is authorized
   * as the ECR action it stands for (ecr:PutImage, ecr:UploadLayerPart, …) and logged (service
   * `registry`). Image references and the registry login then name the simulator's host.
   */
  readonly registryProxy?: boolean
  readonly accountId?: string
  readonly region?: string
  readonly timings?: Partial<Timings>
}

export interface SimStateSummary {
  readonly services: readonly unknown[]
  readonly tasks: readonly unknown[]
  readonly taskDefinitions: readonly unknown[]
  readonly targetHealth: Readonly<Record<string, readonly unknown[]>>
}

/** Moments the simulator records, for the benchmark's verdict-latency measurements. */
export interface SimMilestone {
  /**
   * `deployment-completed` (a deployment COMPLETED with all its targets healthy), `task-failed` (a
   * task failed: its container exited, it could not start, or it failed a health check; recorded
   * when ECS decides to stop it), `task-stopped` (any task reached STOPPED), `target-unhealthy` (detail `graceEndsAt`: when
   * the task's health-check grace period ends, in the same time base as `at`),
   * `rollout-failed` (the circuit breaker tripped, or a blue/green lifecycle hook failed; detail
   * `reason`), and for ECS blue/green, linear and canary deployments `lifecycle-stage` (detail
   * `stage`: the deployment entered a lifecycle stage), `hook-awaiting-action` (a PAUSE lifecycle
   * hook began waiting; detail `deploymentId`, `serviceDeploymentArn`, `hookId` and `expiresAt`, in
   * the same time base as `at`) and `traffic-shifted` (detail `production` and `test`: each
   * listener rule's percent per target-group name after the shift). CodeDeploy
   * deployments record `codedeploy-lifecycle` (detail `deploymentId`, `event`, `status`: a lifecycle
   * event changed status), `codedeploy-hook-invoked` (a hook's Lambda function was invoked; detail
   * `deploymentId`, `lifecycleEventName`, `functionName` and the `lifecycleEventHookExecutionId`
   * the function reports with), `deployment-completed` (Succeeded, every serving task healthy)
   * and `rollout-failed` (Failed, or Stopped because nobody continued it; detail `reason`).
   */
  readonly kind: string
  readonly at: number
  readonly detail: Readonly<Record<string, unknown>>
}

export interface ControlClient {
  loadFixture(name: string): Promise<void>
  setBehaviours(behaviours: Behaviours): Promise<void>
  setFaults(faults: readonly FaultSpec[]): Promise<void>
  setTimeScale(scale: number): Promise<void>
  /** Authorize every AWS request against this identity's policies; undefined: allow all again. */
  setIdentity(identity: SimIdentity | undefined): Promise<void>
  state(): Promise<SimStateSummary>
  calls(): Promise<readonly CallRecord[]>
  milestones(): Promise<readonly SimMilestone[]>
  /** Clears state, behaviours, faults, calls and milestones. */
  reset(): Promise<void>
}

export interface RunningSimulator {
  /** http://127.0.0.1:<port>: give it to the SDK as AWS_ENDPOINT_URL. */
  readonly url: string
  readonly port: number
  readonly control: ControlClient
  close(): Promise<void>
}
