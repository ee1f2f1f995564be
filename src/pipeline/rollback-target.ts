// Rollback mode's target phase: which revision to put back. `rollback-to` is `previous`, a
// revision number of the family, a task-definition ARN, or an image tag (rollback-image.ts).
// `previous` is the revision the service ran before the current one: from the service's
// deployment history when ECS has one (ListServiceDeployments), else from the family's registered
// revisions; deregistered (INACTIVE) revisions are skipped on the way, because ECS refuses to
// point a service at one. The log and the summary say which revision was chosen and why. A number
// or ARN given explicitly must be ACTIVE and of the service's family (allow-family-change aside):
// both are refused naming the input, before anything changes.
import {
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type ContainerDefinition,
  type ECSClient,
  type ServiceDeploymentBrief
} from '@aws-sdk/client-ecs'
import * as core from '@actions/core'
import { revisionName } from '../aws/names.js'
import { deniedPermission } from '../aws/access-denied.js'
import {
  ActionError,
  awsCallOf,
  credentialErrorMessage,
  describeError,
  errorName,
  isAccessDenied,
  isCredentialError
} from '../errors.js'
import type { Inputs } from '../inputs.js'
import { checkFamilyChange, familyAndRevision, withRevision } from '../taskdef/family.js'
import {
  chooseContainers,
  renderTaskDefinition,
  type RenderedTaskDefinition,
  type TaskDefinitionSource
} from '../taskdef/render.js'
import { activeRevisions, describeRevision, revisionStatus } from '../taskdef/revision.js'
import { phase, type Run } from './context.js'
import type { ServicePlan } from '../service/plan.js'
import type { PlanResult } from './plan.js'
import { tagTarget } from './rollback-image.js'

export type RollbackRequest =
  | { readonly kind: 'previous' }
  | { readonly kind: 'revision'; readonly revision: number }
  | { readonly kind: 'arn'; readonly arn: string }
  | { readonly kind: 'image-tag'; readonly tag: string }

/** Classifies the (already validated) rollback-to input. */
export function parseRollbackTo(value: string): RollbackRequest {
  if (value === 'previous') return { kind: 'previous' }
  if (/^[1-9]\d*$/.test(value)) return { kind: 'revision', revision: Number(value) }
  if (value.startsWith('arn:')) return { kind: 'arn', arn: value }
  return { kind: 'image-tag', tag: value }
}

/**
 * From successful service deployments and the task definition of each one's target revision:
 * the revisions they ran other than the current one, newest deployment first, each once.
 */
export function candidatesFromHistory(
  deployments: readonly ServiceDeploymentBrief[],
  taskDefinitionOf: ReadonlyMap<string, string>,
  current: string
): string[] {
  const newestFirst = [...deployments].sort((a, b) => time(b) - time(a))
  const candidates: string[] = []
  for (const d of newestFirst) {
    const td = d.targetServiceRevisionArn ? taskDefinitionOf.get(d.targetServiceRevisionArn) : undefined
    if (td && td !== current && !candidates.includes(td)) candidates.push(td)
  }
  return candidates
}

function time(d: ServiceDeploymentBrief): number {
  const at = d.finishedAt ?? d.startedAt ?? d.createdAt
  return at ? new Date(at).getTime() : 0
}

/** From the family's ACTIVE revisions: those below the current revision, highest first. */
export function olderInFamily(revisionArns: readonly string[], current: string): string[] {
  const { revision } = familyAndRevision(current)
  return revisionArns
    .map(arn => ({ arn, revision: familyAndRevision(arn).revision }))
    .filter(r => r.revision < revision)
    .sort((a, b) => b.revision - a.revision)
    .map(r => r.arn)
}

/** How many of the family's older ACTIVE revisions are described before `previous` gives up. */
const FAMILY_TRIES = 5

export interface PreviousRevision {
  readonly arn: string
  readonly source: TaskDefinitionSource
  /** Where the answer came from and what was skipped, for the log and the summary. */
  readonly why: string
}

async function fromHistory(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string
): Promise<string[]> {
  const listed = await ecs.send(
    new ListServiceDeploymentsCommand({ cluster, service, status: ['SUCCESSFUL'], maxResults: 20 })
  )
  const deployments = listed.serviceDeployments ?? []
  const revisionArns = [
    ...new Set(deployments.map(d => d.targetServiceRevisionArn).filter((a): a is string => !!a))
  ]
  if (revisionArns.length === 0) return []
  const described = await ecs.send(
    new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns.slice(0, 20) })
  )
  const taskDefinitionOf = new Map<string, string>()
  for (const r of described.serviceRevisions ?? []) {
    if (r.serviceRevisionArn && r.taskDefinition) taskDefinitionOf.set(r.serviceRevisionArn, r.taskDefinition)
  }
  return candidatesFromHistory(deployments, taskDefinitionOf, current)
}

async function fromFamily(ecs: ECSClient, current: string): Promise<string[]> {
  const { family } = familyAndRevision(current)
  return olderInFamily(await activeRevisions(ecs, family, 100), current)
}

/** Describes candidates in order and returns the first ACTIVE one; the others go into `skipped`. */
async function firstActive(
  ecs: ECSClient,
  candidates: readonly string[],
  skipped: string[]
): Promise<{ arn: string; source: TaskDefinitionSource } | undefined> {
  for (const arn of candidates) {
    let source: TaskDefinitionSource
    try {
      source = await describeRevision(ecs, arn)
    } catch (error) {
      // A revision deleted since it ran (DeleteTaskDefinitions) is as unusable as a deregistered one.
      if (errorName(error) !== 'ClientException') throw error
      skipped.push(`${revisionName(arn)} (not found)`)
      continue
    }
    const status = revisionStatus(source)
    if (status === 'ACTIVE') return { arn, source }
    skipped.push(`${revisionName(arn)} (${status}: deregistered, ECS cannot deploy it)`)
  }
  return undefined
}

function skippedNote(skipped: readonly string[]): string {
  return skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''
}

export async function findPreviousRevision(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string
): Promise<PreviousRevision> {
  const skipped: string[] = []
  let why: string
  try {
    const candidates = await fromHistory(ecs, cluster, service, current)
    const found = await firstActive(ecs, candidates, skipped)
    if (found)
      return {
        ...found,
        why: `previous revision, from the service deployment history (the last successful deployment of another ACTIVE revision)${skippedNote(skipped)}`
      }
    why =
      candidates.length === 0
        ? 'the service deployment history has no successful deployment of another revision'
        : 'every other revision in the service deployment history is deregistered or gone'
  } catch (error) {
    if (isAccessDenied(error)) {
      // A role without ecs:DescribeServiceRevisions (or ListServiceDeployments) can still roll
      // back: the family's revisions answer, with less certainty about what ran.
      const permission = deniedPermission(error instanceof Error ? error.message : '').action
      why = `the role may not read the service deployment history (${permission ?? awsCallOf(error)?.iamAction ?? 'access denied'})`
      core.warning(
        `rollback-to previous: ${why}, so the previous revision is taken from the family's ACTIVE revisions instead. ${credentialErrorMessage(error)}`
      )
    } else if (isCredentialError(error)) throw error
    else why = `the service deployment history is not available (${describeError(error)})`
  }
  const older = await fromFamily(ecs, current)
  const found = await firstActive(ecs, older.slice(0, FAMILY_TRIES), skipped)
  if (!found) {
    throw new ActionError(
      `rollback-to previous: ${why}, and the family has no ACTIVE revision older than ${current}${skippedNote(skipped)}`
    )
  }
  return {
    ...found,
    why: `previous revision, from the family's revisions (the highest ACTIVE one below the current), because ${why}${skippedNote(skipped)}`
  }
}

/** What `previous` means once an in-flight deployment has settled (see previousAfterWait). */
export type AfterWait =
  | { readonly kind: 'proceed' }
  /** The controller put back a revision the service ran when the wait began: nothing left to undo. */
  | { readonly kind: 'undone'; readonly reason: string }
  /** Someone moved the service to yet another revision: `previous` would undo their deploy. */
  | { readonly kind: 'moved'; readonly reason: string }

/**
 * `rollback-to: previous` after waiting for an in-flight deployment. When the service still runs
 * the revision that was rolling out, previous is worked out from it as usual. When the deployment
 * did not stay (ECS's circuit breaker or CodeDeploy put back a revision the service ran when the
 * wait began), what the rollback was for has happened already: going one more revision back would
 * be a step too far. When the service moved to a revision it did not run then, someone else
 * deployed, and "previous" would undo their deploy, not the one this run was asked to undo.
 */
export function previousAfterWait(before: ServicePlan, after: ServicePlan): AfterWait {
  const rolling = before.taskDefinitionArn
  const now = after.taskDefinitionArn
  if (now === rolling) return { kind: 'proceed' }
  const ranThen = new Set(
    [...(before.service.deployments ?? []), ...(before.service.taskSets ?? [])].map(d => d.taskDefinition)
  )
  if (ranThen.has(now))
    return {
      kind: 'undone',
      reason: `while this run waited, the deployment of ${revisionName(rolling)} did not stay: the service is back on ${revisionName(now)}, which it ran before, so rollback-to previous has nothing left to undo; nothing was changed`
    }
  return {
    kind: 'moved',
    reason: `while this run waited, the service moved from ${revisionName(rolling)} to ${revisionName(now)} (another deploy); rollback-to previous would now undo that one instead of ${revisionName(rolling)}, so nothing was changed. Re-run to roll back from ${revisionName(now)}, or name the revision in rollback-to`
  }
}

/** The revision a rollback puts back: one that is registered, or the current one with another image. */
export type RollbackTarget =
  | {
      readonly kind: 'registered'
      readonly arn: string
      readonly source: TaskDefinitionSource
      readonly why: string
      /** The tag form: the image the revision runs. */
      readonly image?: string
    }
  | {
      readonly kind: 'render'
      /** Rendered but not registered yet (the tag form, when no ACTIVE revision ran the image). */
      readonly render: RenderedTaskDefinition
      readonly image: string
      readonly why: string
    }

export function describeRollbackTarget(target: RollbackTarget): string {
  return target.kind === 'registered' ? target.arn : 'a new revision'
}

/** One line for the log and the summary: the revision chosen and why. */
export function targetLine(target: RollbackTarget): string {
  return target.kind === 'registered'
    ? `${revisionName(target.arn)}: ${target.why}`
    : `a new revision with ${target.image}: ${target.why}`
}

/** An explicit number or ARN: it must exist and be ACTIVE; refused naming the input otherwise. */
async function explicitRevision(ecs: ECSClient, arn: string): Promise<TaskDefinitionSource> {
  let source: TaskDefinitionSource
  try {
    source = await describeRevision(ecs, arn)
  } catch (error) {
    const name = errorName(error)
    if (name === 'ClientException' || name === 'InvalidParameterException')
      throw new ActionError(`input rollback-to: task definition ${arn} was not found`)
    throw error
  }
  const status = revisionStatus(source)
  if (status !== 'ACTIVE')
    throw new ActionError(
      `input rollback-to: ${revisionName(arn)} is ${status} (deregistered); ECS cannot point a service at it. Nothing was changed; give an ACTIVE revision (rollback-to: previous skips deregistered ones)`
    )
  return source
}

/**
 * Works out the target from rollback-to and reads it (it must exist, be ACTIVE and be of the
 * service's family unless allow-family-change) before anything changes.
 */
export async function rollbackTargetPhase(
  inputs: Inputs,
  run: Run,
  { ecs, plan, current }: PlanResult
): Promise<RollbackTarget> {
  const request = parseRollbackTo(inputs.rollbackTo)
  const running = plan.taskDefinitionArn
  const sameFamily = (arn: string, source: string): void => {
    const warning = checkFamilyChange({
      running,
      family: familyAndRevision(arn).family,
      source,
      allowed: inputs.allowFamilyChange
    })
    if (warning) core.warning(warning)
  }
  const target = await phase(run, 'Rollback target', async (): Promise<RollbackTarget> => {
    switch (request.kind) {
      case 'previous': {
        const previous = await findPreviousRevision(ecs, plan.cluster, plan.serviceName, running)
        sameFamily(previous.arn, `rollback-to previous (${revisionName(previous.arn)})`)
        return { kind: 'registered', ...previous }
      }
      case 'revision': {
        const arn = withRevision(running, request.revision)
        return {
          kind: 'registered',
          arn,
          source: await explicitRevision(ecs, arn),
          why: `revision ${request.revision} of the family, as asked`
        }
      }
      case 'arn':
        sameFamily(request.arn, `input rollback-to: ${request.arn}`)
        return {
          kind: 'registered',
          arn: request.arn,
          source: await explicitRevision(ecs, request.arn),
          why: 'the task-definition ARN given in rollback-to'
        }
      case 'image-tag': {
        const containers = (current.taskDefinition.containerDefinitions ?? []) as ContainerDefinition[]
        const chosen = chooseContainers(containers, inputs.containerNames)
        const first = containers.find(c => c.name === chosen[0])
        if (!first?.image)
          throw new ActionError(`rollback-to: container ${chosen[0] ?? '?'} has no image to retag`)
        const found = await tagTarget(ecs, region => run.deps.clients(region).ecr(), {
          tag: request.tag,
          runningImage: first.image,
          running,
          containers: chosen
        })
        if (found.existing)
          return { kind: 'registered', ...found.existing, image: found.image, why: found.why }
        const render = renderTaskDefinition(current, {
          containerNames: chosen,
          image: found.image,
          environment: new Map()
        })
        return { kind: 'render', render, image: found.image, why: found.why }
      }
    }
  })
  return target
}
