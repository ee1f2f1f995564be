// A real OCI registry on 127.0.0.1 for the build-and-push tests and the demo: Debian's
// docker-registry (the CNCF distribution registry) with its storage in a throwaway directory,
// plus the environment that points buildah's own storage and login file at that directory too,
// so a run leaves nothing behind on the machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The Debian packages the build-and-push path needs. */
export const BUILD_PACKAGES = 'buildah docker-registry'

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>`, for the simulator's ECR and for HTTP checks. */
  readonly url: string
  /** `127.0.0.1:<port>`, as image references name it. */
  readonly host: string
  /** Environment for the action's buildah: storage and login file under the throwaway directory. */
  readonly buildahEnv: Record<string, string>
  stop(): Promise<void>
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

export function registryAvailable(): boolean {
  return onPath('buildah') && onPath('docker-registry')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

const READY_ATTEMPTS = 100
const READY_INTERVAL_MS = 100

async function waitUntilServing(
  url: string,
  child: ChildProcess,
  log: () => string,
  spawnError: () => Error | undefined
): Promise<void> {
  for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
    const failed = spawnError()
    if (failed) throw new Error(`docker-registry could not be started: ${failed.message}`)
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log()}`)
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, READY_INTERVAL_MS))
  }
  throw new Error(`docker-registry did not answer on ${url} within ${(READY_ATTEMPTS * READY_INTERVAL_MS) / 1000} s:\n${log()}`)
}

export async function startRegistry(): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const url = `http://${host}`

  const configFile = join(dir, 'registry.yml')
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      ''
    ].join('\n')
  )
  // vfs storage works for root and non-root alike, without fuse-overlayfs.
  const storageConf = join(dir, 'storage.conf')
  writeFileSync(
    storageConf,
    [
      '[storage]',
      'driver = "vfs"',
      `graphroot = "${join(dir, 'buildah', 'graph')}"`,
      `runroot = "${join(dir, 'buildah', 'run')}"`,
      ''
    ].join('\n')
  )

  let output = ''
  let spawnError: Error | undefined
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  // Not installed, not executable: an 'error' event instead of a process (and no 'exit').
  child.once('error', error => (spawnError = error))
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))

  const stop = async (): Promise<void> => {
    if (!spawnError && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await waitUntilServing(
      url,
      child,
      () => output,
      () => spawnError
    )
  } catch (error) {
    await stop()
    throw error
  }

  return {
    url,
    host,
    buildahEnv: {
      CONTAINERS_STORAGE_CONF: storageConf,
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      BUILDAH_ISOLATION: 'chroot'
    },
    stop
  }
}
