// Parses the migrate-command input: one command per line, each either a JSON array of strings or
// split the way a POSIX shell splits words (quotes and backslash escapes). ECS runs the argv
// directly, with no shell, so anything a shell would *interpret* (pipes, `&&`, `;`, redirects,
// `$VAR`) would silently become a literal argument; we refuse it and say how to ask for a shell.
import { split } from 'shlex'
import type { Command } from '../inputs.js'

const SHELL_HINT = (line: string): string =>
  `ECS runs the command without a shell; to use one, write the line as ${JSON.stringify(['sh', '-c', line])}`

/** Characters a shell treats as operators when they are outside quotes. */
const OPERATOR_CHARS = new Set(['|', '&', ';', '<', '>'])

/**
 * Finds the first thing in a line that a shell would interpret rather than pass on as a word:
 * an operator outside quotes, or a `$` expansion outside single quotes. Returns a description
 * of it, or undefined. Quote-aware, so `echo "a|b"` and `echo '$HOME'` are fine.
 */
export function findShellSyntax(line: string): string | undefined {
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    const next = line[i + 1]
    if (quote === "'") {
      if (c === "'") quote = undefined
      continue
    }
    if (c === '\\') {
      i++ // the escaped character is literal, inside double quotes or out
      continue
    }
    if (c === '$' && next !== undefined && /[A-Za-z_{(]/.test(next)) {
      return next === '('
        ? 'a command substitution `$(`'
        : `a variable expansion \`$${next === '{' ? '{' : next}…\``
    }
    if (quote === '"') {
      if (c === '"') quote = undefined
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      continue
    }
    if (c === '`') return 'a command substitution with backticks'
    if (OPERATOR_CHARS.has(c)) {
      const two = line.slice(i, i + 2)
      const op = ['&&', '||', '>>', '<<'].includes(two) ? two : c
      return `the shell operator \`${op}\``
    }
  }
  return undefined
}

function parseJsonLine(line: string, where: string): Command {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    throw new Error(
      `${where}: not a valid JSON array (${error instanceof Error ? error.message : String(error)})`
    )
  }
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
    throw new Error(`${where}: a JSON array must hold only strings, such as ["python","manage.py","migrate"]`)
  }
  if (value.length === 0 || value[0] === '') throw new Error(`${where}: the JSON array has no command`)
  return value as string[]
}

function parseShellLine(line: string, where: string): Command {
  const syntax = findShellSyntax(line)
  if (syntax !== undefined) throw new Error(`${where}: ${syntax} would not work; ${SHELL_HINT(line)}`)
  let words: string[]
  try {
    words = split(line)
  } catch (error) {
    // shlex throws "Got EOF while in a quoted string" / "…in an escape sequence".
    const message = error instanceof Error ? error.message : String(error)
    if (/quoted string/.test(message)) throw new Error(`${where}: unclosed quote`)
    if (/escape sequence/.test(message)) throw new Error(`${where}: the line ends with a lone backslash`)
    throw new Error(`${where}: ${message}`)
  }
  const first = words[0]
  if (first === undefined || first === '') throw new Error(`${where}: has no command`)
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) {
    throw new Error(
      `${where}: \`${first}\` sets a variable, which needs a shell; set it in the task definition (or environment-variables), or ${SHELL_HINT(line)}`
    )
  }
  return words
}

/**
 * One command per non-empty line. Line numbers count every line of the input, blank ones
 * included, so they match what the person sees in their workflow file. Lines starting with `#`
 * are comments (a shell would ignore them too).
 */
export function parseMigrateCommands(text: string): Command[] {
  const commands: Command[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) return
    const where = `migrate-command line ${index + 1}`
    commands.push(line.startsWith('[') ? parseJsonLine(line, where) : parseShellLine(line, where))
  })
  return commands
}
