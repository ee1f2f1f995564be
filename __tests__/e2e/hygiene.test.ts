// End to end, issue 14: nothing the bundled action prints can be obeyed as a workflow command or
// leak part of a secret. Each test runs dist/index.js against the simulator and reads its stdout
// as the runner would (__tests__/helpers/workflow-commands.ts: lines split on \r too, both command
// forms, stop-commands, add-mask), then asserts what the runner would obey and what it would show.
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningSimulator } from '../../sim/contract.js'
import { REPO_ROOT, type ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'
import { commandsBesidesGroups, readAsRunner, type RunnerView } from '../helpers/workflow-commands.js'

const MIGRATE = 'python manage.py migrate --no-input'
const simulator = useSimulator()
let sim: RunningSimulator
let dir: string
beforeEach(() => {
  sim = simulator()
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ecs-ship-hygiene-')))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function explain(run: ActionRun): string {
  return `exit ${run.exitCode}, status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
}

/** Commands only text from outside could have issued: none of these is ever the action's own. */
const FOREIGN_ONLY = [
  'set-output',
  'save-state',
  'set-env',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'echo'
]

/** The action masks its github-token input (run-action.ts gives this one) before anything else. */
const ownMask = (c: { name: string; data: string }) =>
  c.name === 'add-mask' && c.data === 'ghs_localtesttoken'

/** What the runner obeyed beyond the groups and the token's mask, as `name data`, for a readable failure. */
const obeyed = (view: RunnerView) =>
  commandsBesidesGroups(view)
    .filter(c => !ownMask(c))
    .map(c => `${c.name} ${c.data}`)

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12)

describe('hygiene of what the action prints, end to end', () => {
  it('text from outside (a task log, a stopped reason) is shown in the log and never obeyed', async () => {
    const logLines = [
      'Running migrations:',
      '::set-output name=status::succeeded',
      '::save-state name=isPost::false',
      '::add-mask::Running',
      '::error title=planted::from the migrate log',
      'Applying shop.0042_orders... ##[set-output name=image-digest]sha256:planted',
      'progress 50%\r::warning::planted after a lone carriage return',
      '  ::stop-commands::planted-token',
      '  Applying shop.0043_more... OK'
    ]
    const stoppedReason =
      'CannotPullContainerError: pull failed\n::add-mask::demo\r::set-output name=rolled-back::false'
    await sim.control.setBehaviours({
      commands: { [MIGRATE]: { exitCode: 0, runSeconds: 5, logLines } },
      images: { [`${REPO}:v3`]: { kind: 'cannot-start', stopCode: 'TaskFailedToStart', stoppedReason } }
    })
    // A migration whose log plants commands, then a rollout whose tasks stop with a planted reason.
    const migrated = await runOnSim(sim, { image: `${REPO}:v2`, 'migrate-command': MIGRATE })
    if (migrated.exitCode !== 0 || migrated.outputs.status !== 'succeeded') throw new Error(explain(migrated))
    const stopped = await runOnSim(sim, { image: `${REPO}:v3` })
    if (stopped.exitCode !== 1 || stopped.outputs.status !== 'rolled-back') throw new Error(explain(stopped))

    const first = readAsRunner(migrated.stdout)
    const second = readAsRunner(stopped.stdout)
    for (const view of [first, second]) {
      expect(view.endedStopped).toBe(false)
      expect(view.stopBlocks).toBeGreaterThan(0)
      expect(commandsBesidesGroups(view).filter(c => FOREIGN_ONLY.includes(c.name))).toEqual([])
    }
    // The runner obeys nothing of the action's besides the groups, and the failure of the second run.
    expect(obeyed(first)).toEqual([])
    expect(obeyed(second)).toEqual([expect.stringMatching(/^error deploy failed: [\s\S]*rolled back to /)])
    // And shows every line of the text, split where the runner splits.
    for (const line of [
      '::set-output name=status::succeeded',
      '::save-state name=isPost::false',
      '::add-mask::Running',
      '::error title=planted::from the migrate log',
      'Applying shop.0042_orders... ##[set-output name=image-digest]sha256:planted',
      'progress 50%',
      '::warning::planted after a lone carriage return',
      '  ::stop-commands::planted-token',
      '  Applying shop.0043_more... OK'
    ])
      expect(first.log).toContain(line)
    // Nothing was masked by the planted add-mask: "Running" is still in the log.
    expect(first.log).toContain('Running migrations:')
    expect(second.log.some(line => line.includes('CannotPullContainerError: pull failed'))).toBe(true)
    expect(second.log.some(line => line.startsWith('::add-mask::demo'))).toBe(true)
    expect(second.log.some(line => line.startsWith('::set-output name=rolled-back::false'))).toBe(true)
  }, 120_000)

  it('a value is printed whole or not at all, in the log and the summary, and its line breaks obey nothing', async () => {
    const token = `ghp_${'Zq8vK2mX'.repeat(30)}` // 244 characters
    const setting = `region=eu;${'x'.repeat(234)}` // 244 characters, no secret in its name
    const notes = 'deployed by CI\n::set-output name=status::succeeded'
    const carriage = 'before\r::add-mask::demo'
    const flags = 'f'.repeat(300)
    const taskDefinition = {
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      containerDefinitions: [
        {
          name: 'web',
          image: `${REPO}:v1`,
          essential: true,
          // The service's load balancer sends traffic to web:8000; ECS refuses a revision without it.
          portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
          environment: [
            { name: 'NOTES', value: notes },
            { name: 'CARRIAGE', value: carriage },
            { name: 'FEATURE_FLAGS', value: flags },
            { name: 'DATABASE_URL', value: 'postgres://shop:hunter2@db.internal/shop' },
            { name: 'PLAIN', value: 'short and plain' }
          ]
        }
      ]
    }
    writeFileSync(join(dir, 'task-definition.json'), JSON.stringify(taskDefinition, null, 2))
    const run = await runOnSim(
      sim,
      {
        'task-definition': 'task-definition.json',
        image: `${REPO}:v2`,
        'environment-variables': `API_TOKEN=${token}\nLONG_SETTING=${setting}`,
        'dry-run': 'true'
      },
      { cwd: dir }
    )
    if (run.exitCode !== 0 || run.outputs.status !== 'dry-run') throw new Error(explain(run))

    const view = readAsRunner(run.stdout)
    expect(obeyed(view)).toEqual([])
    for (const text of [run.stdout, run.summary]) {
      // Not even a short prefix of a long value, or anything of a hidden one.
      for (const value of [token, setting, flags]) expect(text).not.toContain(value.slice(0, 16))
      expect(text).not.toContain('hunter2')
      expect(text).not.toContain('::set-output')
      expect(text).not.toContain('::add-mask::demo')
      expect(text).toContain('API_TOKEN=(hidden: the name looks like a secret)')
      expect(text).toContain(`LONG_SETTING=(244 chars, sha256:${sha(setting)})`)
      expect(text).toContain(`FEATURE_FLAGS=(300 chars, sha256:${sha(flags)})`)
      expect(text).toContain(`NOTES=(${notes.length} chars, sha256:${sha(notes)})`)
      expect(text).toContain(`CARRIAGE=(${carriage.length} chars, sha256:${sha(carriage)})`)
      expect(text).toContain('DATABASE_URL=(hidden: a URL with a password)')
      expect(text).toContain('PLAIN=short and plain')
    }
    expect((await sim.control.calls()).filter(c => c.mutating)).toEqual([])
  })

  it('every build-secrets value is masked before the build starts', async () => {
    // A builder that echoes the secret (as a RUN step that cats it would) and plants a command.
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    writeFileSync(
      join(bin, 'buildah'),
      [
        '#!/bin/sh',
        'case " $* " in',
        '  *" login "*) cat >/dev/null; echo "Login Succeeded!" ;;',
        '  *" bud "*)',
        '    echo "STEP 1/2: RUN --mount=type=secret,id=npm npm ci"',
        '    echo "npm token is $NPM_TOKEN"',
        '    echo "key line: $(printf %s "$SIGNING_KEY" | tail -n 1)" >&2',
        '    echo "::set-output name=image-digest::sha256:planted"',
        '    exit 1 ;;',
        'esac'
      ].join('\n')
    )
    chmodSync(join(bin, 'buildah'), 0o755)
    const npmToken = 'npm_0123456789abcdefSECRET'
    const signingKey = '-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----'
    const run = await runOnSim(
      sim,
      {
        'ecr-repository': 'web',
        builder: 'buildah',
        cache: 'none',
        'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
        'image-tag': 'hygiene-1',
        'build-secrets': 'npm=NPM_TOKEN\nkey=SIGNING_KEY'
      },
      { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, NPM_TOKEN: npmToken, SIGNING_KEY: signingKey } }
    )
    if (run.exitCode !== 1) throw new Error(explain(run))

    const view = readAsRunner(run.stdout)
    const maskedAt = (value: string) =>
      view.commands.find(c => c.name === 'add-mask' && c.data === value)?.line ?? Number.POSITIVE_INFINITY
    const lines = run.stdout.split(/\r\n|\r|\n/)
    const firstBuildLine = lines.findIndex(line => line.includes('STEP 1/2'))
    if (firstBuildLine < 0) throw new Error(explain(run))
    for (const value of [npmToken, signingKey, 'MIIEsecretline', '-----END KEY-----'])
      expect(maskedAt(value)).toBeLessThan(firstBuildLine)
    // What the log shows: the builder's echo masked; the planted command shown, not obeyed.
    expect(view.log).toContain('npm token is ***')
    expect(view.log).toContain('key line: ***')
    expect(view.log).toContain('::set-output name=image-digest::sha256:planted')
    expect(view.log.join('\n')).not.toContain(npmToken)
    expect(view.log.join('\n')).not.toContain('MIIEsecretline')
    expect(commandsBesidesGroups(view).filter(c => FOREIGN_ONLY.includes(c.name))).toEqual([])
  })

  it('task-definition and codedeploy-appspec outside the workspace are refused naming the input, and a parse error quotes no content', async () => {
    const SECRET = 'runner-credential-7c1e'
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'ecs-ship-outside-')))
    try {
      writeFileSync(join(outside, 'credentials'), `{"family": "web", "token": ${SECRET}}\n`)
      const workspace = join(dir, 'repo')
      mkdirSync(join(workspace, 'deploy'), { recursive: true })
      symlinkSync(join(outside, 'credentials'), join(workspace, 'deploy', 'task.json'))
      symlinkSync(join(outside, 'credentials'), join(workspace, 'appspec.yaml'))
      writeFileSync(join(workspace, 'bad.json'), `{\n  "family": "web",\n  "token": ${SECRET}\n}\n`)
      const act = (inputs: Record<string, string>) =>
        runOnSim(sim, { image: `${REPO}:v2`, ...inputs }, { cwd: workspace, runPost: false })
      const errorOf = (run: ActionRun) =>
        readAsRunner(run.stdout).commands.find(c => c.name === 'error')?.data ?? ''

      const link = await act({ 'task-definition': 'deploy/task.json' })
      expect(errorOf(link)).toMatch(
        /^input task-definition: deploy\/task\.json leads to .* outside the workspace/
      )
      const escape = await act({ 'task-definition': '../../etc/passwd' })
      expect(errorOf(escape)).toMatch(
        /^input task-definition: \.\.\/\.\.\/etc\/passwd is outside the workspace/
      )
      const bad = await act({ 'task-definition': 'bad.json' })
      expect(errorOf(bad)).toMatch(
        /^task-definition bad\.json: invalid JSON at line 3, column 12 \(unexpected text\)$/
      )
      // Nothing was asked of AWS: the files are read before any call.
      expect(await sim.control.calls()).toEqual([])

      await sim.control.reset()
      await sim.control.loadFixture('django-web-codedeploy')
      const appspec = await act({ 'codedeploy-appspec': 'appspec.yaml' })
      expect(errorOf(appspec)).toMatch(
        /^input codedeploy-appspec: appspec\.yaml leads to .* outside the workspace/
      )
      expect((await sim.control.calls()).filter(c => c.mutating)).toEqual([])

      for (const run of [link, escape, bad, appspec]) {
        if (run.exitCode !== 1) throw new Error(explain(run))
        expect(run.stdout + run.stderr + run.summary).not.toContain(SECRET)
      }
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})
