// End to end with real parts: buildah builds a FROM scratch image and pushes it to a real OCI
// registry (Debian's docker-registry) that stands behind the simulator's ECR; the bundled action
// deploys it by digest; a second run with the same tag reuses the image instead of building.
import { join } from 'node:path'
import { ECR_PASSWORD } from '../../sim/api/ecr.js'
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

    // The ECR password (the simulator's GetAuthorizationToken hands out a known one) is masked
    // before the login runs, and appears nowhere else: not in the login's command line, not in
    // any other line, not on stderr. The runner replaces masked values in the log with ***.
    const lines = first.stdout.split('\n').map(line => line.trimEnd())
    const token = Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64')
    const maskAt = lines.indexOf(`::add-mask::${ECR_PASSWORD}`)
    const loginAt = lines.findIndex(line => /^\[command\]\S*buildah login /.test(line))
    expect(maskAt).toBeGreaterThanOrEqual(0)
    expect(loginAt).toBeGreaterThan(maskAt)
    expect(lines).toContain(`::add-mask::${token}`)
    expect(lines.filter(line => line.includes(ECR_PASSWORD))).toEqual([`::add-mask::${ECR_PASSWORD}`])
    expect(lines.filter(line => line.includes(token))).toEqual([`::add-mask::${token}`])
    expect(first.stderr).not.toContain(ECR_PASSWORD)

    // The post step logs buildah out of the registry it logged in to, and warns about nothing.
    const postLines = first.postStdout.split('\n').map(line => line.trimEnd())
    expect(postLines.filter(line => /^\[command\]\S*buildah logout /.test(line))).toEqual([
      expect.stringMatching(new RegExp(`buildah logout ${registry.host.replace(/\./g, '\\.')}$`))
    ])
    expect(first.postStdout).toContain(`Removed login credentials for ${registry.host}`)
    expect(first.postStdout).not.toContain('::warning')

    const second = await deploy('e2e-1')
    if (second.exitCode !== 0) throw new Error(`second run failed:\n${second.stdout}\n${second.stderr}`)
    expect(second.outputs['image-built']).toBe('false')
    expect(second.outputs['image-digest']).toBe(first.outputs['image-digest'])
    expect(second.outputs.status).toBe('unchanged')

    // The skip is said in the log and in the job summary; nothing was built, logged in or out.
    expect(second.stdout).toContain(
      `${registry.host}/web:e2e-1 is already in ECR (${first.outputs['image-digest']}); skip-build-if-exists is on, so nothing is built`
    )
    expect(second.stdout).not.toMatch(/buildah (login|bud|push) /)
    expect(second.stdout).not.toContain(ECR_PASSWORD)
    expect(second.summary).toContain(first.outputs['image-uri'])
    expect(second.summary).toMatch(/\| built \| no\b[^|\n]*already existed/)
    expect(second.postStdout).not.toContain('logout')
  })
})
