// mode: rollback. Puts a earlier revision back (rollback-to: previous, a revision number, an
// ARN, or an image tag on the current revision) with the same UpdateService and the same watch
// loop and health gate as a deploy. No build, no migrate. If putting it back fails, there is
// nothing sensible to return to automatically, so the run fails and says what it saw.
import * as core from '@actions/core'
import type { Inputs } from '../inputs.js'
import { diffTaskDefinitions } from '../taskdef/diff.js'
import { chooseContainers, renderTaskDefinition, type TaskDefinitionSource } from '../taskdef/render.js'
import { describeRevision, registerRevision } from '../taskdef/revision.js'
import type { ContainerDefinition } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import { findPreviousRevision, parseRollbackTo, withRevision } from './rollback-target.js'
import { rolloutClients, rolloutFor } from './strategies.js'
import { phase, rolloutPhase, planPhase, revisionFacts, type RunDeps, type RunState } from './run-context.js'
import { backoffFromEnv } from './watch.js'

/** `registry:5000/web:v1` or `web@sha256:…` → the repository part, without tag or digest. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/** Inputs that mean nothing in rollback mode: said out loud rather than silently ignored. */
function warnIgnored(inputs: Inputs): void {
  const ignored = [
    inputs.image !== undefined && 'image',
    inputs.taskDefinitionPath !== undefined && 'task-definition',
    inputs.environmentVariables.size > 0 && 'environment-variables',
    inputs.build !== undefined && 'ecr-repository',
    inputs.migrate !== undefined && 'migrate-command',
    inputs.desiredCount !== undefined && 'desired-count'
  ].filter((name): name is string => typeof name === 'string')
  if (ignored.length > 0) core.warning(`mode rollback ignores these inputs: ${ignored.join(', ')}`)
}

interface Target {
  readonly arn?: string
  readonly source?: TaskDefinitionSource
  /** Rendered but not registered yet (the image-tag form). */
  readonly render?: ReturnType<typeof renderTaskDefinition>
  readonly why: string
}

export async function rollbackMode(inputs: Inputs, state: RunState, deps: RunDeps): Promise<void> {
  warnIgnored(inputs)
  const report = state.report
  const clients = deps.clients(inputs.region)
  const { ecs, plan, current, codedeploy } = await planPhase(inputs, state, deps, clients)
  const request = parseRollbackTo(inputs.rollbackTo)

  const target: Target = await phase(state, deps.clock, 'Rollback target', async () => {
    switch (request.kind) {
      case 'previous': {
        const previous = await findPreviousRevision(
          ecs,
          plan.cluster,
          plan.serviceName,
          plan.taskDefinitionArn
        )
        return { arn: previous.arn, why: `previous revision, from ${previous.source}` }
      }
      case 'revision': {
        const arn = withRevision(plan.taskDefinitionArn, request.revision)
        return { arn, why: `revision ${request.revision} of the family, as asked` }
      }
      case 'arn':
        return { arn: request.arn, why: 'the task-definition ARN given in rollback-to' }
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
        report.image = image
        return { render, why: `the current revision with image ${image}` }
      }
    }
  })
  core.info(`rolling back to ${target.arn ?? 'a new revision'}: ${target.why}`)

  // The target must exist (and be readable) before anything changes.
  const targetSource = target.arn
    ? await describeRevision(ecs, target.arn).catch(notFound(target.arn))
    : undefined
  const rendered = target.render?.input ?? targetSource?.taskDefinition ?? {}
  const diff = diffTaskDefinitions(current.taskDefinition, rendered, current.tags)
  report.diff = diff
  for (const line of diff) core.info(`  ${line}`)

  if (inputs.dryRun) {
    report.status = 'dry-run'
    report.reason = `dry run: would roll back to ${target.arn ?? 'a new revision'} (${target.why}); nothing was changed`
    return
  }
  if (target.arn === plan.taskDefinitionArn || (target.render && diff.length === 0)) {
    report.status = 'unchanged'
    report.taskDefinitionArn = plan.taskDefinitionArn
    report.reason = `the service already runs ${plan.taskDefinitionArn}; nothing to roll back`
    core.info(report.reason)
    return
  }

  const arn =
    target.arn ??
    (await phase(state, deps.clock, 'Register', () => registerRevision(ecs, target.render!.input)))
  report.taskDefinitionArn = arn
  const elb = await clients.elb()
  const rollout = rolloutFor(plan.strategy.strategy, codedeploy)
  const extraClients = await rolloutClients(plan.strategy.strategy, clients)
  const result = await rolloutPhase(state, deps.clock, arn, () =>
    rollout(
      {
        ecs,
        elb,
        ...extraClients,
        clock: deps.clock,
        backoff: backoffFromEnv(deps.env),
        log: line => core.info(line)
      },
      {
        plan,
        target: revisionFacts(arn, rendered),
        previous: revisionFacts(plan.taskDefinitionArn, current.taskDefinition),
        forceNewDeployment: false,
        wait: inputs.waitForServiceStability,
        timeoutMs: inputs.waitForMinutes * 60_000,
        // Going back to the revision we are rolling away from would undo the rollback.
        rollbackOnFailure: false
      }
    )
  )
  if (result.status === 'failed')
    report.reason = `rollback to ${arn} failed: ${result.decision?.reason ?? result.reason}`
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
