// Renders the task definition to register: the source (a file or the running revision) with
// the read-only fields removed, the new image on the chosen containers and the environment
// merged in. Pure: data in, data out.
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Tag
} from '@aws-sdk/client-ecs'
import { ActionError } from '../errors.js'

/** A task definition as read (from a file or DescribeTaskDefinition), with its tags. */
export interface TaskDefinitionSource {
  readonly taskDefinition: Record<string, unknown>
  readonly tags: readonly Tag[]
}

export interface RenderOptions {
  /** Containers named by the container-name input (empty: choose the only essential one). */
  readonly containerNames: readonly string[]
  readonly image?: string
  readonly environment: ReadonlyMap<string, string>
}

export interface RenderedTaskDefinition {
  readonly input: RegisterTaskDefinitionCommandInput
  /** Containers that got the image and environment (empty when there was nothing to set). */
  readonly containers: readonly string[]
}

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt'
] as const

export function stripReadOnly(definition: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...definition }
  for (const field of READ_ONLY_FIELDS) delete copy[field]
  return copy
}

function containerNamesOf(containers: readonly ContainerDefinition[]): string {
  return containers.map(c => c.name ?? '?').join(', ')
}

/**
 * The containers that get the image: the named ones (each must exist), or else the only
 * essential container. Several essential containers with no name given is an error, because
 * guessing would put the app image into a sidecar.
 */
export function chooseContainers(
  containers: readonly ContainerDefinition[],
  names: readonly string[]
): string[] {
  if (names.length > 0) {
    for (const name of names) {
      if (!containers.some(c => c.name === name)) {
        throw new ActionError(
          `container-name: the task definition has no container "${name}"; its containers are: ${containerNamesOf(containers)}`
        )
      }
    }
    return [...names]
  }
  // ECS treats a container without `essential` as essential.
  const essential = containers.filter(c => c.essential !== false)
  if (essential.length === 1 && essential[0]?.name) return [essential[0].name]
  if (essential.length === 0) {
    throw new ActionError(
      `container-name: the task definition has no essential container; name one of: ${containerNamesOf(containers)}`
    )
  }
  throw new ActionError(
    `container-name: the task definition has ${essential.length} essential containers (${containerNamesOf(essential)}); name the one(s) that get the image`
  )
}

/**
 * Sets the variables on a container's environment, keeping the existing order: a variable that
 * is already there is changed in place, new ones are appended in the order given.
 */
export function mergeEnvironment(
  existing: readonly KeyValuePair[] | undefined,
  updates: ReadonlyMap<string, string>
): KeyValuePair[] {
  const merged = (existing ?? []).map(pair =>
    pair.name !== undefined && updates.has(pair.name)
      ? { name: pair.name, value: updates.get(pair.name) }
      : { ...pair }
  )
  for (const [name, value] of updates) {
    if (!merged.some(pair => pair.name === name)) merged.push({ name, value })
  }
  return merged
}

/**
 * The containers a render will change, checked without rendering: the deploy calls it right after
 * the plan, so a typo in container-name fails before an image is pushed or an in-flight deployment
 * is waited for. Named containers are checked even when nothing is set on them.
 */
export function checkContainerChoice(
  source: TaskDefinitionSource,
  options: {
    readonly containerNames: readonly string[]
    readonly setsImage: boolean
    readonly environment: ReadonlyMap<string, string>
  }
): string[] {
  const containers = (source.taskDefinition.containerDefinitions ?? []) as ContainerDefinition[]
  const wantsChange = options.setsImage || options.environment.size > 0
  return wantsChange || options.containerNames.length > 0
    ? chooseContainers(containers, options.containerNames)
    : []
}

/**
 * The image(s) a rendered definition deploys, for the report: those of the containers that got
 * the image, else those of its essential containers.
 */
export function deployedImages(rendered: RenderedTaskDefinition): string[] {
  const containers = (rendered.input.containerDefinitions ?? []) as ContainerDefinition[]
  const shown =
    rendered.containers.length > 0
      ? containers.filter(c => c.name !== undefined && rendered.containers.includes(c.name))
      : containers.filter(c => c.essential !== false)
  return [...new Set(shown.map(c => c.image).filter((image): image is string => !!image))]
}

export function renderTaskDefinition(
  source: TaskDefinitionSource,
  options: RenderOptions
): RenderedTaskDefinition {
  const definition = stripReadOnly(source.taskDefinition)
  const containers = (definition.containerDefinitions ?? []) as ContainerDefinition[]
  const wantsChange = options.image !== undefined || options.environment.size > 0
  const chosen = checkContainerChoice(source, { ...options, setsImage: options.image !== undefined })

  const containerDefinitions = containers.map(container => {
    if (!wantsChange || !container.name || !chosen.includes(container.name)) return container
    return {
      ...container,
      ...(options.image !== undefined && { image: options.image }),
      ...(options.environment.size > 0 && {
        environment: mergeEnvironment(container.environment, options.environment)
      })
    }
  })

  // Task-level cpu and memory are strings in the API; YAML files often give numbers.
  for (const field of ['cpu', 'memory'] as const) {
    if (typeof definition[field] === 'number') definition[field] = String(definition[field])
  }

  const input = {
    ...definition,
    containerDefinitions,
    ...(source.tags.length > 0 && { tags: source.tags.map(tag => ({ ...tag })) })
  } as RegisterTaskDefinitionCommandInput
  return { input, containers: wantsChange ? chosen : [] }
}
