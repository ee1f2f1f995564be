// How a builder command that exited non-zero is reported: what failed, its exit code, and the last
// lines it printed (where docker and buildah say why), so the error reads without the full log.
import { ActionError } from '../errors.js'
import { lastLines, type ExecResult } from '../process/exec.js'

export const FAILURE_TAIL_LINES = 5

/** `hint` follows the exit code: what the person can do about it. */
export function commandFailed(what: string, result: ExecResult, hint?: string): never {
  const tail = lastLines(result.stderr || result.stdout, FAILURE_TAIL_LINES)
  throw new ActionError(
    `${what} failed (exit ${result.exitCode})${hint !== undefined ? `; ${hint}` : ''}` +
      (tail.length > 0 ? `:\n${tail.join('\n')}` : '')
  )
}
