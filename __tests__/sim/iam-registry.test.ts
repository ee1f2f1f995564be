// With registryProxy the simulator answers the registry API in front of the real registry
// (Debian's docker-registry): each request is logged and authorized as the ECR action it stands
// for; a denied upload answers 403 DENIED as ECR does.
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import type { RunningSimulator } from '../../sim/contract.js'
import { exampleIdentity } from '../../sim/iam/permissions.js'
import { startSimulator } from '../../sim/index.js'
import {
  BUILD_PACKAGES,
  registryAvailable,
  startRegistry,
  type RunningRegistry
} from '../../scripts/lib/registry.js'

const available = registryAvailable()
if (!available) console.warn(`skipping the registry proxy tests: install ${BUILD_PACKAGES}`)
const describeWithRegistry = available ? describe : describe.skip

describeWithRegistry('the registry API through the simulator', () => {
  let registry: RunningRegistry
  let sim: RunningSimulator

  beforeAll(async () => {
    registry = await startRegistry()
    sim = await startSimulator({
      fixture: 'django-fargate',
      region: 'eu-west-1',
      timeScale: 0.05,
      registryUrl: registry.url,
      registryProxy: true
    })
  })
  afterAll(async () => {
    await sim?.close()
    await registry?.stop()
  })

  const auth = { authorization: `Basic ${Buffer.from('AWS:x').toString('base64')}` }

  it('names the simulator as the registry, and forwards what the role may do', async () => {
    const ecr = new ECRClient({
      region: 'eu-west-1',
      endpoint: sim.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
    })
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['web'] }))
    expect(repositories?.[0]?.repositoryUri).toBe(`127.0.0.1:${sim.port}/web`)
    ecr.destroy()
    await sim.control.setIdentity(exampleIdentity('deploy'))
    const upload = await fetch(`${sim.url}/v2/web/blobs/uploads/`, { method: 'POST', headers: auth })
    expect(upload.status).toBe(202)
    // The next request of the upload comes back through the simulator.
    expect(upload.headers.get('location')).toMatch(new RegExp(`^${sim.url}/v2/web/blobs/uploads/`))
    const [call] = (await sim.control.calls()).filter(c => c.service === 'registry')
    expect(call).toMatchObject({
      operation: 'InitiateLayerUpload',
      authorization: {
        allowed: true,
        checks: [{ action: 'ecr:InitiateLayerUpload', allowedBy: ['ecs-ship-deploy:ImagePushAndCache'] }]
      }
    })
  })

  it('denies a push the role may not make, as ECR does', async () => {
    await sim.control.setIdentity(exampleIdentity('preview'))
    const denied = await fetch(`${sim.url}/v2/web/blobs/uploads/`, { method: 'POST', headers: auth })
    expect(denied.status).toBe(403)
    const body = (await denied.json()) as { errors: { code: string; message: string }[] }
    expect(body.errors[0]?.code).toBe('DENIED')
    expect(body.errors[0]?.message).toMatch(
      /assumed-role\/ecs-ship-preview\/ecs-ship is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository\/web because/
    )
    expect((await sim.control.calls()).at(-1)).toMatchObject({ service: 'registry', error: 'DENIED' })
  })
})
