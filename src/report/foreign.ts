// Text from outside the action (task log lines, stopped reasons, service events, ELB and CodeDeploy
// messages, AWS error messages, values from files, the builder's output) goes to the job log
// through here, so that the runner shows it as it was and never obeys it as a workflow command.
//
// How the runner reads a step's output (actions/runner, ActionCommandManager and ActionCommand):
// line by line, where a line ends at \n, \r\n or a lone \r; a line is a command when, after its
// leading white space, it starts with `::name` and has a second `::`, or when it holds `##[name]`
// anywhere (the older form), and `name` is a command it knows, in any letter case. Its string
// matching is .NET's culture-sensitive one, which skips zero-width and other ignorable characters.
//
// So: text in which neither `::` nor `##[` appears, even with those characters taken out, cannot
// make a command however the runner splits it, and is printed as it is. Any other text is printed
// between `::stop-commands::<token>` and `::<token>::`, the way GitHub documents for logging text
// that may hold commands: the runner obeys nothing in between but the token. The token is 128
// random bits, new for each block and never one found in the text, so the text cannot resume the
// runner itself. Stopping is preferred to rewriting the text (a zero-width character after every
// colon, say) because the log then shows the text exactly, for people to copy and search.
//
// Each block is one synchronous write to stdout: no command of the action's own (an add-mask, an
// annotation) can land inside it and be ignored. Annotations (core.warning/error) need no help:
// @actions/core escapes %, \r and \n in their message, so one stays one line, and the runner
// never reads its message as a command.
import { randomBytes } from 'node:crypto'
import { EOL } from 'node:os'
import { StringDecoder } from 'node:string_decoder'
import { Writable } from 'node:stream'

/** Characters .NET's culture-sensitive comparison may skip: format, control, default-ignorable. */
const IGNORABLE = /[\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu

/** True when some line the runner reads from `text` could be a workflow command. */
export function mayHoldCommand(text: string): boolean {
  const visible = text.replace(IGNORABLE, '')
  return visible.includes('::') || visible.includes('##[')
}

/** A fresh stop token: 128 random bits in hex (never the name of a command, never empty). */
export function newStopToken(): string {
  return randomBytes(16).toString('hex')
}

/** Tries before giving up on finding a token the text does not contain (one always suffices). */
const TOKEN_TRIES = 8

/**
 * What to write for `text` (without the final line break): the text itself when it cannot hold a
 * command, else the text between stop-commands and its resume line.
 */
export function inertText(text: string, token: () => string = newStopToken): string {
  if (!mayHoldCommand(text)) return text
  const folded = text.toLowerCase()
  for (let i = 0; i < TOKEN_TRIES; i++) {
    const candidate = token()
    if (!folded.includes(candidate.toLowerCase()))
      return `::stop-commands::${candidate}${EOL}${text}${EOL}::${candidate}::`
  }
  throw new Error('could not find a stop-commands token that the text does not contain')
}

/** Prints text from outside the action (or a line that carries some) to the job log, inert. */
export function printForeign(text: string): void {
  process.stdout.write(`${inertText(text)}${EOL}`)
}

/** Past this many characters without a line break, the held text is printed anyway. */
const MAX_HELD = 64 * 1024

/**
 * A stream for a process's output (the builder's): whole lines are printed through `print` as
 * they arrive, inert; `flush()` prints what is left once the process has ended.
 */
export class ForeignOutput extends Writable {
  private held = ''
  private readonly decoder = new StringDecoder('utf8')

  constructor(private readonly print: (text: string) => void = printForeign) {
    super()
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void
  ): void {
    this.take(typeof chunk === 'string' ? chunk : this.decoder.write(chunk))
    done()
  }

  private take(text: string): void {
    this.held += text
    const end = this.held.lastIndexOf('\n')
    if (end >= 0) {
      // Lines up to the last \n go out now (\r inside them is left for the runner to split).
      const lines = this.held.slice(0, end).replace(/\r$/, '')
      this.held = this.held.slice(end + 1)
      this.print(lines)
    }
    if (this.held.length > MAX_HELD) {
      this.print(this.held)
      this.held = ''
    }
  }

  /** Prints the last, unfinished line, if any. */
  flush(): void {
    const rest = this.held + this.decoder.end()
    this.held = ''
    if (rest !== '') this.print(rest.replace(/\r$/, ''))
  }
}
