// What @actions/core writes to the job log during a test: plain lines (core.info) and workflow
// commands (`::add-mask::`, `::warning::`), read from stdout the way the runner reads them.
import { jest } from '@jest/globals'

export interface JobLog {
  /** Every line written so far, in order. */
  readonly lines: string[]
  /** The messages of `::warning::` commands. */
  warnings(): string[]
  restore(): void
}

/** `onLine` sees each line as it is written, to interleave the log with other events. */
export function captureJobLog(onLine: (line: string) => void = () => {}): JobLog {
  const lines: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue
      lines.push(line)
      onLine(line)
    }
    return true
  })
  return {
    lines,
    warnings: () =>
      lines.filter(line => line.startsWith('::warning')).map(line => line.slice(line.indexOf('::', 2) + 2)),
    restore: () => spy.mockRestore()
  }
}
