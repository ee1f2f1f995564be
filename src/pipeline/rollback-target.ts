// Rollback mode's target phase: which revision to put back. `rollback-to` is `previous`, a
// revision number of the family, a task-definition ARN, or an image tag. `previous` is the
// revision the service ran before the current one: from the service's deployment history when
// ECS has one (ListServiceDeployments), else from the family's registered revisions; the log
// says which source answered and why.
import {
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  type ECSClient,
  type ServiceDeploymentBrief
} from '@aws-sdk/client-ecs'
import type { ContainerDefinition } from '@aws-sdk/client-ecs'
import { ActionError, isCredentialError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import {
  chooseContainers,
  renderTaskDefinition,
  type RenderedTaskDefinition,
  type TaskDefinitionSource
} from '../taskdef/render.js'
import { describeRevision } from '../taskdef/revision.js'
import { phase, type Run } from './context.js'
import type { PlanResult } from './plan.js'

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

/** `arn:…:task-definition/web:7` → { family: 'web', revision: 7 } */
export function familyAndRevision(arn: string): { family: string; revision: number } {
  const match = /task-definition\/([^:/]+):(\d+)$/.exec(arn)
  if (!match) throw new ActionError(`cannot read the family and revision from ${arn}`)
  return { family: match[1] as string, revision: Number(match[2]) }
}

/** The same ARN with another revision number. */
export function withRevision(arn: string, revision: number): string {
  return arn.replace(/:\d+$/, `:${revision}`)
}

/**
 * From successful service deployments (newest first) and the task definition of each one's
 * target revision: the newest one that ran something other than the current revision.
 */
export function previousFromHistory(
  deployments: readonly ServiceDeploymentBrief[],
  taskDefinitionOf: ReadonlyMap<string, string>,
  current: string
): string | undefined {
  const newestFirst = [...deployments].sort((a, b) => time(b) - time(a))
  for (const d of newestFirst) {
    const td = d.targetServiceRevisionArn ? taskDefinitionOf.get(d.targetServiceRevisionArn) : undefined
    if (td && td !== current) return td
  }
  return undefined
}

function time(d: ServiceDeploymentBrief): number {
  const at = d.finishedAt ?? d.startedAt ?? d.createdAt
  return at ? new Date(at).getTime() : 0
}

/** From the family's ACTIVE revisions: the highest one below the current revision. */
export function previousFromFamily(revisionArns: readonly string[], current: string): string | undefined {
  const { revision } = familyAndRevision(current)
  const older = revisionArns
    .map(arn => ({ arn, revision: familyAndRevision(arn).revision }))
    .filter(r => r.revision < revision)
    .sort((a, b) => b.revision - a.revision)
  return older[0]?.arn
}

export interface PreviousRevision {
  readonly arn: string
  /** Where the answer came from, for the log. */
  readonly source: string
}

async function fromHistory(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string
): Promise<string | undefined> {
  const listed = await ecs.send(
    new ListServiceDeploymentsCommand({ cluster, service, status: ['SUCCESSFUL'], maxResults: 20 })
  )
  const deployments = listed.serviceDeployments ?? []
  const revisionArns = [
    ...new Set(deployments.map(d => d.targetServiceRevisionArn).filter((a): a is string => !!a))
  ]
  if (revisionArns.length === 0) return undefined
  const described = await ecs.send(
    new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns.slice(0, 20) })
  )
  const taskDefinitionOf = new Map<string, string>()
  for (const r of described.serviceRevisions ?? []) {
    if (r.serviceRevisionArn && r.taskDefinition) taskDefinitionOf.set(r.serviceRevisionArn, r.taskDefinition)
  }
  return previousFromHistory(deployments, taskDefinitionOf, current)
}

async function fromFamily(ecs: ECSClient, current: string): Promise<string | undefined> {
  const { family } = familyAndRevision(current)
  const answer = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 100 })
  )
  // familyPrefix matches prefixes (`web` also lists `web-worker`): keep the exact family.
  const arns = (answer.taskDefinitionArns ?? []).filter(arn => familyAndRevision(arn).family === family)
  return previousFromFamily(arns, current)
}

export async function findPreviousRevision(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string
): Promise<PreviousRevision> {
  let why: string
  try {
    const arn = await fromHistory(ecs, cluster, service, current)
    if (arn)
      return {
        arn,
        source: 'the service deployment history (the last successful deployment of another revision)'
      }
    why = 'the service deployment history has no successful deployment of another revision'
  } catch (error) {
    if (isCredentialError(error)) throw error
    why = `the service deployment history is not available (${error instanceof Error ? error.message : String(error)})`
  }
  const arn = await fromFamily(ecs, current)
  if (!arn) {
    throw new ActionError(
      `rollback-to previous: ${why}, and the family has no ACTIVE revision older than ${current}`
    )
  }
  return { arn, source: `the family's revisions (the highest ACTIVE one below the current), because ${why}` }
}

/** `registry:5000/web:v1` or `web@sha256:…` → the repository part, without tag or digest. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/** The revision a rollback puts back: one that is registered, or the current one re-tagged. */
export type RollbackTarget =
  | {
      readonly kind: 'registered'
      readonly arn: string
      readonly source: TaskDefinitionSource
      readonly why: string
      readonly image?: undefined
    }
  | {
      readonly kind: 'render'
      /** Rendered but not registered yet (the image-tag form). */
      readonly render: RenderedTaskDefinition
      readonly image: string
      readonly why: string
    }

export function describeRollbackTarget(target: RollbackTarget): string {
  return target.kind === 'registered' ? target.arn : 'a new revision'
}

/** Works out the target from rollback-to, and reads it (it must exist) before anything changes. */
export async function rollbackTargetPhase(
  inputs: Inputs,
  run: Run,
  { ecs, plan, current }: PlanResult
): Promise<RollbackTarget> {
  const request = parseRollbackTo(inputs.rollbackTo)
  return phase(run, 'Rollback target', async () => {
    const registered = async (arn: string, why: string): Promise<RollbackTarget> => ({
      kind: 'registered',
      arn,
      source: await describeRevision(ecs, arn).catch(notFound(arn)),
      why
    })
    switch (request.kind) {
      case 'previous': {
        const previous = await findPreviousRevision(
          ecs,
          plan.cluster,
          plan.serviceName,
          plan.taskDefinitionArn
        )
        return registered(previous.arn, `previous revision, from ${previous.source}`)
      }
      case 'revision':
        return registered(
          withRevision(plan.taskDefinitionArn, request.revision),
          `revision ${request.revision} of the family, as asked`
        )
      case 'arn':
        return registered(request.arn, 'the task-definition ARN given in rollback-to')
      case 'image-tag': {
        const containers = (current.taskDefinition.containerDefinitions ?? []) as ContainerDefinition[]
        const chosen = chooseContainers(containers, inputs.containerNames)
        const first = containers.find(c => c.name === chosen[0])
        if (!first?.image)
          throw new ActionError(`rollback-to: container ${chosen[0] ?? '?'} has no image to retag`)
        const image = `${repositoryOf(first.image)}:${request.tag}`
        const render = renderTaskDefinition(current, {
          containerNames: chosen,
          image,
          environment: new Map()
        })
        return { kind: 'render', render, image, why: `the current revision with image ${image}` }
      }
    }
  })
}

function notFound(arn: string) {
  return (error: unknown): never => {
    const name = (error as { name?: string }).name
    if (name === 'ClientException' || name === 'InvalidParameterException') {
      throw new ActionError(`rollback-to: task definition ${arn} was not found`)
    }
    throw error
  }
}
