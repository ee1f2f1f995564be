// Reads a task definition from a file in the repository (JSON or YAML). The text is checked
// here, before anything in AWS is touched, and every error names the file and, for a syntax
// error, the line and column, because "invalid JSON" alone sends people hunting.
import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import type { Tag } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import type { TaskDefinitionSource } from './render.js'

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // V8 usually says "at position N"; some messages ("Unexpected token") carry no position on
    // older Node versions. Then the YAML parser (JSON is YAML) locates the problem, and failing
    // that, the end of the text is where it is.
    const position = /position (\d+)/.exec(message)
    const located = position ? undefined : parseDocument(text, { prettyErrors: true }).errors[0]?.linePos?.[0]
    const { line, column } = located
      ? { line: located.line, column: located.col }
      : lineAndColumn(text, position ? Number(position[1]) : text.length)
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')
    throw new ActionError(
      `task-definition ${file}: invalid JSON at line ${line}, column ${column}: ${reason}`
    )
  }
}

function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  const first = document.errors[0]
  if (first) {
    const at = first.linePos?.[0]
    const where = at ? `line ${at.line}, column ${at.col}` : 'an unknown position'
    const reason = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')
    throw new ActionError(`task-definition ${file}: invalid YAML at ${where}: ${reason}`)
  }
  try {
    return document.toJS()
  } catch (error) {
    // The YAML library refuses to expand aliases past a limit (a "billion laughs" file would
    // take all the memory); it throws a bare ReferenceError that names no file.
    const message = error instanceof Error ? error.message : String(error)
    throw new ActionError(
      `task-definition ${file}: the YAML could not be expanded: ${message} (its anchors and aliases expand too far; write the values out)`
    )
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Parses and checks the shape of a task definition. Accepts the plain definition, or the output
 * of `aws ecs describe-task-definition` (`{ taskDefinition, tags }`), which is what people
 * often save into their repository.
 */
export function parseTaskDefinitionText(text: string, file: string): TaskDefinitionSource {
  if (text.trim() === '') throw new ActionError(`task-definition ${file}: the file is empty`)
  const parsed =
    /\.json$/i.test(file) || /^\s*[{[]/.test(text) ? parseJson(text, file) : parseYaml(text, file)
  if (!isObject(parsed))
    throw new ActionError(`task-definition ${file}: expected an object with containerDefinitions`)

  const wrapped = isObject(parsed.taskDefinition)
  const definition = wrapped ? (parsed.taskDefinition as Record<string, unknown>) : parsed
  const tags = (wrapped ? parsed.tags : definition.tags) ?? []
  if (!Array.isArray(tags) || !tags.every(t => isObject(t) && typeof t.key === 'string')) {
    throw new ActionError(`task-definition ${file}: tags must be a list of { key, value }`)
  }

  if (typeof definition.family !== 'string' || definition.family === '') {
    throw new ActionError(`task-definition ${file}: family is missing`)
  }
  const containers = definition.containerDefinitions
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new ActionError(`task-definition ${file}: containerDefinitions is missing or empty`)
  }
  containers.forEach((container, index) => {
    if (!isObject(container) || typeof container.name !== 'string' || container.name === '') {
      throw new ActionError(`task-definition ${file}: containerDefinitions[${index}] has no name`)
    }
  })
  const { tags: _ignored, ...withoutTags } = definition
  return { taskDefinition: withoutTags, tags: tags as Tag[] }
}

export async function loadTaskDefinitionFile(path: string): Promise<TaskDefinitionSource> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code
    throw new ActionError(
      code === 'ENOENT'
        ? `task-definition ${path}: no such file (paths are relative to the workspace)`
        : `task-definition ${path}: cannot read the file (${code ?? String(error)})`
    )
  }
  return parseTaskDefinitionText(text, path)
}
