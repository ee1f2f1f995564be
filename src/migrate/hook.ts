// Adapts runMigrations to the pipeline's PhaseHooks.runMigrations signature, so wiring the
// phase into src/main.ts is one line: `runMigrations: createMigrateHook({ clock, env })`.
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { MigrateResult } from '../phases.js'
import type { ServicePlan } from '../service/plan.js'
import type { Clock } from '../util/clock.js'
import { backoffFromEnv } from '../watch/poll.js'
import { runMigrations, type MigrateOutput } from './index.js'

/** What the migrate phase is given: the new revision, and the service whose network it runs in. */
export interface MigrateContext {
  readonly clients: AwsClients
  readonly plan: ServicePlan
  readonly taskDefinitionArn: string
  /** The containers that got the new image (the first runs the command unless migrate-container says). */
  readonly containers: readonly string[]
}

/** The migrate phase as the pipeline calls it (PhaseHooks.runMigrations). */
export type RunMigrationsHook = (inputs: Inputs, context: MigrateContext) => Promise<MigrateResult>

export function createMigrateHook(deps: {
  readonly clock: Clock
  readonly env: NodeJS.ProcessEnv
  readonly output?: MigrateOutput
}): RunMigrationsHook {
  return async (inputs, { clients, plan, taskDefinitionArn, containers }): Promise<MigrateResult> => {
    if (!inputs.migrate) return { tasks: [], succeeded: true }
    const ecs = await clients.ecs()
    const logs = await clients.logs()
    const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))
    const taskDefinition = answer.taskDefinition
    if (!taskDefinition) throw new ActionError(`task definition ${taskDefinitionArn} was not found`)
    // migrate-container, else the first container the image went to (container-name), else the
    // only essential container.
    const essential = (taskDefinition.containerDefinitions ?? []).filter(c => c.essential !== false)
    const containerName =
      inputs.migrate.container ?? containers[0] ?? (essential.length === 1 ? essential[0]?.name : undefined)
    if (!containerName) {
      throw new ActionError(
        'input migrate-container: the task definition has several essential containers; say which one runs the migrate command'
      )
    }
    return runMigrations(inputs.migrate, {
      ecs,
      logs,
      clock: deps.clock,
      cluster: plan.cluster,
      service: plan.service,
      taskDefinition,
      containerName,
      backoff: backoffFromEnv(deps.env),
      ...(deps.output && { output: deps.output })
    })
  }
}
