// The contract every strategy keeps: rolling (UpdateService), ECS-native blue/green/linear/canary
// (UpdateService + a service deployment with lifecycle stages) and CodeDeploy (CreateDeployment).
// rollout/select.ts picks one from the service's controller; rollout/conclude.ts drives it through
// the same sequence (start, follow to a verdict, on failure roll back and follow that), so no mode
// and no pipeline phase ever branches on which one it is.
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Waiting, WaitingLookup } from '../service/approval.js'
import type { ServicePlan } from '../service/plan.js'
import type { Strategy as StrategyName } from '../service/strategy.js'
import type { RevisionFacts } from '../taskdef/facts.js'
import type { Clock } from '../util/clock.js'
import type { Observer, ObserveTarget } from '../watch/observe.js'
import type { BackoffSettings } from '../watch/poll.js'
import type { RunningCheck } from '../watch/settled.js'
import type { Decision } from '../watch/verdict.js'

export type { RevisionFacts } from '../taskdef/facts.js'
export type { Waiting, WaitingLookup } from '../service/approval.js'
export type { RunningCheck } from '../watch/settled.js'

export type RolloutStatus = 'succeeded' | 'failed' | 'rolled-back'

export interface RolloutRequest {
  readonly plan: ServicePlan
  readonly target: RevisionFacts
  /** The known-good revision a rollback puts back. */
  readonly previous: RevisionFacts
  readonly desiredCount?: number
  readonly forceNewDeployment: boolean
  readonly wait: boolean
  readonly timeoutMs: number
  readonly rollbackOnFailure: boolean
}

/** A rollback that was followed to its own verdict. */
export interface RollbackRecord {
  readonly deploymentId: string
  readonly decision: Decision
  readonly byEcs: boolean
  /** Who started the rollback, in words, when it was not ECS's circuit breaker or ecs-ship's UpdateService. */
  readonly startedBy?: string
}

export interface RolloutResult {
  readonly status: RolloutStatus
  readonly deploymentId?: string
  /** The revision the service runs (or is meant to run) afterwards. */
  readonly taskDefinitionArn: string
  readonly rolledBack: boolean
  /** Plain-words reason, for failures (and the rolled-back message). */
  readonly reason?: string
  readonly decision?: Decision
  /** How long the rollback took, from the failure verdict to its own verdict (for the phase table). */
  readonly rollbackDurationMs?: number
  readonly rollback?: RollbackRecord
  /** wait-until ready: the deployment now waits for a person (promote or abort). */
  readonly waiting?: Waiting
}

export interface RolloutDeps {
  readonly ecs: ECSClient
  readonly elb: ElasticLoadBalancingV2Client
  /** Only for services with the CODE_DEPLOY controller. */
  readonly codedeploy?: CodeDeployClient
  readonly clock: Clock
  readonly backoff?: BackoffSettings
  readonly log: (line: string) => void
  /** Tests may replace how observers are made; the action uses createObserver. */
  readonly makeObserver?: (target: ObserveTarget) => Observer
  /** Told when a failed rollout starts going back, so a cancellation says so (main.ts). */
  readonly onRollbackStart?: (rollback: RollbackStart) => void
}

export interface RollbackStart {
  /** The revision the service is going back to. */
  readonly to: string
  /** Why the rollout failed. */
  readonly because: string
}

/** A deployment a strategy started (or was handed, already started), by its id. */
export interface StartedDeployment {
  readonly id: string
}

/** Another deployment of the service in flight when we looked: ours must not start on top of it. */
export interface InFlight {
  readonly id: string
  /** The revision it rolls out, when the controller says (ECS deployments do). */
  readonly taskDefinition?: string
}

/** How a failed rollout ended, as a strategy's rollBack reports it to conclude.ts. */
export type RollbackOutcome =
  /** A rollback (ours, or the controller's own) was followed to its verdict. */
  | { readonly kind: 'followed'; readonly rollback: RollbackRecord; readonly healthyAs: string }
  /** Nothing was rolled back; `reason` is the whole failure message. */
  | { readonly kind: 'not-rolled-back'; readonly reason: string; readonly taskDefinitionArn?: string }

export interface FailedRollout<D extends StartedDeployment> {
  readonly deployment: D
  readonly request: RolloutRequest
  readonly decision: Decision
}

export interface Strategy<D extends StartedDeployment = StartedDeployment> {
  readonly name: StrategyName
  readonly deps: RolloutDeps
  /** Who carries a deployment on when ecs-ship stops following it. */
  readonly carriedOnBy: 'ECS' | 'CodeDeploy'
  /** The log line when wait-for-service-stability is false. */
  readonly notFollowingLine: string
  /** Another deployment of the service in flight, which ours must wait for. */
  findInFlight(plan: ServicePlan): Promise<InFlight | undefined>
  /** Waits for it to end (within the timeout); fails, with nothing changed, when it does not. */
  waitForInFlight(
    inFlight: InFlight,
    context: { readonly plan: ServicePlan; readonly currentDefinition: object; readonly timeoutMs: number }
  ): Promise<void>
  /**
   * The service already runs request.target: is its deployment of it done and healthy now?
   * Changes nothing; waits (within the timeout) only for a verdict on health.
   */
  checkRunning(request: RolloutRequest): Promise<RunningCheck>
  /** Starts the deployment of request.target. */
  rollOut(request: RolloutRequest): Promise<D>
  /**
   * Follows a started deployment to its verdict; the handle may carry what the rollback needs.
   * With wait-until ready the verdict is done once the deployment waits for approval with its new
   * targets healthy, and `waiting` says what waits; otherwise a pause is reported and waited out.
   */
  follow(
    deployment: D,
    request: RolloutRequest
  ): Promise<{ decision: Decision; followed: D; waiting?: Waiting }>
  /**
   * True when the controller rolls this failure back by itself (or may), so the rollback is
   * followed even with rollback-on-failure off: the verdict must say where the service ended.
   */
  followsRollbackAnyway(decision: Decision): boolean
  /** Puts the previous revision back (or follows the controller's own rollback), to a verdict. */
  rollBack(failed: FailedRollout<D>): Promise<RollbackOutcome>
  /**
   * The deployment of the service that waits for approval (`deploymentId` when the input names
   * one), with its new targets' health as seen now. Changes nothing.
   */
  findWaiting(plan: ServicePlan, deploymentId?: string): Promise<WaitingLookup>
  /**
   * Lets a waiting deployment go on to production (ContinueServiceDeployment CONTINUE, or
   * ContinueDeployment READY_WAIT) and returns it, to be followed like any rollout.
   */
  promote(waiting: Waiting, request: RolloutRequest): Promise<D>
  /**
   * Rolls a waiting deployment back (ContinueServiceDeployment ROLLBACK, or StopDeployment with
   * auto-rollback) and follows it until the previous revision serves production, healthy.
   */
  abort(waiting: Waiting, request: RolloutRequest): Promise<RollbackRecord>
}
