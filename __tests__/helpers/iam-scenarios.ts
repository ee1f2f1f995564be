// Every mode of the action as the end-to-end IAM tests run it, each under the example role for
// that mode (examples/django-fargate/iam/), each on its own simulator so that they run side by
// side. A scenario throws when a run does not end as it should (with the run's log); the call log
// it leaves holds every IAM check and the statements that allowed it.
import { join } from 'node:path'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO_ROOT } from '../../scripts/lib/run-action.js'
import type { RunningRegistry } from '../../scripts/lib/registry.js'
import {
  ACCOUNT,
  expectExit,
  PREVIEW_LISTENER,
  PREVIEW_REPO,
  REGION,
  WEB_REPO,
  type ExampleRole,
  type ExampleSim
} from './example-roles.js'

export interface Scenario {
  readonly name: string
  readonly fixture: string
  /** The role of the first run; a scenario may switch (a rollback after a deploy). */
  readonly role: ExampleRole
  /** Needs buildah and a registry behind the simulator's ECR. */
  readonly build?: boolean
  /** The simulator's time scale, when not the usual 1/20. */
  readonly timeScale?: number
  play(sim: ExampleSim, registry?: RunningRegistry): Promise<readonly ActionRun[]>
}

export const TD = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`

const MIGRATE = 'python manage.py migrate --no-input'
const EXAMPLE_TD = 'examples/django-fargate/task-definition.json'
const PREVIEW_TD = 'examples/django-fargate/task-definition.preview.json'
const CRASH = { kind: 'exit', exitCode: 3, afterSeconds: 1, logLines: ['ImproperlyConfigured'] } as const

function expectOutput(run: ActionRun, name: string, value: string): void {
  if (run.outputs[name] !== value)
    throw new Error(
      `expected output ${name} = ${value}, got ${run.outputs[name]}\n${run.stdout}\n${run.stderr}`
    )
}

/** A run sending SIGINT (as the runner does on cancel) at the first line that matches. */
async function cancelledAt(
  sim: ExampleSim,
  when: RegExp,
  inputs: Record<string, string>
): Promise<ActionRun> {
  let pid: number | undefined
  let signalled = false
  const run = await sim.run(inputs, {
    onSpawn: p => (pid = p),
    onLine: line => {
      if (!signalled && pid !== undefined && when.test(line)) {
        signalled = true
        process.kill(pid, 'SIGINT')
      }
    }
  })
  if (!signalled) throw new Error(`the run never printed ${when}:\n${run.stdout}`)
  expectExit(run, 1, 'cancelled')
  return run
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'deploy: build and push, the example task definition, migrate (rolling)',
    fixture: 'django-fargate',
    role: 'deploy',
    build: true,
    async play(sim, registry) {
      const inputs = {
        'task-definition': EXAMPLE_TD,
        'ecr-repository': 'web',
        builder: 'buildah',
        cache: 'none',
        'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
        'image-tag': 'e2e-1',
        'skip-build-if-exists': 'true',
        'migrate-command': MIGRATE
      }
      const env = registry?.buildahEnv ?? {}
      const first = await sim.run(inputs, { env, timeoutMs: 240_000 })
      expectExit(first, 0, 'succeeded')
      expectOutput(first, 'image-built', 'true')
      // The same commit again: the tag is there, nothing is built.
      const again = await sim.run(inputs, { env, timeoutMs: 240_000 })
      expectExit(again, 0)
      expectOutput(again, 'image-built', 'false')
      return [first, again]
    }
  },
  {
    name: 'deploy: an image, migrate cancelled, then the re-run recovers (rolling)',
    fixture: 'django-fargate',
    role: 'deploy',
    async play(sim) {
      await sim.sim.control.setBehaviours({
        commands: { [MIGRATE]: { exitCode: 0, runSeconds: 60, logLines: ['Operations to perform:'] } }
      })
      const inputs = { 'task-definition': EXAMPLE_TD, image: `${WEB_REPO}:v2`, 'migrate-command': MIGRATE }
      const cancelled = await cancelledAt(sim, /Operations to perform/, inputs)
      await sim.sim.control.setBehaviours({})
      const rerun = await sim.run(inputs)
      expectExit(rerun, 0)
      return [cancelled, rerun]
    }
  },
  {
    name: 'deploy: cancelled while rolling out, then the re-run follows the deployment to its end (rolling)',
    fixture: 'django-fargate',
    role: 'deploy',
    // Slower time and a slow start keep the rollout in flight until the re-run begins.
    timeScale: 0.15,
    async play(sim) {
      await sim.sim.control.setBehaviours({
        images: { [`${WEB_REPO}:v2`]: { kind: 'healthy', startSeconds: 20 } }
      })
      const inputs = { image: `${WEB_REPO}:v2` }
      const cancelled = await cancelledAt(sim, /^UpdateService:/, inputs)
      // The re-run waits for the deployment the cancelled run started, then finds it done.
      const rerun = await sim.run(inputs)
      expectExit(rerun, 0, 'unchanged')
      expectOutput(rerun, 'task-definition-arn', TD('web', 2))
      if (!/in flight .*waiting for it to settle/.test(rerun.stdout))
        throw new Error(`the re-run did not wait for the deployment in flight:\n${rerun.stdout}`)
      return [cancelled, rerun]
    }
  },
  {
    name: 'deploy: a migration past migrate-timeout-minutes is stopped (a real minute)',
    fixture: 'django-fargate',
    role: 'deploy',
    async play(sim) {
      // 20 000 s at the time scale of 1/20: far longer than the one-minute timeout.
      await sim.sim.control.setBehaviours({
        commands: { [MIGRATE]: { exitCode: 0, runSeconds: 20_000, logLines: ['Running migrations:'] } }
      })
      const run = await sim.run(
        {
          'task-definition': EXAMPLE_TD,
          image: `${WEB_REPO}:v2`,
          'migrate-command': MIGRATE,
          'migrate-timeout-minutes': '1'
        },
        { timeoutMs: 150_000 }
      )
      expectExit(run, 1)
      if (!/migrate-timeout-minutes \(1\) reached: stopping task \S+ \(StopTask\)/.test(run.stdout))
        throw new Error(`the migration was not stopped:\n${run.stdout}`)
      return [run]
    }
  },
  {
    name: 'deploy: ECS-native blue/green, and a failing green rolled back',
    fixture: 'django-fargate-bluegreen',
    role: 'deploy',
    async play(sim) {
      const good = await sim.run({ image: `${WEB_REPO}:v2` })
      expectExit(good, 0, 'succeeded')
      await sim.sim.control.setBehaviours({ images: { [`${WEB_REPO}:crash`]: CRASH } })
      const bad = await sim.run({ image: `${WEB_REPO}:crash` })
      expectExit(bad, 1, 'rolled-back')
      return [good, bad]
    }
  },
  {
    name: 'deploy: CodeDeploy blue/green, and a failing replacement stopped and rolled back',
    fixture: 'django-fargate-codedeploy',
    role: 'deploy',
    async play(sim) {
      const good = await sim.run({ image: `${WEB_REPO}:v2` })
      expectExit(good, 0, 'succeeded')
      await sim.sim.control.setBehaviours({ images: { [`${WEB_REPO}:crash`]: CRASH } })
      const bad = await sim.run({ image: `${WEB_REPO}:crash` })
      expectExit(bad, 1, 'rolled-back')
      return [good, bad]
    }
  },
  {
    name: 'rollback: previous, a number, an ARN, a tag that ran and a tag that did not (rolling)',
    fixture: 'django-fargate',
    role: 'deploy',
    async play(sim) {
      const deployed = await sim.run({ image: `${WEB_REPO}:v2` })
      expectExit(deployed, 0, 'succeeded')
      await sim.actAs('rollback')
      const runs: ActionRun[] = [deployed]
      const steps: [Record<string, string>, string][] = [
        [{}, TD('web', 1)],
        [{ 'rollback-to': '2' }, TD('web', 2)],
        [{ 'rollback-to': TD('web', 1) }, TD('web', 1)],
        [{ 'rollback-to': 'v2' }, TD('web', 2)],
        [{ 'rollback-to': 'v0' }, TD('web', 3)]
      ]
      for (const [inputs, revision] of steps) {
        const run = await sim.run({ mode: 'rollback', ...inputs })
        expectExit(run, 0, 'succeeded')
        expectOutput(run, 'task-definition-arn', revision)
        runs.push(run)
      }
      return runs
    }
  },
  {
    name: 'rollback: previous on ECS-native blue/green',
    fixture: 'django-fargate-bluegreen',
    role: 'deploy',
    async play(sim) {
      const deployed = await sim.run({ image: `${WEB_REPO}:v2` })
      expectExit(deployed, 0, 'succeeded')
      await sim.actAs('rollback')
      const back = await sim.run({ mode: 'rollback' })
      expectExit(back, 0, 'succeeded')
      expectOutput(back, 'task-definition-arn', TD('web', 1))
      return [deployed, back]
    }
  },
  {
    name: 'rollback: previous on CodeDeploy',
    fixture: 'django-fargate-codedeploy',
    role: 'deploy',
    async play(sim) {
      const deployed = await sim.run({ image: `${WEB_REPO}:v2` })
      expectExit(deployed, 0, 'succeeded')
      await sim.actAs('rollback')
      const back = await sim.run({ mode: 'rollback' })
      expectExit(back, 0, 'succeeded')
      expectOutput(back, 'task-definition-arn', TD('web', 1))
      return [deployed, back]
    }
  },
  {
    name: 'promote: an ECS-native deployment at its pause hook, approved; a second promote checks health',
    fixture: 'django-fargate-bluegreen-pause',
    role: 'deploy',
    async play(sim) {
      const ready = await sim.run({ image: `${WEB_REPO}:v2`, 'wait-until': 'ready' })
      expectExit(ready, 0, 'ready')
      await sim.actAs('promote')
      const promote = await sim.run({ mode: 'promote' })
      expectExit(promote, 0, 'succeeded')
      expectOutput(promote, 'task-definition-arn', TD('web', 2))
      const again = await sim.run({ mode: 'promote', 'deployment-id': ready.outputs['deployment-id'] ?? '' })
      expectExit(again, 0, 'unchanged')
      return [ready, promote, again]
    }
  },
  {
    name: 'abort: an ECS-native deployment at its pause hook, rolled back',
    fixture: 'django-fargate-bluegreen-pause',
    role: 'deploy',
    async play(sim) {
      const ready = await sim.run({ image: `${WEB_REPO}:v2`, 'wait-until': 'ready' })
      expectExit(ready, 0, 'ready')
      await sim.actAs('abort')
      const abort = await sim.run({ mode: 'abort' })
      expectExit(abort, 0, 'aborted')
      expectOutput(abort, 'task-definition-arn', TD('web', 1))
      return [ready, abort]
    }
  },
  {
    name: 'promote: a CodeDeploy deployment at Ready, approved',
    fixture: 'django-fargate-codedeploy-ready',
    role: 'deploy',
    async play(sim) {
      const ready = await sim.run({ image: `${WEB_REPO}:v2`, 'wait-until': 'ready' })
      expectExit(ready, 0, 'ready')
      await sim.actAs('promote')
      // Without deployment-id: the waiting deployment is found in the group (ListDeployments).
      const promote = await sim.run({ mode: 'promote' })
      expectExit(promote, 0, 'succeeded')
      return [ready, promote]
    }
  },
  {
    name: 'abort: a CodeDeploy deployment at Ready, stopped and rolled back',
    fixture: 'django-fargate-codedeploy-ready',
    role: 'deploy',
    async play(sim) {
      const ready = await sim.run({ image: `${WEB_REPO}:v2`, 'wait-until': 'ready' })
      expectExit(ready, 0, 'ready')
      await sim.actAs('abort')
      const abort = await sim.run({ mode: 'abort' })
      expectExit(abort, 0, 'aborted')
      return [ready, abort]
    }
  },
  {
    name: 'preview: first push (built and pushed to web-preview), second push, and preview-destroy',
    fixture: 'django-fargate',
    role: 'preview',
    build: true,
    async play(sim, registry) {
      const preview = {
        mode: 'preview',
        service: 'web-staging',
        'preview-id': '7',
        'listener-arn': PREVIEW_LISTENER,
        'preview-host': 'pr-{id}.preview.example.com',
        'task-definition': PREVIEW_TD
      }
      const build = {
        'ecr-repository': 'web-preview',
        builder: 'buildah',
        cache: 'none',
        'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
        'skip-build-if-exists': 'true'
      }
      const env = registry?.buildahEnv ?? {}
      const first = await sim.run(
        { ...preview, ...build, 'image-tag': 'pr-7-a' },
        { env, timeoutMs: 240_000 }
      )
      expectExit(first, 0, 'succeeded')
      expectOutput(first, 'image-built', 'true')
      expectOutput(first, 'task-definition-arn', TD('web-staging-pr-7', 1))
      const second = await sim.run({ ...preview, image: `${PREVIEW_REPO}:pr-base` })
      expectExit(second, 0, 'succeeded')
      expectOutput(second, 'task-definition-arn', TD('web-staging-pr-7', 2))
      const destroyed = await sim.run({
        mode: 'preview-destroy',
        service: 'web-staging',
        'preview-id': '7',
        'listener-arn': PREVIEW_LISTENER
      })
      expectExit(destroyed, 0, 'succeeded')
      return [first, second, destroyed]
    }
  }
]
