// Reads a step's output the way the GitHub Actions runner does (actions/runner's
// ActionCommandManager and ActionCommand), to find out which workflow commands it would obey.
//
// - Lines end at \n, \r\n or a lone \r (.NET's StreamReader.ReadLine).
// - `::name props::data` after leading white space, or `##[name props]data` anywhere in the line
//   (the older form), is a command when `name` is one the runner knows, in any letter case.
// - `::stop-commands::TOKEN` stops all processing until a line that is the command TOKEN
//   (`::TOKEN::` or `##[TOKEN]`); the lines in between are plain log text.
// - `::add-mask::value` hides value in every later line of the log (the whole value, as given).
//
// It errs on the side of finding commands: characters the runner's culture-sensitive matching may
// skip (zero-width, format and control characters) are removed before a line is parsed, so a test
// that finds no foreign command here would find none on the runner either.

/** Commands the runner registers (ActionCommandManager's extensions), plus stop-commands. */
export const RUNNER_COMMANDS = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
] as const

export interface WorkflowCommand {
  /** Lower-cased command name. */
  readonly name: string
  readonly properties: Readonly<Record<string, string>>
  /** The data after unescaping, as the runner hands it to the command. */
  readonly data: string
  /** Index of the line (as the runner splits them) that carried it. */
  readonly line: number
}

export interface RunnerView {
  /** Commands the runner would obey, in order (stop-commands and its resume lines excluded). */
  readonly commands: readonly WorkflowCommand[]
  /** The lines the log shows, with every mask registered before each line applied. */
  readonly log: readonly string[]
  /** How many stop-commands blocks were opened and resumed. */
  readonly stopBlocks: number
  /** True when the output ended with command processing still stopped. */
  readonly endedStopped: boolean
}

const IGNORABLE = /[\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu

function unescape(text: string, mappings: readonly [string, string][]): string {
  let result = text
  for (const [escaped, plain] of mappings) result = result.split(escaped).join(plain)
  return result
}

const DATA: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
]
const PROPERTY: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
]
const LEGACY: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%']
]

function properties(text: string, separator: string, mappings: [string, string][]): Record<string, string> {
  const result: Record<string, string> = {}
  for (const pair of text.split(separator)) {
    const at = pair.indexOf('=')
    if (at > 0 && at < pair.length - 1) result[pair.slice(0, at)] = unescape(pair.slice(at + 1), mappings)
  }
  return result
}

/** The `::name props::data` form, or undefined. */
function parseV2(line: string, known: ReadonlySet<string>): Omit<WorkflowCommand, 'line'> | undefined {
  const text = line.trimStart()
  if (!text.startsWith('::')) return undefined
  const end = text.indexOf('::', 2)
  if (end < 0) return undefined
  const info = text.slice(2, end)
  const space = info.indexOf(' ')
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
  if (!known.has(name)) return undefined
  return {
    name,
    properties: space < 0 ? {} : properties(info.slice(space + 1).trim(), ',', PROPERTY),
    data: unescape(text.slice(end + 2), DATA)
  }
}

/** The older `##[name props]data` form, anywhere in the line, or undefined. */
function parseLegacy(line: string, known: ReadonlySet<string>): Omit<WorkflowCommand, 'line'> | undefined {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const close = line.indexOf(']', start)
  if (close < 0) return undefined
  const info = line.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
  if (!known.has(name)) return undefined
  return {
    name,
    properties: space < 0 ? {} : properties(info.slice(space + 1), ';', LEGACY),
    data: unescape(line.slice(close + 1), LEGACY)
  }
}

function mask(line: string, secrets: readonly string[]): string {
  let result = line
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join('***')
  return result
}

/** What the runner makes of `output`: the commands it obeys and the log it shows. */
export function readAsRunner(output: string): RunnerView {
  const known = new Set<string>(RUNNER_COMMANDS)
  const commands: WorkflowCommand[] = []
  const log: string[] = []
  const secrets: string[] = []
  let stopToken: string | undefined
  let stopBlocks = 0
  const lines = output.split(/\r\n|\r|\n/)
  if (lines.at(-1) === '') lines.pop()
  lines.forEach((line, index) => {
    // The line as written first (its data intact), then without the characters the runner may skip.
    const bare = line.replace(IGNORABLE, '')
    const parsed =
      parseV2(line, known) ?? parseLegacy(line, known) ?? parseV2(bare, known) ?? parseLegacy(bare, known)
    if (stopToken !== undefined) {
      if (parsed?.name === stopToken) {
        known.delete(stopToken)
        stopToken = undefined
        stopBlocks++
      } else log.push(mask(line, secrets))
      return
    }
    if (!parsed) {
      log.push(mask(line, secrets))
      return
    }
    if (parsed.name === 'stop-commands') {
      stopToken = parsed.data.toLowerCase()
      known.add(stopToken)
      return
    }
    commands.push({ ...parsed, line: index })
    if (parsed.name === 'add-mask' && parsed.data.trim() !== '') secrets.push(parsed.data)
  })
  return { commands, log, stopBlocks, endedStopped: stopToken !== undefined }
}

/** Commands other than the action's own phase groups: what a test looks at. */
export function commandsBesidesGroups(view: RunnerView): WorkflowCommand[] {
  return view.commands.filter(c => c.name !== 'group' && c.name !== 'endgroup')
}
