// Reads a task definition from a file in the repository (JSON or YAML). The text is checked
// here, before anything in AWS is touched, and every error names the file and, for a syntax
// error, the line and column, because "invalid JSON" alone sends people hunting. The file must be
// inside the workspace, and an error never quotes its content (util/input-file.ts).
import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import type { Tag } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'
import { describeValue, fieldName, nonStringFields } from './checks.js'
import {
  fileInWorkspace,
  jsonErrorAt,
  jsonProblem,
  lineAndColumn,
  workspaceRoot,
  yamlProblem
} from '../util/input-file.js'
import type { TaskDefinitionSource } from './render.js'

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const { line, column } = jsonErrorAt(text, message)
    throw new ActionError(
      `task-definition ${file}: invalid JSON at line ${line}, column ${column} (${jsonProblem(message)})`
    )
  }
}

function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  const first = document.errors[0]
  if (first) {
    const at = first.linePos?.[0]
    const where = at ? `line ${at.line}, column ${at.col}` : 'an unknown position'
    throw new ActionError(`task-definition ${file}: invalid YAML at ${where} (${yamlProblem(first)})`)
  }
  // The parser reads a tag it does not know (CloudFormation's !Ref, !Sub, !GetAtt) as the plain
  // text after it: `!Ref DbHost` would reach ECS as "DbHost". Nothing here resolves such tags.
  const tag = document.warnings.find(w => w.code === 'TAG_RESOLVE_FAILED')
  if (tag) {
    const at = tag.linePos?.[0]
    const name = /Unresolved tag: (\S+)/.exec(tag.message)?.[1] ?? 'tag'
    throw new ActionError(
      `task-definition ${file}: line ${at?.line ?? '?'}, column ${at?.col ?? '?'}: the tag ${name} is not resolved here (it belongs to another tool, such as CloudFormation) and would reach ECS as plain text; write the value itself, or render the file before the action`
    )
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

/**
 * A value that is not a string where ECS takes a string (`value: 8000` in YAML) is refused,
 * naming the line, rather than turned into one. The AWS CLI refuses it too (its parameter check:
 * "Invalid type for parameter ..."); ECS answers SerializationException naming no field; and a
 * conversion would guess: YAML reads `1.10` as 1.1 and `1e3` as 1000. Quoting keeps what was
 * written.
 */
function refuseNonStrings(parsed: unknown, text: string, file: string, definition: readonly string[]): void {
  const first = nonStringFields(parsed, definition)[0]
  if (!first) return
  // JSON is YAML: one parser locates the value in either.
  const node = parseDocument(text).getIn(first.path, true) as
    { range?: [number, number, number]; source?: string } | undefined
  const where = node?.range ? `line ${lineAndColumn(text, node.range[0]).line}: ` : ''
  const written = typeof node?.source === 'string' ? node.source : undefined
  const fix = written !== undefined ? `write it in quotes: "${written}"` : 'write a string'
  throw new ActionError(
    `task-definition ${file}: ${where}${fieldName(first.path)} is ${describeValue(first.value)}, but ECS takes a string there (RegisterTaskDefinition would answer SerializationException, naming no field); ${fix}`
  )
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
  refuseNonStrings(parsed, text, file, wrapped ? ['taskDefinition'] : [])
  const { tags: _ignored, ...withoutTags } = definition
  return { taskDefinition: withoutTags, tags: tags as Tag[] }
}

/** Reads the file `task-definition` names; it must lie inside `workspace`. */
export async function loadTaskDefinitionFile(
  path: string,
  workspace: string = workspaceRoot()
): Promise<TaskDefinitionSource> {
  const inside = await fileInWorkspace('task-definition', path, workspace)
  let text: string
  try {
    text = await readFile(inside, 'utf8')
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
