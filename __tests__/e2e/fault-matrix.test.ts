// The fault matrix: the bundled action against the simulator, under bad input and under faults.
// Every case asserts the outcome, the message, and from the simulator's call log what was (and
// was not) changed. The matrix is printed as a table when the file finishes.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord, FaultSpec, RunningSimulator } from '../../sim/contract.js'
import { REPO_ROOT, runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

let sim: RunningSimulator
const matrix: { group: string; name: string; passed: boolean }[] = []
const files = mkdtempSync(join(tmpdir(), 'ecs-ship-matrix-'))

function file(name: string, content: string): string {
  const path = join(files, name)
  writeFileSync(path, content)
  return path
}

const simulator = useSimulator()
beforeEach(() => {
  sim = simulator()
})
afterAll(() => {
  const width = Math.max(...matrix.map(m => m.name.length))
  const lines = [
    '',
    'Fault matrix',
    `${'group'.padEnd(12)} ${'case'.padEnd(width)} result`,
    ...matrix.map(m => `${m.group.padEnd(12)} ${m.name.padEnd(width)} ${m.passed ? 'passed' : 'FAILED'}`),
    `${matrix.filter(m => m.passed).length} of ${matrix.length} cases passed`,
    ''
  ]
  process.stdout.write(lines.join('\n') + '\n')
})
/** Runs the action with `files` as its workspace: the task-definition files are there. */
function act(inputs: Record<string, string>): Promise<ActionRun> {
  return runOnSim(
    sim,
    { 'wait-for-minutes': '5', ...inputs },
    { timeoutMs: 180_000, runPost: false, cwd: files }
  )
}

/** Records the case in the matrix whatever happens, then rethrows a failure for jest. */
async function matrixCase(group: string, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body()
    matrix.push({ group, name, passed: true })
  } catch (error) {
    matrix.push({ group, name, passed: false })
    throw error
  }
}

const mutations = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating)
const errorLine = (run: ActionRun) => run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''

const goodTaskDefinition = JSON.stringify({
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  // The service's target group sends traffic to web:8000: ECS refuses a revision without it.
  containerDefinitions: [
    { name: 'web', image: `${REPO}:v1`, essential: true, portMappings: [{ containerPort: 8000 }] }
  ]
})

// Each bad input: the inputs, and what the error must name.
const BAD_INPUTS: [string, Record<string, string>, RegExp][] = [
  ['task-definition file missing', { 'task-definition': '/nonexistent/td.json' }, /task-definition/],
  [
    'task-definition malformed JSON',
    { 'task-definition': file('bad.json', '{\n  "family": "web",\n  "cpu": \n}') },
    // Where the value is missing (line 3), now that the message quotes no text to point at it.
    /bad\.json.*line 3, column 10/
  ],
  ['task-definition empty', { 'task-definition': file('empty.json', '') }, /empty\.json/],
  [
    'task-definition malformed YAML',
    {
      'task-definition': file('bad.yaml', 'family: web\ncontainerDefinitions:\n  - name: web\n   image: x\n')
    },
    /bad\.yaml.*line/
  ],
  [
    'task-definition without containers',
    { 'task-definition': file('nocontainers.json', '{"family":"web"}') },
    /nocontainers\.json|containerDefinitions/
  ],
  ['unknown container-name', { 'container-name': 'api', image: `${REPO}:v2` }, /container-name.*api.*web/],
  [
    'image and ecr-repository both set',
    { image: `${REPO}:v2`, 'ecr-repository': 'web' },
    /image.*ecr-repository|ecr-repository.*image/
  ],
  ['negative wait-for-minutes', { 'wait-for-minutes': '-1' }, /wait-for-minutes/],
  ['non-numeric wait-for-minutes', { 'wait-for-minutes': 'soon' }, /wait-for-minutes/],
  ['negative desired-count', { 'desired-count': '-2' }, /desired-count/],
  ['fractional desired-count', { 'desired-count': '1.5' }, /desired-count/],
  [
    'non-numeric migrate-timeout-minutes',
    { 'migrate-timeout-minutes': 'x', 'migrate-command': 'python manage.py migrate' },
    /migrate-timeout-minutes/
  ],
  ['unknown mode', { mode: 'explode' }, /mode/],
  ['unknown builder', { builder: 'podman', 'ecr-repository': 'web' }, /builder/],
  ['unknown cache', { cache: 's3', 'ecr-repository': 'web' }, /cache/],
  ['unknown wait-until', { 'wait-until': 'later' }, /wait-until/],
  ['non-boolean rollback-on-failure', { 'rollback-on-failure': 'maybe' }, /rollback-on-failure/],
  ['non-boolean dry-run', { 'dry-run': 'yes please' }, /dry-run/],
  [
    'migrate-command with an unclosed quote',
    { 'migrate-command': 'python manage.py migrate\necho "oops' },
    /migrate-command line 2/
  ],
  [
    'migrate-command with a shell pipe',
    { 'migrate-command': 'python manage.py migrate | tee log' },
    /migrate-command/
  ],
  ['environment-variables line without =', { 'environment-variables': 'DEBUG' }, /environment-variables/],
  [
    'missing Dockerfile',
    {
      'ecr-repository': 'web',
      builder: 'buildah',
      'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
      dockerfile: 'Nope.Dockerfile'
    },
    /dockerfile/
  ],
  [
    'missing build-context',
    { 'ecr-repository': 'web', builder: 'buildah', 'build-context': '/nonexistent/context' },
    /build-context/
  ],
  ['unknown cluster', { cluster: 'nope', image: `${REPO}:v2` }, /cluster/],
  ['unknown service', { service: 'nope', image: `${REPO}:v2` }, /service/],
  ['empty service', { service: '' }, /service/],
  [
    'unknown ECR repository',
    {
      'ecr-repository': 'nope',
      builder: 'buildah',
      'build-context': join(REPO_ROOT, '__fixtures__/image/context')
    },
    /ecr-repository|nope/
  ],
  ['rollback-to that is not a revision', { mode: 'rollback', 'rollback-to': 'web:abc:1' }, /rollback-to/],
  [
    'wait-until ready on a rolling service',
    { image: `${REPO}:v2`, 'wait-until': 'ready' },
    /input wait-until/
  ],
  [
    'preview without a listener',
    { mode: 'preview', 'preview-host': 'pr-{id}.example.com', 'preview-id': '7' },
    /input listener-arn: is required in preview mode/
  ]
]

describe('bad input: a clear error naming the input, and zero mutating calls', () => {
  it.each(BAD_INPUTS)('%s', async (name, inputs, names) => {
    await matrixCase('bad input', name, async () => {
      const run = await act(inputs)
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(names)
      expect(mutations(await sim.control.calls())).toEqual([])
    })
  })

  it('a valid task-definition file still deploys (the cases above fail for their own reason)', async () => {
    await matrixCase('bad input', 'control: valid file deploys', async () => {
      const run = await act({ 'task-definition': file('good.json', goodTaskDefinition), image: `${REPO}:v2` })
      expect(run.outputs.status).toBe('succeeded')
    })
  })
})

// Each fault: what is set, and the outcome the deploy must reach all the same.
const FAULTS: [string, FaultSpec[], string, 'succeeded' | 'rolled-back'][] = [
  [
    '30% throttling on every Describe call',
    [
      { operation: 'ecs:Describe*', throttleRatio: 0.3 },
      { operation: 'elbv2:Describe*', throttleRatio: 0.3 }
    ],
    'v2',
    'succeeded'
  ],
  ['bursts of HTTP 500/503', [{ operation: '*', serverErrorRatio: 0.25 }], 'v2', 'succeeded'],
  ['2 s added latency', [{ operation: 'ecs:DescribeServices', latencyMs: 2000 }], 'v2', 'succeeded'],
  ['dropped connections', [{ operation: '*', dropRatio: 0.15 }], 'v2', 'succeeded'],
  [
    'throttling while a crash loop is rolled back',
    [{ operation: 'ecs:Describe*', throttleRatio: 0.3 }],
    'crash',
    'rolled-back'
  ]
]

describe('faults: the deploy ends correct, never reported wrongly', () => {
  it.each(FAULTS)('%s', async (name, faults, tag, outcome) => {
    await matrixCase('faults', name, async () => {
      await sim.control.setBehaviours({
        images: { [`${REPO}:crash`]: { kind: 'exit', exitCode: 1, afterSeconds: 1 } }
      })
      await sim.control.setFaults(faults)
      const run = await act({ image: `${REPO}:${tag}` })
      await sim.control.setFaults([])
      if (run.outputs.status !== outcome)
        throw new Error(`expected ${outcome}, got ${run.outputs.status}\n${run.stdout}`)
      expect(run.exitCode).toBe(outcome === 'succeeded' ? 0 : 1)
      // What the action says matches what the service runs.
      const state = await sim.control.state()
      const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
        s => s.serviceName === 'web'
      )
      expect(web?.taskDefinition).toBe(run.outputs['task-definition-arn'])
    })
  })

  it('credentials that expire mid-wait fail at once with a plain message', async () => {
    await matrixCase('faults', 'credentials expire mid-wait', async () => {
      await sim.control.setFaults([{ operation: '*', expireCredentialsAfterSeconds: 2 }])
      const run = await act({ image: `${REPO}:v2`, 'wait-for-minutes': '30' })
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(/expired|credentials/i)
      expect(errorLine(run)).not.toMatch(/timed out|timeout/i)
      // Once UpdateService went through, the deployment goes on without us: the run says so and
      // still outputs its id.
      const calls = await sim.control.calls()
      const updated = calls.some(c => c.operation === 'UpdateService' && c.mutating && !c.error)
      if (updated) {
        expect(errorLine(run)).toMatch(/stopped following deployment \S+ of web:2: .*ECS carries on with it/)
        expect(run.outputs['deployment-id']).toBeTruthy()
      }
    })
  })

  it('a role that cannot read target health fails before anything changes, not mid-rollout', async () => {
    await matrixCase('faults', 'access denied to target health', async () => {
      await sim.control.setFaults([{ operation: 'elbv2:DescribeTargetHealth', accessDenied: true }])
      const run = await act({ image: `${REPO}:v2` })
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(/AWS denied access/)
      expect(mutations(await sim.control.calls())).toEqual([])
    })
  })

  it('access denied fails at once, before anything changes', async () => {
    await matrixCase('faults', 'access denied', async () => {
      await sim.control.setFaults([{ operation: 'ecs:DescribeServices', accessDenied: true }])
      const run = await act({ image: `${REPO}:v2` })
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(/not authorized|access denied|AccessDenied/i)
      expect(mutations(await sim.control.calls())).toEqual([])
    })
  })
})

// Blue/green: the same faults and bad inputs against services deployed by ECS-native blue/green
// and by CodeDeploy.
const BLUE_GREEN_FAULTS: [string, string, FaultSpec[]][] = [
  [
    'ECS-native blue/green with 30% throttling on Describe calls',
    'django-web-bluegreen',
    [
      { operation: 'ecs:Describe*', throttleRatio: 0.3 },
      { operation: 'elbv2:Describe*', throttleRatio: 0.3 }
    ]
  ],
  [
    'ECS-native blue/green with dropped connections',
    'django-web-bluegreen',
    [{ operation: '*', dropRatio: 0.1 }]
  ],
  [
    'CodeDeploy with 30% throttling on Get and Describe calls',
    'django-web-codedeploy',
    [
      { operation: 'codedeploy:Get*', throttleRatio: 0.3 },
      { operation: 'elbv2:Describe*', throttleRatio: 0.3 }
    ]
  ],
  [
    'CodeDeploy with bursts of HTTP 500/503',
    'django-web-codedeploy',
    [{ operation: '*', serverErrorRatio: 0.2 }]
  ]
]

const BLUE_GREEN_BAD_INPUTS: [string, string, Record<string, string>, RegExp][] = [
  [
    'CodeDeploy: a deployment group that does not exist',
    'django-web-codedeploy',
    { 'codedeploy-deployment-group': 'nope' },
    /input codedeploy-deployment-group: /
  ],
  [
    'CodeDeploy: an AppSpec file that does not exist',
    'django-web-codedeploy',
    { 'codedeploy-appspec': '/nonexistent/appspec.yaml' },
    /input codedeploy-appspec: /
  ],
  [
    'preview behind the blue/green catch-all rule',
    'django-web-bluegreen',
    {
      mode: 'preview',
      'preview-id': '7',
      'preview-host': 'pr-{id}.preview.example.com',
      'listener-arn':
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'
    },
    /input listener-arn: .*matches every request/
  ],
  [
    'CodeDeploy: wait-until ready on a group that reroutes by itself',
    'django-web-codedeploy',
    { 'wait-until': 'ready' },
    /input wait-until: /
  ]
]

describe('blue/green', () => {
  it.each(BLUE_GREEN_FAULTS)('%s: ends correct', async (name, fixture, faults) => {
    await matrixCase('blue/green', name, async () => {
      await sim.control.reset()
      await sim.control.loadFixture(fixture)
      await sim.control.setFaults(faults)
      const run = await act({ image: `${REPO}:v2` })
      await sim.control.setFaults([])
      if (run.outputs.status !== 'succeeded')
        throw new Error(`expected succeeded, got ${run.outputs.status}\n${run.stdout}`)
      const state = await sim.control.state()
      const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
        s => s.serviceName === 'web'
      )
      expect(web?.taskDefinition).toBe(run.outputs['task-definition-arn'])
    })
  })

  it.each(BLUE_GREEN_BAD_INPUTS)(
    '%s: names the input, changes nothing',
    async (name, fixture, inputs, message) => {
      await matrixCase('blue/green', name, async () => {
        await sim.control.reset()
        await sim.control.loadFixture(fixture)
        const run = await act({ image: `${REPO}:v2`, ...inputs })
        expect(run.exitCode).toBe(1)
        expect(errorLine(run)).toMatch(message)
        expect(mutations(await sim.control.calls())).toEqual([])
      })
    }
  )
})

describe('a rollback that fails', () => {
  it('is reported as such, loudly, with both reasons', async () => {
    await matrixCase('rollback', 'previous revision also unhealthy', async () => {
      // Both the new image and the running one (v1) now fail: nothing healthy to return to.
      await sim.control.setBehaviours({
        images: {
          [`${REPO}:crash`]: { kind: 'exit', exitCode: 1, afterSeconds: 1 },
          [`${REPO}:v1`]: { kind: 'exit', exitCode: 2, afterSeconds: 1 }
        }
      })
      const run = await act({ image: `${REPO}:crash`, 'wait-for-minutes': '1' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.status).toBe('failed')
      expect(errorLine(run)).toMatch(/rollback.*fail|roll.*back.*fail/i)
      expect(errorLine(run)).toMatch(/exit/)
    })
  })
})

describe('cancellation', () => {
  it('SIGTERM during the watch: says what state the service is left in, exits promptly; the next run recovers', async () => {
    await matrixCase('cancel', 'SIGTERM during the rollout watch', async () => {
      let pid: number | undefined
      let signalled = false
      const run = await runAction({
        inputs: { cluster: 'demo', service: 'web', image: `${REPO}:v2`, 'wait-for-minutes': '5' },
        env: { AWS_ENDPOINT_URL: sim.url, ECS_SHIP_POLL_MIN_MS: '100', ECS_SHIP_POLL_MAX_MS: '500' },
        timeoutMs: 60_000,
        runPost: false,
        onSpawn: p => (pid = p),
        onLine: line => {
          if (!signalled && pid !== undefined && line.startsWith('UpdateService:')) {
            signalled = true
            process.kill(pid, 'SIGTERM')
          }
        }
      })
      expect(signalled).toBe(true)
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(
        /^::error::cancelled while rolling out: ECS carries on with the deployment of .*web:2/
      )
      expect(errorLine(run)).toContain(
        'mode: rollback to put arn:aws:ecs:us-east-1:123456789012:task-definition/web:1 back'
      )

      // The next run of the same commit finds the service on that revision and says so.
      const next = await act({ image: `${REPO}:v2` })
      expect(next.exitCode).toBe(0)
      expect(['unchanged', 'succeeded']).toContain(next.outputs.status)
    })
  })
})

describe('cancellation during a migration', () => {
  it('names the migrate task it leaves running to finish, and changes nothing else', async () => {
    await matrixCase('cancel', 'SIGTERM during the migrate task', async () => {
      await sim.control.setBehaviours({
        commands: {
          'python manage.py migrate --noinput': {
            exitCode: 0,
            runSeconds: 600,
            logLines: ['Operations to perform:']
          }
        }
      })
      let pid: number | undefined
      let signalled = false
      const run = await runAction({
        inputs: {
          cluster: 'demo',
          service: 'web',
          image: `${REPO}:v2`,
          'migrate-command': 'python manage.py migrate --noinput'
        },
        env: { AWS_ENDPOINT_URL: sim.url, ECS_SHIP_POLL_MIN_MS: '100', ECS_SHIP_POLL_MAX_MS: '500' },
        timeoutMs: 60_000,
        runPost: false,
        onSpawn: p => (pid = p),
        onLine: line => {
          // The task is running, and known to the action as in flight.
          if (!signalled && pid !== undefined && /^task \w+: RUNNING$/.test(line)) {
            signalled = true
            process.kill(pid, 'SIGTERM')
          }
        }
      })
      expect(signalled).toBe(true)
      expect(run.exitCode).toBe(1)
      expect(errorLine(run)).toMatch(
        /cancelled while migrate task arn:aws:ecs:us-east-1:123456789012:task\/demo\/\S+ was running; it is left running/
      )
      const calls = await sim.control.calls()
      expect(calls.filter(c => c.operation === 'StopTask' || c.operation === 'UpdateService')).toEqual([])
    })
  })
})

describe('concurrency', () => {
  it('a deploy that finds another in flight waits for it to settle, says so, then deploys', async () => {
    await matrixCase('concurrency', 'second deploy waits for the first', async () => {
      let second: Promise<ActionRun> | undefined
      const first = runAction({
        inputs: { cluster: 'demo', service: 'web', image: `${REPO}:v2`, 'wait-for-minutes': '5' },
        env: { AWS_ENDPOINT_URL: sim.url, ECS_SHIP_POLL_MIN_MS: '100', ECS_SHIP_POLL_MAX_MS: '500' },
        timeoutMs: 120_000,
        runPost: false,
        onLine: line => {
          // Start the second deploy as soon as the first one's rollout is under way.
          if (!second && line.startsWith('UpdateService:')) second = act({ image: `${REPO}:v3` })
        }
      })
      const a = await first
      const b = await (second ?? Promise.reject(new Error('the second deploy never started')))
      if (a.outputs.status !== 'succeeded' || b.outputs.status !== 'succeeded')
        throw new Error(`first: ${a.outputs.status}\n${a.stdout}\nsecond: ${b.outputs.status}\n${b.stdout}`)
      expect(b.stdout).toContain('is in flight')
      expect(b.outputs.status).toBe('succeeded')
      // The second started from what the first finished with, and the service runs the second.
      expect(b.outputs['previous-task-definition-arn']).toBe(a.outputs['task-definition-arn'])
      const state = await sim.control.state()
      const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
        s => s.serviceName === 'web'
      )
      expect(web?.taskDefinition).toBe(b.outputs['task-definition-arn'])
    })
  })

  it('two deploys started together: the service ends on one of the two, healthy, and both jobs tell the truth', async () => {
    await matrixCase('concurrency', 'two deploys started together', async () => {
      const [a, b] = await Promise.all([act({ image: `${REPO}:v2` }), act({ image: `${REPO}:v3` })])
      const state = await sim.control.state()
      const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
        s => s.serviceName === 'web'
      )
      const final = web?.taskDefinition
      const runs = [a, b]
      const show = runs.map(r => `${r.outputs.status}: ${errorLine(r)}\n${r.stdout}`).join('\n----\n')
      const winner = runs.find(r => r.outputs['task-definition-arn'] === final)
      if (!winner) throw new Error(`the service runs ${final}, which neither job deployed\n${show}`)
      // The job whose revision the service runs succeeded, and the service is healthy on it.
      expect(winner.outputs.status).toBe('succeeded')
      const running = (
        state.tasks as { desiredStatus?: string; lastStatus?: string; taskDefinitionArn?: string }[]
      ).filter(
        t =>
          t.desiredStatus === 'RUNNING' &&
          t.lastStatus === 'RUNNING' &&
          /\/web:\d+$/.test(t.taskDefinitionArn ?? '')
      )
      expect(running.map(t => t.taskDefinitionArn)).toEqual([final, final])
      const targets = (state.targetHealth['web-tg'] ?? []) as { state?: string }[]
      expect(targets.filter(t => t.state === 'healthy')).toHaveLength(2)
      // The other one says what happened to its deployment: it finished and was then replaced,
      // or it was replaced before it finished (and it did not roll the winner back).
      const other = runs.find(r => r !== winner)
      if (other && other.outputs['task-definition-arn'] !== final) {
        const said = other.stdout + other.stderr
        if (other.outputs.status === 'succeeded') expect(said).toMatch(/healthy: |completed, then deployment/)
        else {
          expect(other.outputs.status).toBe('failed')
          expect(said).toMatch(/replaced|in flight/)
          expect(said).not.toMatch(/rolling back: UpdateService/)
        }
      }
    })
  })
})
