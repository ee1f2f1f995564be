// Runs the bundled action (dist/index.js) as a process, the way the GitHub runner does:
// inputs as INPUT_<NAME> (uppercased, hyphens kept) with action.yml's defaults applied first,
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files that exist beforehand, then the post
// step with the state the main step saved. Used by the end-to-end tests, the demo and the bench.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')

/** dist/index.js, or the bundle ECS_SHIP_ENTRY names (a bundle built elsewhere, to try a change). */
export function bundledEntry(): string {
  return process.env.ECS_SHIP_ENTRY || join(REPO_ROOT, 'dist/index.js')
}

export interface ActionRun {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly summary: string
  /** Output of the post step (empty when it was not run). */
  readonly postStdout: string
}

export interface RunActionOptions {
  /** Inputs by their action.yml names; unset ones get action.yml's defaults. */
  readonly inputs: Record<string, string>
  /** Extra environment (AWS_ENDPOINT_URL, credentials, GITHUB_SHA …). */
  readonly env?: Record<string, string>
  readonly entry?: string
  /** The action.yml whose defaults apply: another action's, when entry is that action's bundle. */
  readonly actionYml?: string
  readonly cwd?: string
  /** Kill the main step after this long (a bound, never a test assertion). Default 5 minutes. */
  readonly timeoutMs?: number
  /** Print the action's stdout as it runs (the demo does). */
  readonly echo?: boolean
  readonly runPost?: boolean
  /** Called once the process has started, e.g. to send it a signal. */
  readonly onSpawn?: (pid: number) => void
  /** Called for every line the main step prints, with the time it arrived (the bench uses it). */
  readonly onLine?: (line: string, atEpochMs: number) => void
}

interface ActionYaml {
  inputs: Record<string, { default?: string; required?: boolean }>
}

/** The defaults an action.yml declares (ours unless another action's file is named). */
export function actionDefaults(actionYml = join(REPO_ROOT, 'action.yml')): Record<string, string> {
  const doc = parseYaml(readFileSync(actionYml, 'utf8')) as ActionYaml
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(doc.inputs)) {
    // The runner evaluates expressions in defaults; ${{ github.token }} becomes a token.
    const value = spec.default ?? ''
    defaults[name] = value.includes('${{') ? 'ghs_localtesttoken' : value
  }
  return defaults
}

/** Parses the GITHUB_OUTPUT / GITHUB_STATE file format (`name<<DELIM\nvalue\nDELIM`). */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
      result[name as string] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      result[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return result
}

function runNode(
  entry: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
  echo: boolean,
  onSpawn?: (pid: number) => void,
  onLine?: (line: string, atEpochMs: number) => void
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [entry], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let partial = ''
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      stdout += text
      if (echo) process.stdout.write(chunk)
      if (onLine) {
        const lines = (partial + text).split('\n')
        partial = lines.pop() ?? ''
        const at = Date.now()
        for (const line of lines) onLine(line, at)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (echo) process.stderr.write(chunk)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('spawn', () => child.pid !== undefined && onSpawn?.(child.pid))
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, stdout, stderr })
    })
  })
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-run-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const inputs = { ...actionDefaults(options.actionYml), ...options.inputs }
  const inputEnv: Record<string, string> = {}
  for (const [name, value] of Object.entries(inputs)) inputEnv[`INPUT_${name.toUpperCase()}`] = value

  // Start from a clean environment: a developer's own AWS or GitHub settings must not leak in.
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.cwd ?? REPO_ROOT,
    GITHUB_REPOSITORY: 'acme/webapp',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALSIMULATOR',
    AWS_SECRET_ACCESS_KEY: 'local-simulator-secret',
    AWS_REGION: 'us-east-1',
    ...files
  }
  const env = { ...baseEnv, ...options.env, ...inputEnv }
  const entry = options.entry ?? bundledEntry()
  const cwd = options.cwd ?? REPO_ROOT
  try {
    const main = await runNode(entry, env, cwd, options.timeoutMs ?? 300_000, options.echo ?? false, options.onSpawn, options.onLine)
    let postStdout = ''
    if (options.runPost ?? true) {
      const state = parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8'))
      const stateEnv: Record<string, string> = {}
      for (const [k, v] of Object.entries(state)) stateEnv[`STATE_${k}`] = v
      const post = await runNode(entry, { ...env, ...stateEnv }, cwd, 60_000, options.echo ?? false)
      postStdout = post.stdout + post.stderr
    }
    return {
      exitCode: main.code,
      signal: main.signal,
      stdout: main.stdout,
      stderr: main.stderr,
      outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      postStdout
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
