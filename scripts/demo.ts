// `npm run demo`: a whole deploy on the local AWS simulator, with nothing to configure.
// Starts the simulator with the Django-on-Fargate fixture (whose `python manage.py migrate` prints
// what Django prints); when buildah and Debian's docker-registry are installed, builds a tiny
// image and pushes it through the simulator's ECR; then runs the bundled action exactly as a
// workflow step would (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), migrate task included, and
// prints the job summary. Leaves nothing running, also when interrupted or when a server fails.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type RunningSimulator } from '../sim/index.js'
import { bundledEntry, REPO_ROOT, runAction } from './lib/run-action.js'
import { registryAvailable, startRegistry, type RunningRegistry } from './lib/registry.js'

const TIME_SCALE = Number(process.env.DEMO_TIME_SCALE ?? 0.25)
// django-web (rolling), django-web-bluegreen / -linear / -canary (ECS-native), django-web-codedeploy.
const FIXTURE = process.env.DEMO_FIXTURE ?? 'django-web'

function banner(text: string): void {
  console.log(`\n\x1b[1m== ${text}\x1b[0m`)
}

async function main(): Promise<number> {
  const entry = bundledEntry()
  if (!existsSync(entry)) {
    console.error(`${entry} does not exist: build the action first with \`npm run bundle\`.`)
    return 1
  }
  let registry: RunningRegistry | undefined
  let sim: RunningSimulator | undefined
  let cleaning: Promise<void> | undefined
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await sim?.close()
      await registry?.stop()
    })())
  // Ctrl-C: stop both servers (the action's process gets the signal from the terminal too).
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the simulator and the registry`)
    void cleanUp().then(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const canBuild = registryAvailable()
    if (canBuild) {
      banner('Starting a local OCI registry (docker-registry) behind the simulated ECR')
      registry = await startRegistry()
    }
    sim = await startSimulator({ fixture: FIXTURE, timeScale: TIME_SCALE, registryUrl: registry?.url })
    banner(
      `AWS simulator on ${sim.url} (time scale ${TIME_SCALE}, fixture ${FIXTURE}): cluster demo, service web, 2 tasks behind an ALB`
    )

    const imageInputs: Record<string, string> = canBuild
      ? {
          'ecr-repository': 'web',
          builder: 'buildah',
          'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
          cache: 'none'
        }
      : { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2' }
    if (!canBuild) {
      console.log(
        'buildah or docker-registry is not installed (Debian packages `buildah` and `docker-registry`):\n' +
          'deploying an image that is already in the registry instead of building one.'
      )
    }

    banner('Running the action (dist/index.js) as a workflow step would')
    const run = await runAction({
      inputs: {
        cluster: 'demo',
        service: 'web',
        ...imageInputs,
        'image-tag': 'demo-1',
        'environment-variables': 'RELEASE=demo-1',
        'migrate-command': 'python manage.py migrate --no-input'
      },
      env: {
        AWS_ENDPOINT_URL: sim.url,
        // buildah's own settings: build storage in a throwaway place, so the demo leaves nothing behind.
        ...(registry ? registry.buildahEnv : {})
      },
      entry,
      echo: true,
      timeoutMs: 5 * 60_000
    })

    banner('Job summary')
    console.log(run.summary)
    banner('Outputs')
    for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`)
    return run.exitCode ?? 1
  } finally {
    await cleanUp()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

process.exitCode = await main()
