import { readFileSync } from 'node:fs'
import { DescribeServicesCommand } from '@aws-sdk/client-ecs'
import { createAwsClients } from '../../src/aws/clients.js'
import { ACTION_NAME, ACTION_VERSION } from '../../src/version.js'

describe('AWS clients', () => {
  const saved = { ...process.env }
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'secret'
    delete process.env.AWS_ENDPOINT_URL
  })
  afterAll(() => {
    process.env = saved
  })

  it('the user agent names the action and the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      name: string
      version: string
    }
    expect([ACTION_NAME, ACTION_VERSION]).toEqual([pkg.name, pkg.version])
  })

  it('every client gets the region, standard retries and our user agent on the wire', async () => {
    const clients = createAwsClients('eu-west-1')
    const ecs = await clients.ecs()
    expect(await ecs.config.region()).toBe('eu-west-1')
    expect(await ecs.config.retryStrategy()).toMatchObject({ mode: 'standard' })

    // Stop the request after it is signed, before it leaves, and look at it.
    let sent: { hostname?: string; headers?: Record<string, string> } | undefined
    ecs.middlewareStack.add(
      () => async args => {
        sent = args.request as typeof sent
        throw new Error('stopped before sending')
      },
      { step: 'finalizeRequest', priority: 'low' }
    )
    await expect(ecs.send(new DescribeServicesCommand({ services: ['web'] }))).rejects.toThrow(
      'stopped before sending'
    )
    expect(sent?.hostname).toBe('ecs.eu-west-1.amazonaws.com')
    expect(sent?.headers?.['user-agent'] ?? sent?.headers?.['x-amz-user-agent']).toBeDefined()
    const agents = `${sent?.headers?.['user-agent'] ?? ''} ${sent?.headers?.['x-amz-user-agent'] ?? ''}`
    expect(agents).toContain(`${ACTION_NAME}/${ACTION_VERSION}`)
  })

  it('builds each client once, on first use', async () => {
    const clients = createAwsClients('us-east-1')
    expect(await clients.elb()).toBe(await clients.elb())
  })
})
