// What ECS would refuse about a task definition, found before anything changes. Pure: data in,
// findings or an ActionError out.
//
// - The service's load balancers name a container and a port. ECS accepts a new revision without
//   them at RegisterTaskDefinition and refuses only the UpdateService (or CreateService) that
//   deploys it, with InvalidParameterException "The container <name> does not exist in the task
//   definition." or "The container <name> did not have a container port <port> defined.": by
//   then the revision is registered and the migration has run against the database.
// - RegisterTaskDefinition types many fields as strings (KeyValuePair.value, cpu, command, ...).
//   YAML reads `8000`, `true` or `1.10` as a number or a boolean; the SDK sends them as they are,
//   and ECS's JSON protocol answers SerializationException without naming the field.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'

/** A load balancer of the service, as DescribeServices lists it. */
export interface LoadBalancerBinding {
  readonly containerName?: string
  readonly containerPort?: number
  readonly targetGroupArn?: string
  readonly loadBalancerName?: string
}

function balancerName(lb: LoadBalancerBinding): string {
  if (lb.targetGroupArn) return `target group ${lb.targetGroupArn.split('/')[1] ?? lb.targetGroupArn}`
  return lb.loadBalancerName ? `load balancer ${lb.loadBalancerName}` : 'load balancer'
}

/**
 * Every load balancer of the service must find its container, with its container port mapped, in
 * the definition about to be registered. `file` is the task-definition input when the definition
 * came from a file (the message names it); without one it came from the running revision.
 */
export function checkLoadBalancedContainers(
  definition: Pick<RegisterTaskDefinitionCommandInput, 'containerDefinitions'>,
  loadBalancers: readonly LoadBalancerBinding[],
  file: string | undefined
): void {
  const source = file !== undefined ? `task-definition ${file}` : 'the rendered task definition'
  const containers = definition.containerDefinitions ?? []
  for (const lb of loadBalancers) {
    const name = lb.containerName
    if (name === undefined || lb.containerPort === undefined) continue
    const container = containers.find(c => c.name === name)
    const where = `the service's ${balancerName(lb)} sends traffic to container ${name} on port ${lb.containerPort}`
    const change = `keep the container's name and port, or change the service's load balancer first`
    if (!container)
      throw new ActionError(
        `${source}: ${where}, but the task definition has no container ${name} (it has ${containers.map(c => c.name ?? '?').join(', ') || 'none'}); ECS would refuse to deploy it ("The container ${name} does not exist in the task definition.") after the revision was registered and the migration had run: ${change}`
      )
    const ports = (container.portMappings ?? []).map(p => p.containerPort).filter(p => p !== undefined)
    if (!ports.includes(lb.containerPort))
      throw new ActionError(
        `${source}: ${where}, but container ${name} maps ${ports.length > 0 ? `containerPort ${ports.join(', ')}` : 'no port'}; ECS would refuse to deploy it ("The container ${name} did not have a container port ${lb.containerPort} defined.") after the revision was registered and the migration had run: ${change}`
      )
  }
}

/** A path into the parsed file (`['containerDefinitions', 0, 'environment', 2, 'value']`). */
export type FieldPath = readonly (string | number)[]

export interface NotAString {
  readonly path: FieldPath
  readonly value: unknown
}

/** Fields of RegisterTaskDefinition that ECS types as String. */
const TASK_STRINGS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode'
]
const CONTAINER_STRINGS = ['name', 'image', 'hostname', 'user', 'workingDirectory']
/** Lists of strings. */
const CONTAINER_STRING_LISTS = [
  'command',
  'entryPoint',
  'links',
  'dnsServers',
  'dnsSearchDomains',
  'dockerSecurityOptions',
  'credentialSpecs'
]
/** Lists of objects whose fields named here are strings. */
const CONTAINER_PAIR_LISTS: Record<string, readonly string[]> = {
  environment: ['name', 'value'],
  secrets: ['name', 'valueFrom'],
  systemControls: ['namespace', 'value']
}
/** Maps of string to string. */
const CONTAINER_STRING_MAPS: readonly FieldPath[] = [
  ['dockerLabels'],
  ['logConfiguration', 'options'],
  ['firelensConfiguration', 'options']
]

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function at(value: unknown, path: FieldPath): unknown {
  let here = value
  for (const key of path) {
    if (typeof key === 'number' ? !Array.isArray(here) : !isObject(here)) return undefined
    here = (here as Record<string | number, unknown>)[key]
  }
  return here
}

/**
 * Values in string fields that are not strings: a number, a boolean, a list or a mapping (null
 * and absent values are left to ECS: they mean "not set"). Paths are into `parsed`, the file as
 * read; `definition` is where the task definition sits in it (the root, or `taskDefinition` in
 * the output of describe-task-definition).
 */
export function nonStringFields(parsed: unknown, definition: FieldPath = []): NotAString[] {
  const found: NotAString[] = []
  const check = (path: FieldPath) => {
    const value = at(parsed, path)
    if (value !== undefined && value !== null && typeof value !== 'string') found.push({ path, value })
  }
  const each = (path: FieldPath, visit: (index: number) => void) => {
    const list = at(parsed, path)
    if (Array.isArray(list)) list.forEach((_, index) => visit(index))
  }
  for (const field of TASK_STRINGS) check([...definition, field])
  each([...definition, 'containerDefinitions'], index => {
    const container = [...definition, 'containerDefinitions', index]
    for (const field of CONTAINER_STRINGS) check([...container, field])
    for (const field of CONTAINER_STRING_LISTS)
      each([...container, field], i => check([...container, field, i]))
    each([...container, 'healthCheck', 'command'], i => check([...container, 'healthCheck', 'command', i]))
    for (const [field, keys] of Object.entries(CONTAINER_PAIR_LISTS))
      each([...container, field], i => {
        for (const key of keys) check([...container, field, i, key])
      })
    each([...container, 'logConfiguration', 'secretOptions'], i => {
      for (const key of ['name', 'valueFrom'])
        check([...container, 'logConfiguration', 'secretOptions', i, key])
    })
    for (const map of CONTAINER_STRING_MAPS) {
      const entries = at(parsed, [...container, ...map])
      if (isObject(entries)) for (const key of Object.keys(entries)) check([...container, ...map, key])
    }
  })
  // Tags sit at the top of the file either way: beside the definition in describe-task-definition's
  // output, inside it otherwise.
  each(['tags'], i => {
    for (const key of ['key', 'value']) check(['tags', i, key])
  })
  return found
}

/** `containerDefinitions[0].environment[2].value`, as people read a path. */
export function fieldName(path: FieldPath): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name === '' ? key : `${name}.${key}`),
    ''
  )
}

/** How a value that is not a string reads in a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'boolean') return `the boolean ${value}`
  if (Array.isArray(value)) return 'a list'
  if (isObject(value)) return 'a mapping'
  return `a ${typeof value}`
}
