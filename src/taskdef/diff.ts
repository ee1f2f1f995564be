// What would change: the rendered task definition against the revision the service runs, as
// lines a person can read (`~ containerDefinitions[web].image: a → b`). Pure. Both sides are
// normalised first, so defaults that DescribeTaskDefinition fills in (empty lists, protocol
// tcp, essential true, hostPort) and list order where ECS ignores it (environment, secrets,
// port mappings) never show up as changes. Secrets show their name and source, never a value;
// every other value is shown whole or not at all, by the rule of shown-value.ts.
import { canonicalJson as canonical, showChange, showValue as show } from './shown-value.js'

type Json = unknown
type JsonObject = Record<string, Json>

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Drops undefined, null, empty lists and empty objects, recursively. */
function prune(value: Json): Json {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter(v => v !== undefined)
    return items.length === 0 ? undefined : items
  }
  if (isObject(value)) {
    const result: JsonObject = {}
    for (const [key, v] of Object.entries(value)) {
      const pruned = prune(v)
      if (pruned !== undefined) result[key] = pruned
    }
    return Object.keys(result).length === 0 ? undefined : result
  }
  return value === null ? undefined : value
}

function normalisePortMapping(mapping: Json, networkMode: string): Json {
  if (!isObject(mapping)) return mapping
  const containerPort = mapping.containerPort
  // awsvpc and host mode: the host port is the container port; bridge: absent means dynamic (0).
  const defaultHostPort = networkMode === 'awsvpc' || networkMode === 'host' ? containerPort : 0
  return { ...mapping, hostPort: mapping.hostPort ?? defaultHostPort, protocol: mapping.protocol ?? 'tcp' }
}

function normaliseContainer(container: Json, networkMode: string): Json {
  if (!isObject(container)) return container
  const result: JsonObject = { ...container, essential: container.essential ?? true }
  if (result.cpu === 0) delete result.cpu
  if (Array.isArray(container.portMappings)) {
    result.portMappings = container.portMappings.map(m => normalisePortMapping(m, networkMode))
  }
  return result
}

/** Normalises a task definition (either side) for comparison. */
export function normaliseTaskDefinition(definition: JsonObject): JsonObject {
  const networkMode = typeof definition.networkMode === 'string' ? definition.networkMode : 'bridge'
  const copy: JsonObject = { ...definition, networkMode }
  for (const field of [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy',
    'deregisteredAt'
  ]) {
    delete copy[field]
  }
  for (const field of ['cpu', 'memory']) {
    if (typeof copy[field] === 'number') copy[field] = String(copy[field])
  }
  if (Array.isArray(copy.containerDefinitions)) {
    copy.containerDefinitions = copy.containerDefinitions.map(c => normaliseContainer(c, networkMode))
  }
  return (prune(copy) ?? {}) as JsonObject
}

type KeyOf = (item: JsonObject) => string | undefined

/** Lists whose order ECS ignores (or where each item has a name), keyed for comparison. */
const KEYED_LISTS: Record<string, KeyOf> = {
  containerDefinitions: item => str(item.name),
  environment: item => str(item.name),
  secrets: item => str(item.name),
  portMappings: item => `${String(item.containerPort)}/${String(item.protocol ?? 'tcp')}`,
  volumes: item => str(item.name),
  tags: item => str(item.key),
  environmentFiles: item => str(item.value),
  ulimits: item => str(item.name)
}

function str(value: Json): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function keyed(items: Json[], keyOf: KeyOf): Map<string, JsonObject> | undefined {
  const map = new Map<string, JsonObject>()
  for (const item of items) {
    if (!isObject(item)) return undefined
    const key = keyOf(item)
    if (key === undefined || map.has(key)) return undefined
    map.set(key, item)
  }
  return map
}

/** How one item of a keyed list reads in a `+`/`-` line. */
function describeItem(list: string, item: JsonObject, key: string): string {
  switch (list) {
    case 'environment':
      return `${key}=${show(item.value ?? '', key)}`
    case 'secrets':
      // The value of a secret is never known here, only where it comes from.
      return `${key} (from ${show(item.valueFrom ?? '?')})`
    case 'tags':
      return `${key}=${show(item.value ?? '', key)}`
    case 'containerDefinitions':
      return `[${key}] (image ${show(item.image ?? '?')})`
    default:
      return `${key}: ${show(item)}`
  }
}

function diffKeyedList(
  path: string,
  list: string,
  sides: { readonly before: Map<string, JsonObject>; readonly after: Map<string, JsonObject> },
  out: string[]
): void {
  const { before, after } = sides
  const itemPath = (key: string) => `${path}[${key}]`
  for (const [key, item] of after) {
    const old = before.get(key)
    if (old === undefined) {
      out.push(
        list === 'containerDefinitions'
          ? `+ ${path}${describeItem(list, item, key)}`
          : `+ ${path} ${describeItem(list, item, key)}`
      )
    } else if (canonical(old) !== canonical(item)) {
      if (list === 'environment' || list === 'tags')
        out.push(`~ ${path} ${key}: ${showChange(old.value ?? '', item.value ?? '', key)}`)
      else if (list === 'secrets')
        out.push(`~ ${path} ${key}: from ${show(old.valueFrom ?? '?')} → ${show(item.valueFrom ?? '?')}`)
      else diffValue(itemPath(key), old, item, out)
    }
  }
  for (const [key, item] of before) {
    if (!after.has(key)) {
      out.push(
        list === 'containerDefinitions'
          ? `- ${path}${describeItem(list, item, key)}`
          : `- ${path} ${describeItem(list, item, key)}`
      )
    }
  }
}

function diffValue(path: string, before: Json, after: Json, out: string[]): void {
  if (canonical(before) === canonical(after)) return
  const name = path.split('.').pop()?.replace(/\[.*$/, '') ?? path
  if (before === undefined) {
    if (Array.isArray(after) && KEYED_LISTS[name]) return diffValue(path, [], after, out)
    out.push(`+ ${path}: ${show(after, name)}`)
    return
  }
  if (after === undefined) {
    if (Array.isArray(before) && KEYED_LISTS[name]) return diffValue(path, before, [], out)
    out.push(`- ${path}: ${show(before, name)}`)
    return
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])]
    for (const key of keys) diffValue(path === '' ? key : `${path}.${key}`, before[key], after[key], out)
    return
  }
  const keyOf = KEYED_LISTS[name]
  if (keyOf && Array.isArray(before) && Array.isArray(after)) {
    const b = keyed(before, keyOf)
    const a = keyed(after, keyOf)
    if (a && b) return diffKeyedList(path, name, { before: b, after: a }, out)
  }
  out.push(`~ ${path}: ${showChange(before, after, name)}`)
}

/**
 * The changes from `current` (the running revision, as DescribeTaskDefinition returns it) to
 * `rendered` (what would be registered). An empty list means there is nothing to register.
 */
export function diffTaskDefinitions(
  current: object,
  rendered: object,
  currentTags: readonly Json[] = []
): string[] {
  const before = normaliseTaskDefinition({
    ...(current as JsonObject),
    ...(currentTags.length > 0 && { tags: currentTags })
  })
  const after = normaliseTaskDefinition({ ...(rendered as JsonObject) })
  const out: string[] = []
  diffValue('', before, after, out)
  return out
}
