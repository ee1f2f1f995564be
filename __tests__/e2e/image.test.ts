// End to end with real parts: buildah builds a FROM scratch image and pushes it to a real OCI
// registry (Debian's docker-registry) that stands behind the simulator's ECR; the bundled action
// deploys it by digest; a second run with the same tag reuses the image instead of building.
import { join } from 'node:path'
import { startSimulator } from '../../sim/index.js'
import type { RunningSimulator } from '../../sim/contract.js'
import { REPO_ROOT, runAction, type ActionRun } from '../../scripts/lib/run-action.js'
import {
  BUILD_PACKAGES,
  registryAvailable,
  startRegistry,
  type RunningRegistry
} from '../../scripts/lib/registry.js'

const available = registryAvailable()
if (!available) {
  console.warn(`skipping the build-and-push tests: install the Debian packages ${BUILD_PACKAGES}`)
}
const describeWithRegistry = available ? describe : describe.skip

describeWithRegistry('build, push and deploy by digest (buildah + docker-registry)', () => {
  let registry: RunningRegistry
  let sim: RunningSimulator

  beforeAll(async () => {
    registry = await startRegistry()
    sim = await startSimulator({ fixture: 'django-web', timeScale: 0.05, registryUrl: registry.url })
  })

  afterAll(async () => {
    await sim?.close()
    await registry?.stop()
  })

  function deploy(tag: string): Promise<ActionRun> {
    return runAction({
      inputs: {
        cluster: 'demo',
        service: 'web',
        'ecr-repository': 'web',
        builder: 'buildah',
        cache: 'none',
        'build-context': join(REPO_ROOT, '__fixtures__/image/context'),
        'image-tag': tag,
        'wait-for-minutes': '5'
      },
      env: {
        AWS_ENDPOINT_URL: sim.url,
        ECS_SHIP_POLL_MIN_MS: '100',
        ECS_SHIP_POLL_MAX_MS: '500',
        ...registry.buildahEnv
      },
      timeoutMs: 240_000
    })
  }

  it('builds and pushes, deploys the pushed digest, and skips the build when the tag exists', async () => {
    const first = await deploy('e2e-1')
    if (first.exitCode !== 0) throw new Error(`first run failed:\n${first.stdout}\n${first.stderr}`)
    expect(first.outputs['image-built']).toBe('true')
    expect(first.outputs['image-digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(first.outputs['image-uri']).toBe(`${registry.host}/web@${first.outputs['image-digest']}`)
    expect(first.outputs['image-tag']).toBe('e2e-1')

    // What the registry holds under the tag is exactly the digest the service now runs.
    const head = await fetch(`${registry.url}/v2/web/manifests/e2e-1`, {
      method: 'HEAD',
      headers: {
        Accept:
          'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
      }
    })
    expect(head.headers.get('docker-content-digest')).toBe(first.outputs['image-digest'])
    const state = await sim.control.state()
    const running = (
      state.tasks as { lastStatus?: string; desiredStatus?: string; containers?: { image?: string }[] }[]
    ).filter(t => t.desiredStatus === 'RUNNING' && t.containers?.[0]?.image === first.outputs['image-uri'])
    expect(running).toHaveLength(2)

    // The password never reaches the log: it is masked before anything prints.
    expect(first.stdout).toContain('::add-mask::')

    const second = await deploy('e2e-1')
    if (second.exitCode !== 0) throw new Error(`second run failed:\n${second.stdout}\n${second.stderr}`)
    expect(second.outputs['image-built']).toBe('false')
    expect(second.outputs['image-digest']).toBe(first.outputs['image-digest'])
    expect(second.outputs.status).toBe('unchanged')
  })
})
