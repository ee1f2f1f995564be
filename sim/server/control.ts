// The control API under /__sim/ (sim/control-client.ts is its typed client): load a fixture, set
// behaviours, faults, the time scale and the caller's IAM identity, read the state, the call log and the milestones, reset.
import type { ServerResponse } from 'node:http'
import type { Behaviours, FaultSpec, SimStateSummary } from '../contract.js'
import { identityFrom } from '../iam/index.js'
import type { SimState } from '../world/model.js'
import { send } from './reply.js'
import { load, reset, tick, type Session } from './session.js'

function summary(state: SimState): SimStateSummary {
  const targetHealth: Record<string, unknown[]> = {}
  for (const tg of state.targetGroups)
    targetHealth[tg.group.TargetGroupName ?? ''] = tg.targets.map(t => ({
      id: t.id,
      port: t.port,
      state: t.state,
      reason: t.reason,
      taskArn: t.taskArn
    }))
  return {
    services: [...state.services.values()].map(s => ({
      ...s.service,
      deployments: s.deployments.map(d => d.deployment),
      events: s.events.slice(0, 20),
      tags: s.tags
    })),
    tasks: state.tasks.map(t => t.task),
    taskDefinitions: [...state.taskDefinitions.values()].flatMap(r => r.map(x => x.definition)),
    targetHealth
  }
}

export async function answerControl(
  session: Session,
  path: string,
  body: string,
  res: ServerResponse
): Promise<void> {
  const input = body ? (JSON.parse(body) as Record<string, unknown>) : {}
  const ok = (value: unknown = { ok: true }) =>
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(value))
  tick(session)
  switch (path) {
    case '/__sim/fixture':
      load(session, String(input.name))
      return ok()
    case '/__sim/behaviours':
      session.state.behaviours = input as Behaviours
      return ok()
    case '/__sim/faults':
      session.state.faults = (input.faults as FaultSpec[]).map(spec => ({ spec, setAt: Date.now() }))
      return ok()
    case '/__sim/time-scale':
      session.state.timeScale = Number(input.scale)
      return ok()
    case '/__sim/identity':
      try {
        session.state.identity = input.identity == null ? undefined : identityFrom(input.identity)
      } catch (error) {
        return send(
          res,
          400,
          { 'content-type': 'application/json' },
          JSON.stringify({ error: error instanceof Error ? error.message : String(error) })
        )
      }
      return ok()
    case '/__sim/state':
      return ok(summary(session.state))
    case '/__sim/calls':
      return ok(session.state.calls)
    case '/__sim/milestones':
      return ok(session.state.milestones)
    case '/__sim/reset':
      reset(session)
      return ok()
    default:
      return send(
        res,
        404,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: `no control endpoint ${path}` })
      )
  }
}
