// Files the action reads because an input names them (task-definition, codedeploy-appspec) must
// lie inside the workspace: the repository checked out for the job. The path is resolved the way
// the operating system will open it, symbolic links included, before anything is read, so a
// link committed to the repository (or a `../`) cannot make the action read and quote a file of
// the runner's. And when such a file does not parse, the message gives its position and the kind
// of problem, never the parser's own words: those quote the text (V8's JSON.parse does, since
// Node 22), and the text is the one thing that must not reach the log.
import { realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { parseDocument } from 'yaml'
import { ActionError } from '../errors.js'

/** The workspace: GITHUB_WORKSPACE on a runner, else the working directory. */
export function workspaceRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.GITHUB_WORKSPACE || process.cwd()
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..'
}

function missing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * Where to read the file an input names: its real path, which must lie inside the workspace
 * (a relative path is taken from the workspace). A path that does not exist is returned as
 * given, resolved, for the caller's read to report as missing; one that leads outside is refused
 * with an ActionError naming the input, before anything is read.
 */
export async function fileInWorkspace(input: string, path: string, workspace: string): Promise<string> {
  const lexicalRoot = resolve(workspace)
  const root = await realpath(lexicalRoot).catch(() => lexicalRoot)
  const wanted = resolve(lexicalRoot, path)
  const outside = (what: string) =>
    new ActionError(
      `input ${input}: ${path} ${what} outside the workspace ${root}; give a file inside the repository`
    )
  // Checked before the file system is asked anything, so an outside path is not even looked at.
  if (!within(lexicalRoot, wanted) && !within(root, wanted)) throw outside('is')
  let real: string
  try {
    real = await realpath(wanted)
  } catch (error) {
    if (missing(error)) return wanted
    throw error
  }
  if (!within(root, real)) throw outside(`leads to ${real} (a symbolic link is followed), which is`)
  return real
}

/** A JSON syntax error in words that quote nothing of the text: whether it ended too soon. */
export function jsonProblem(parserMessage: string): string {
  return /unexpected end|unterminated/i.test(parserMessage) ? 'the text ends too soon' : 'unexpected text'
}

export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 }
}

/**
 * Where JSON.parse failed, from its message and the text. V8 says "at position N" for most
 * errors, but not for an unexpected token (Node 20 and later): then the yaml package (JSON is
 * YAML) locates it, with its JSON schema when the YAML reading finds nothing wrong (an unquoted
 * word is YAML but not JSON), and failing both, the end of the text is where it is.
 */
export function jsonErrorAt(text: string, parserMessage: string): { line: number; column: number } {
  const position = /position (\d+)/.exec(parserMessage)
  if (position) return lineAndColumn(text, Number(position[1]))
  const located =
    parseDocument(text, { prettyErrors: true }).errors[0]?.linePos?.[0] ??
    parseDocument(text, { prettyErrors: true, schema: 'json' }).errors[0]?.linePos?.[0]
  return located ? { line: located.line, column: located.col } : lineAndColumn(text, text.length)
}

/** A YAML syntax error by its code (`BAD_INDENT` → `bad indent`): the yaml package's message may quote the text. */
export function yamlProblem(error: { readonly code?: string }): string {
  return (error.code ?? 'syntax error').toLowerCase().replace(/_/g, ' ')
}
