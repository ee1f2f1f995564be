// The one way this action runs a process. Every command (docker, buildah, their login and logout)
// goes through an Exec, so tests hand a fake one in and assert on argv, and the real one is a
// thin layer over @actions/exec that never throws on a non-zero exit: callers decide what an
// exit code means, because for some commands (logout) a failure is only a warning. What a process
// prints (a build's RUN steps, a base image's scripts) is not ours: it reaches the job log through
// ForeignOutput, so the runner never obeys it as a workflow command.
import * as actionsExec from '@actions/exec'
import { ActionError } from '../errors.js'
import { ForeignOutput, printForeign } from '../report/foreign.js'

export interface ExecOptions {
  /** Written to the process's stdin (passwords go here, never on the command line). */
  readonly input?: string
  /** Added to (not replacing) the action's own environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  /** Do not echo the command or stream its output to the log. */
  readonly silent?: boolean
}

export interface ExecResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface Exec {
  run(command: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>
}

function mergedEnv(extra: ExecOptions['env']): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...process.env, ...extra })) {
    if (value !== undefined) env[name] = value
  }
  return env
}

/** The real Exec: streams output to the job log (inert) unless `silent`, and captures it. */
export function createExec(): Exec {
  return {
    async run(command, args, options = {}) {
      const silent = options.silent ?? false
      // One stream each for stdout and stderr, so that a line one of them leaves unfinished is
      // never joined to the other's. @actions/exec is told to be silent: the lines go through here.
      const streams = silent ? undefined : { out: new ForeignOutput(), err: new ForeignOutput() }
      if (streams) printForeign(`[command]${[command, ...args].join(' ')}`)
      try {
        const result = await actionsExec.getExecOutput(command, [...args], {
          ignoreReturnCode: true,
          silent: true,
          ...(streams !== undefined && {
            listeners: {
              stdout: (data: Buffer) => streams.out.write(data),
              stderr: (data: Buffer) => streams.err.write(data)
            }
          }),
          ...(options.input !== undefined && { input: Buffer.from(options.input) }),
          ...(options.env !== undefined && { env: mergedEnv(options.env) }),
          ...(options.cwd !== undefined && { cwd: options.cwd })
        })
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
      } catch (error) {
        // Only a process that could not start lands here (not installed, not executable).
        const detail = error instanceof Error ? error.message : String(error)
        throw new ActionError(`could not run \`${command}\`: ${detail}`)
      } finally {
        streams?.out.flush()
        streams?.err.flush()
      }
    }
  }
}

export interface ExecCall {
  readonly command: string
  readonly args: readonly string[]
  readonly options: ExecOptions
}

export type FakeResponder = (call: ExecCall) => Partial<ExecResult> | Promise<Partial<ExecResult>>

/**
 * An Exec for tests: records every call and answers with what `respond` returns (exit 0 and no
 * output for anything it leaves out).
 */
export function fakeExec(respond: FakeResponder = () => ({})): Exec & { readonly calls: ExecCall[] } {
  const calls: ExecCall[] = []
  return {
    calls,
    async run(command, args, options = {}) {
      const call = { command, args: [...args], options }
      calls.push(call)
      const answer = await respond(call)
      return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' }
    }
  }
}

/** The last lines of a failed command's output, for an error message. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .map(line => line.trimEnd())
    .filter(line => line !== '')
    .slice(-count)
}
