// `npm run bench`: runs the bundled action against the simulator at real speed (time scale 1) and
// measures what a team feels every day: how long the job hangs after the verdict is known, how many
// API calls it makes, how fast it starts, and how big it is. Prints a table and writes
// bench/results.json. PEER_ACTION_DIR=<dir containing another action's dist/index.js> runs the same
// scenarios with that action (inputs mapped for aws-actions/amazon-ecs-deploy-task-definition).
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ECSClient, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand
} from '@aws-sdk/client-cloudwatch-logs'
import { startSimulator } from '../sim/index.js'
import type { Behaviours, CallRecord, FaultSpec, RunningSimulator, SimMilestone } from '../sim/contract.js'
import { REPO_ROOT, runAction, type ActionRun } from '../scripts/lib/run-action.js'
import { spread, type Spread } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 1)
const IMAGE_REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web'

/** How a scenario finds, in the simulator's milestones, the moment the verdict became knowable. */
type EvidencePicker = (
  milestones: readonly SimMilestone[],
  simStart: number,
  actionStart: number,
  sim: RunningSimulator
) => number | undefined | Promise<number | undefined>

interface Scenario {
  readonly name: string
  /** The simulator fixture; django-web (a rolling service) unless said. */
  readonly fixture?: string
  readonly image: string
  readonly behaviours: Behaviours
  readonly expectSuccess: boolean
  readonly evidence: EvidencePicker
  /** A line of the action's log that announces the verdict (for failures: the rollback starting). */
  readonly verdictLine?: RegExp
  /** Simulator faults for the whole run (throttling). */
  readonly faults?: readonly FaultSpec[]
  /** More inputs of ours (migrate-command); a scenario with them is not run with the peer. */
  readonly inputs?: Readonly<Record<string, string>>
  /** This scenario's time scale, instead of BENCH_TIME_SCALE. */
  readonly timeScale?: number
  /** Changes to the fixture before the action starts (through the SDK, as a person would). */
  readonly setup?: (sim: RunningSimulator) => Promise<void>
  /** Lines the action must print (every migrate log line). */
  readonly mustPrint?: readonly string[]
}

const afterStart =
  (kind: string, nth = 1, filter: (m: SimMilestone) => boolean = () => true): EvidencePicker =>
  (milestones, simStart, actionStart) => {
    const hits = milestones.filter(m => m.kind === kind && simStart + m.at >= actionStart && filter(m))
    const hit = hits[nth - 1]
    return hit ? simStart + hit.at : undefined
  }

const newRevisionStopped = (m: SimMilestone): boolean => !String(m.detail.taskDefinition ?? '').endsWith(':1')

const MIGRATE = 'python manage.py migrate --no-input'
const MIGRATE_LINES = [
  'Operations to perform:',
  '  Apply all migrations: admin, auth, shop',
  'Running migrations:',
  '  Applying shop.0042_orders... OK',
  'Traceback-like last line written just before the exit'
]

const simCredentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }

/** When the migrate container exited: its last log line is written 1 ms before the exit. */
async function migrateExit(sim: RunningSimulator): Promise<number | undefined> {
  const logs = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: simCredentials
  })
  try {
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web' }))
    for (const stream of streams.logStreams ?? []) {
      const events = await logs.send(
        new GetLogEventsCommand({
          logGroupName: '/ecs/web',
          logStreamName: stream.logStreamName,
          startFromHead: true
        })
      )
      const last = events.events?.find(e => e.message === MIGRATE_LINES.at(-1))
      if (last?.timestamp !== undefined) return last.timestamp + 1
    }
    return undefined
  } finally {
    logs.destroy()
  }
}

/** AWS's defaults for a new target group: 300 s deregistration delay, 5 checks × 30 s to healthy. */
async function awsDefaultTargetGroup(sim: RunningSimulator): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: simCredentials
  })
  try {
    const groups = await elb.send(new DescribeTargetGroupsCommand({}))
    for (const g of groups.TargetGroups ?? []) {
      await elb.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: g.TargetGroupArn,
          HealthCheckIntervalSeconds: 30,
          HealthyThresholdCount: 5
        })
      )
      await elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: g.TargetGroupArn,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }]
        })
      )
    }
  } finally {
    elb.destroy()
  }
}

const THROTTLED: readonly FaultSpec[] = [
  { operation: 'ecs:Describe*', throttleRatio: 0.3 },
  { operation: 'elbv2:Describe*', throttleRatio: 0.3 }
]

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'success',
    image: `${IMAGE_REPO}:v2`,
    behaviours: {},
    expectSuccess: true,
    evidence: afterStart('deployment-completed')
  },
  {
    name: 'throttled-success',
    image: `${IMAGE_REPO}:v2`,
    behaviours: {},
    faults: THROTTLED,
    expectSuccess: true,
    evidence: afterStart('deployment-completed')
  },
  {
    name: 'migrate',
    image: `${IMAGE_REPO}:v2`,
    behaviours: { commands: { [MIGRATE]: { exitCode: 0, runSeconds: 6, logLines: MIGRATE_LINES } } },
    inputs: { 'migrate-command': MIGRATE },
    expectSuccess: true,
    // From the migrate container's exit to the line that decides the migration.
    evidence: (_m, _s, _a, sim) => migrateExit(sim),
    verdictLine: /^migrate `.*` (succeeded|failed)/,
    mustPrint: MIGRATE_LINES
  },
  {
    name: 'aws-default-target-group',
    image: `${IMAGE_REPO}:v2`,
    behaviours: {},
    // 300 s of deregistration delay and 5 × 30 s of health checks, at a tenth of real time.
    timeScale: 0.1,
    setup: awsDefaultTargetGroup,
    expectSuccess: true,
    evidence: afterStart('deployment-completed')
  },
  {
    name: 'crash-loop',
    image: `${IMAGE_REPO}:crash`,
    behaviours: {
      images: { [`${IMAGE_REPO}:crash`]: { kind: 'exit', exitCode: 1, afterSeconds: 2, logLines: ['boom'] } }
    },
    expectSuccess: false,
    // A crash loop is conclusive once a second task of the new revision has failed.
    evidence: afterStart('task-failed', 2, newRevisionStopped),
    verdictLine: /roll(ing)? ?back|deploy failed/i
  },
  {
    name: 'unhealthy-targets',
    image: `${IMAGE_REPO}:unhealthy`,
    behaviours: {
      images: {
        [`${IMAGE_REPO}:unhealthy`]: { kind: 'unhealthy-target', reasonCode: 'Target.ResponseCodeMismatch' }
      }
    },
    expectSuccess: false,
    // Conclusive once a new target is unhealthy and its task is past the service's health-check
    // grace period (ECS itself ignores ELB health checks until then).
    evidence: (milestones, simStart, actionStart) => {
      const hit = milestones.find(m => m.kind === 'target-unhealthy' && simStart + m.at >= actionStart)
      if (!hit) return undefined
      return simStart + Math.max(hit.at, Number(hit.detail.graceEndsAt ?? hit.at))
    },
    verdictLine: /roll(ing)? ?back|deploy failed/i
  },
  {
    name: 'bluegreen-success',
    fixture: 'django-web-bluegreen',
    image: `${IMAGE_REPO}:v2`,
    behaviours: {},
    expectSuccess: true,
    // ECS-native: complete after the bake time and the clean-up of blue.
    evidence: afterStart('deployment-completed')
  },
  {
    name: 'codedeploy-success',
    fixture: 'django-web-codedeploy',
    image: `${IMAGE_REPO}:v2`,
    behaviours: {},
    expectSuccess: true,
    evidence: afterStart('deployment-completed')
  }
]

/** BENCH_SCENARIOS=success,crash-loop runs only those (all by default). */
const SELECTED = (process.env.BENCH_SCENARIOS ?? '')
  .split(',')
  .map(name => name.trim())
  .filter(Boolean)

interface Measurement {
  readonly verdictLatencyMs?: number
  readonly coldStartMs?: number
  readonly totalMs: number
  readonly exitCode: number | null
  readonly correct: boolean
  readonly calls: Readonly<Record<string, number>>
  readonly waitingMinutes: number
  readonly phases: Readonly<Record<string, number>>
  /** The action's own calls (from its start) per second of its run. */
  readonly callsPerSecond: number
  readonly missingLines: number
}

function countCalls(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const c of calls)
    counts[`${c.service}:${c.operation}`] = (counts[`${c.service}:${c.operation}`] ?? 0) + 1
  return counts
}

/** Phase durations from the `::group::` / `::endgroup::` commands that core.group prints. */
function phaseDurations(lines: readonly { line: string; at: number }[]): Record<string, number> {
  const phases: Record<string, number> = {}
  let open: { name: string; at: number } | undefined
  for (const { line, at } of lines) {
    const start = /^::group::(.*)$/.exec(line)
    if (start) open = { name: start[1] ?? '', at }
    else if (line.startsWith('::endgroup::') && open) {
      phases[open.name] = (phases[open.name] ?? 0) + (at - open.at)
      open = undefined
    }
  }
  return phases
}

async function peerTaskDefinitionFile(sim: RunningSimulator, image: string): Promise<string> {
  // The peer action needs a task-definition file: the fixture's current revision with the new image.
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }
  })
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))
  ecs.destroy()
  const td = { ...taskDefinition }
  for (const field of [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy'
  ])
    delete (td as Record<string, unknown>)[field]
  td.containerDefinitions = (td.containerDefinitions ?? []).map(c => ({ ...c, image }))
  const file = join(mkdtempSync(join(tmpdir(), 'ecs-ship-bench-')), 'task-definition.json')
  writeFileSync(file, JSON.stringify(td))
  return file
}

async function measure(scenario: Scenario, peerDir?: string): Promise<Measurement> {
  const sim = await startSimulator({
    fixture: scenario.fixture ?? 'django-web',
    timeScale: scenario.timeScale ?? TIME_SCALE
  })
  const simStart = Date.now()
  try {
    await sim.control.setBehaviours(scenario.behaviours)
    await scenario.setup?.(sim)
    const lines: { line: string; at: number }[] = []
    let spawnedAt = 0
    const env = { AWS_ENDPOINT_URL: sim.url }
    const inputs: Record<string, string> = peerDir
      ? {
          'task-definition': await peerTaskDefinitionFile(sim, scenario.image),
          cluster: 'demo',
          service: 'web',
          'wait-for-service-stability': 'true',
          'wait-for-minutes': '10'
        }
      : {
          cluster: 'demo',
          service: 'web',
          image: scenario.image,
          'wait-for-minutes': '10',
          ...scenario.inputs
        }
    if (scenario.faults) await sim.control.setFaults(scenario.faults)
    // The bench's own calls (set-up, the peer's task-definition file) come before this many.
    const before = (await sim.control.calls()).length
    const actionStart = Date.now()
    const run: ActionRun = await runAction({
      inputs,
      env,
      entry: peerDir ? join(peerDir, 'dist/index.js') : undefined,
      ...(peerDir && existsSync(join(peerDir, 'action.yml')) && { actionYml: join(peerDir, 'action.yml') }),
      runPost: false,
      timeoutMs: 15 * 60_000,
      onSpawn: () => (spawnedAt = Date.now()),
      onLine: (line, at) => lines.push({ line, at })
    })
    const exitedAt = Date.now()
    await sim.control.setFaults([])
    const allCalls = await sim.control.calls()
    // The action's own calls: not the bench's set-up, nor what it reads afterwards.
    const calls = allCalls.slice(before).filter(c => simStart + c.at <= exitedAt + 1000)
    const milestones = await sim.control.milestones()
    const evidenceAt = await scenario.evidence(milestones, simStart, actionStart, sim)
    const verdictAt = scenario.verdictLine
      ? (lines.find(l => scenario.verdictLine?.test(l.line))?.at ?? exitedAt)
      : exitedAt
    // The action's own first call: the peer's set-up reads the task definition before it starts.
    const firstCall = calls[0]
    const succeeded = run.exitCode === 0
    const printed = new Set(lines.map(l => l.line))
    return {
      verdictLatencyMs: evidenceAt === undefined ? undefined : Math.max(0, verdictAt - evidenceAt),
      coldStartMs: firstCall ? simStart + firstCall.at - spawnedAt : undefined,
      totalMs: exitedAt - actionStart,
      exitCode: run.exitCode,
      correct: succeeded === scenario.expectSuccess,
      calls: countCalls(calls),
      waitingMinutes: (exitedAt - actionStart) / 60_000,
      phases: phaseDurations(lines),
      callsPerSecond: calls.length / Math.max(0.001, (exitedAt - spawnedAt) / 1000),
      missingLines: (scenario.mustPrint ?? []).filter(l => !printed.has(l)).length
    }
  } finally {
    await sim.close()
  }
}

function distSize(dir = join(REPO_ROOT, 'dist')): number {
  let total = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = statSync(path)
    total += st.isDirectory() ? distSize(path) : st.size
  }
  return total
}

interface ScenarioResult {
  readonly scenario: string
  readonly tool: string
  readonly runs: number
  readonly correct: number
  readonly verdictLatencyMs: Spread | undefined
  readonly coldStartMs: Spread | undefined
  readonly totalMs: Spread
  readonly callsPerDeploy: Record<string, number>
  readonly callsPerWaitingMinute: number
  readonly callsPerSecond: number
  readonly missingLines: number
  readonly phasesMs: Record<string, number>
}

function summarise(scenario: string, tool: string, ms: readonly Measurement[]): ScenarioResult {
  const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined)
  const calls: Record<string, number> = {}
  for (const m of ms)
    for (const [op, n] of Object.entries(m.calls)) calls[op] = (calls[op] ?? 0) + n / ms.length
  const totalCalls = ms.reduce((sum, m) => sum + Object.values(m.calls).reduce((a, b) => a + b, 0), 0)
  const minutes = ms.reduce((sum, m) => sum + m.waitingMinutes, 0)
  const phases: Record<string, number> = {}
  for (const m of ms)
    for (const [p, d] of Object.entries(m.phases)) phases[p] = (phases[p] ?? 0) + d / ms.length
  return {
    scenario,
    tool,
    runs: ms.length,
    correct: ms.filter(m => m.correct).length,
    verdictLatencyMs: spread(defined(ms.map(m => m.verdictLatencyMs))),
    coldStartMs: spread(defined(ms.map(m => m.coldStartMs))),
    totalMs: spread(ms.map(m => m.totalMs)) as Spread,
    callsPerDeploy: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, Math.round(v * 10) / 10])),
    callsPerWaitingMinute: minutes > 0 ? Math.round(totalCalls / minutes) : 0,
    callsPerSecond: Math.round((ms.reduce((sum, m) => sum + m.callsPerSecond, 0) / ms.length) * 100) / 100,
    missingLines: ms.reduce((sum, m) => sum + m.missingLines, 0),
    phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]))
  }
}

const fmt = (s: Spread | undefined) =>
  s ? `${(s.median / 1000).toFixed(2)} s (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})` : 'n/a'

async function main(): Promise<void> {
  const tools: { name: string; dir?: string }[] = [{ name: 'ecs-ship' }]
  if (process.env.PEER_ACTION_DIR) tools.push({ name: 'peer', dir: process.env.PEER_ACTION_DIR })
  const results: ScenarioResult[] = []
  for (const scenario of SCENARIOS) {
    if (SELECTED.length > 0 && !SELECTED.includes(scenario.name)) continue
    for (const tool of tools) {
      // The peer action knows only rolling updates through UpdateService.
      // Nor migrations.
      if (tool.dir && (scenario.fixture !== undefined || scenario.inputs !== undefined)) continue
      const ms: Measurement[] = []
      for (let i = 0; i < RUNS; i++) {
        process.stderr.write(`bench: ${scenario.name} with ${tool.name}, run ${i + 1}/${RUNS}\n`)
        ms.push(await measure(scenario, tool.dir))
      }
      results.push(summarise(scenario.name, tool.name, ms))
    }
  }
  const bundleBytes = distSize()
  console.log(
    `\nBundle: ${(bundleBytes / 1e6).toFixed(2)} MB (${bundleBytes} bytes) in dist/ (budget 1.85 MB)`
  )
  console.log(`Runs per scenario: ${RUNS}, time scale ${TIME_SCALE} unless the scenario sets its own\n`)
  console.log(
    '| scenario | tool | correct | verdict latency, median (min–max) | cold start | total | calls/deploy | calls/s | lines missing |'
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of results) {
    const calls = Object.values(r.callsPerDeploy).reduce((a, b) => a + b, 0)
    console.log(
      `| ${r.scenario} | ${r.tool} | ${r.correct}/${r.runs} | ${fmt(r.verdictLatencyMs)} | ${fmt(r.coldStartMs)} | ${fmt(r.totalMs)} | ${calls.toFixed(0)} | ${r.callsPerSecond.toFixed(2)} | ${r.missingLines} |`
    )
  }
  if (tools.length > 1) {
    console.log('\nRatios (peer / ecs-ship, verdict latency median):')
    for (const scenario of SCENARIOS) {
      const ours = results.find(r => r.scenario === scenario.name && r.tool === 'ecs-ship')?.verdictLatencyMs
      const theirs = results.find(r => r.scenario === scenario.name && r.tool === 'peer')?.verdictLatencyMs
      if (ours && theirs)
        console.log(`  ${scenario.name}: ${(theirs.median / Math.max(1, ours.median)).toFixed(1)}×`)
    }
  }
  console.log('\nCalls per deploy by operation (ecs-ship):')
  for (const r of results.filter(r => r.tool === 'ecs-ship'))
    console.log(`  ${r.scenario}: ${JSON.stringify(r.callsPerDeploy)}`)
  console.log('\nPhases (ecs-ship, mean ms):')
  for (const r of results.filter(r => r.tool === 'ecs-ship'))
    console.log(`  ${r.scenario}: ${JSON.stringify(r.phasesMs)}`)
  writeFileSync(
    resolve(REPO_ROOT, process.env.BENCH_OUT ?? 'bench/results.json'),
    JSON.stringify(
      { measuredAt: new Date().toISOString(), runs: RUNS, timeScale: TIME_SCALE, bundleBytes, results },
      null,
      2
    ) + '\n'
  )
}

await main()
