// `npm run bench` (second part; `npm run bench:approve` alone): the approval path against the
// simulator. For each blue/green controller, a deploy with wait-until ready, then a promote; it
// measures the time from the promote call (ContinueServiceDeployment / ContinueDeployment, as the
// simulator recorded it) to the verdict line in the promote's log, how much of that the
// controller itself took (to the simulator's deployment-completed milestone), and the whole
// promote run. Prints a table and writes bench/approve-results.json. A scenario file of its own,
// apart from bench/run.ts.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator } from '../sim/index.js'
import { REPO_ROOT, runAction } from '../scripts/lib/run-action.js'
import { spread, type Spread } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
/** The fixtures bake 1 minute and wait 5 for approval: 0.1 keeps a run near 10 s, ordering intact. */
const TIME_SCALE = Number(process.env.BENCH_APPROVE_TIME_SCALE ?? 0.1)
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'

interface Scenario {
  readonly name: string
  readonly fixture: string
  readonly continueCall: string
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'ecs-native pause hook',
    fixture: 'django-web-bluegreen-pause',
    continueCall: 'ContinueServiceDeployment'
  },
  { name: 'codedeploy ready', fixture: 'django-web-codedeploy-ready', continueCall: 'ContinueDeployment' }
]

interface Measurement {
  /** From the promote call to the verdict line in the log. */
  readonly promoteToVerdictMs: number
  /** From the promote call to the simulator's deployment-completed milestone (the controller's own time). */
  readonly promoteToCompletedMs?: number
  /** From the milestone to the verdict line: what ecs-ship adds. */
  readonly verdictLagMs?: number
  /** The whole promote run, process start to exit. */
  readonly promoteRunMs: number
}

async function measure(scenario: Scenario): Promise<Measurement> {
  const sim = await startSimulator({ fixture: scenario.fixture, timeScale: TIME_SCALE })
  const simStart = Date.now()
  const env = { AWS_ENDPOINT_URL: sim.url }
  const inputs = { cluster: 'demo', service: 'web', 'wait-for-minutes': '10' }
  try {
    const deploy = await runAction({
      inputs: { ...inputs, image: IMAGE, 'wait-until': 'ready' },
      env,
      runPost: false,
      timeoutMs: 10 * 60_000
    })
    if (deploy.outputs.status !== 'ready')
      throw new Error(`${scenario.name}: the deploy ended ${deploy.outputs.status ?? '?'}\n${deploy.stdout}`)
    let verdictAt: number | undefined
    const start = Date.now()
    const promote = await runAction({
      inputs: { ...inputs, mode: 'promote', 'deployment-id': deploy.outputs['deployment-id'] ?? '' },
      env,
      runPost: false,
      timeoutMs: 10 * 60_000,
      onLine: (line, at) => {
        if (verdictAt === undefined && line.startsWith('healthy: ')) verdictAt = at
      }
    })
    const promoteRunMs = Date.now() - start
    if (promote.outputs.status !== 'succeeded' || verdictAt === undefined)
      throw new Error(
        `${scenario.name}: the promote ended ${promote.outputs.status ?? '?'}\n${promote.stdout}`
      )
    const calls = await sim.control.calls()
    const call = calls.find(c => c.operation === scenario.continueCall && !c.error)
    if (!call) throw new Error(`${scenario.name}: no ${scenario.continueCall} call was recorded`)
    const calledAt = simStart + call.at
    const completed = (await sim.control.milestones()).find(
      m => m.kind === 'deployment-completed' && simStart + m.at >= calledAt
    )
    const completedAt = completed ? simStart + completed.at : undefined
    return {
      promoteToVerdictMs: verdictAt - calledAt,
      ...(completedAt !== undefined && {
        promoteToCompletedMs: completedAt - calledAt,
        verdictLagMs: verdictAt - completedAt
      }),
      promoteRunMs
    }
  } finally {
    await sim.close()
  }
}

const seconds = (s: Spread | undefined) =>
  s === undefined
    ? '-'
    : `${(s.median / 1000).toFixed(2)} s (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`

async function main(): Promise<void> {
  const results: Record<string, Record<string, Spread | undefined>> = {}
  for (const scenario of SCENARIOS) {
    const runs: Measurement[] = []
    for (let i = 0; i < RUNS; i++) runs.push(await measure(scenario))
    const pick = (key: keyof Measurement) =>
      spread(runs.map(r => r[key]).filter((v): v is number => typeof v === 'number'))
    results[scenario.name] = {
      promoteToVerdictMs: pick('promoteToVerdictMs'),
      promoteToCompletedMs: pick('promoteToCompletedMs'),
      verdictLagMs: pick('verdictLagMs'),
      promoteRunMs: pick('promoteRunMs')
    }
  }
  console.log(`\napproval path, time scale ${TIME_SCALE}, ${RUNS} runs each (median, min–max)\n`)
  console.log('| scenario | promote call → verdict | of which the controller | verdict lag | promote run |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const [name, r] of Object.entries(results))
    console.log(
      `| ${name} | ${seconds(r.promoteToVerdictMs)} | ${seconds(r.promoteToCompletedMs)} | ${seconds(r.verdictLagMs)} | ${seconds(r.promoteRunMs)} |`
    )
  writeFileSync(
    join(REPO_ROOT, 'bench/approve-results.json'),
    JSON.stringify({ timeScale: TIME_SCALE, runs: RUNS, results }, null, 2) + '\n'
  )
}

await main()
