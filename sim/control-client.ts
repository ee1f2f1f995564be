// The typed client of the simulator's control API (/__sim/ on the simulator's own port).
import type {
  Behaviours,
  CallRecord,
  ControlClient,
  FaultSpec,
  SimIdentity,
  SimMilestone,
  SimStateSummary
} from './contract.js'

export function controlClient(baseUrl: string): ControlClient {
  async function call<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}/__sim/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000)
    })
    if (!res.ok) throw new Error(`simulator control ${path}: HTTP ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  return {
    loadFixture: async name => void (await call('fixture', { name })),
    setBehaviours: async (behaviours: Behaviours) => void (await call('behaviours', behaviours)),
    setFaults: async (faults: readonly FaultSpec[]) => void (await call('faults', { faults })),
    setTimeScale: async scale => void (await call('time-scale', { scale })),
    setIdentity: async (identity: SimIdentity | undefined) =>
      void (await call('identity', { identity: identity ?? null })),
    state: () => call<SimStateSummary>('state'),
    calls: () => call<CallRecord[]>('calls'),
    milestones: () => call<SimMilestone[]>('milestones'),
    reset: async () => void (await call('reset', {}))
  }
}
