// The one place inputs are read and validated. Everything downstream receives this readonly
// object. Defaults live only in action.yml (the runner applies them; the test harness applies
// them the same way), so nothing here repeats a default: an empty string means "not set".
// Every error names the input, so a typo is fixed from the first line of the log.
import * as core from '@actions/core'
import { join } from 'node:path'
import { ActionError } from './errors.js'
import { eventPayload, pullRequestNumber } from './github/context.js'

export type Mode = 'deploy' | 'rollback' | 'preview' | 'preview-destroy' | 'promote' | 'abort'
export type Builder = 'docker' | 'buildah'
export type CacheMode = 'registry' | 'gha' | 'none'
export type WaitUntil = 'succeeded' | 'ready'

/** One migrate line, already split into argv. */
export type Command = readonly string[]

export interface ImageInputs {
  /** Repository name or full URI; when set, the build phase runs. */
  readonly ecrRepository: string
  /** Tag for the built image (defaults to GITHUB_SHA in getInputs). */
  readonly imageTag: string
  readonly extraTags: readonly string[]
  readonly buildContext: string
  /** Resolved path to the Dockerfile (`<context>/Dockerfile` when the input is empty). */
  readonly dockerfile: string
  readonly buildArgs: ReadonlyMap<string, string>
  /** BuildKit secret id → name of the environment variable that holds it. */
  readonly buildSecrets: ReadonlyMap<string, string>
  readonly buildTarget?: string
  /** Empty: decided from the task definition's runtimePlatform. */
  readonly platforms: readonly string[]
  readonly builder: Builder
  readonly cache: CacheMode
  readonly skipBuildIfExists: boolean
}

export interface MigrateInputs {
  readonly commands: readonly Command[]
  /** Empty: the first container from container-name. */
  readonly container?: string
  readonly timeoutMinutes: number
}

export interface Inputs {
  readonly mode: Mode
  readonly cluster: string
  readonly service: string
  readonly region: string
  /** Path to a task-definition file; undefined: start from the service's current revision. */
  readonly taskDefinitionPath?: string
  /** A deploy or rollback may move the service to another task-definition family. */
  readonly allowFamilyChange: boolean
  /** Empty: the only essential container. */
  readonly containerNames: readonly string[]
  /** An existing image to deploy (mutually exclusive with image.ecrRepository). */
  readonly image?: string
  readonly environmentVariables: ReadonlyMap<string, string>
  readonly waitForServiceStability: boolean
  readonly waitForMinutes: number
  readonly rollbackOnFailure: boolean
  readonly desiredCount?: number
  readonly forceNewDeployment: boolean
  readonly dryRun: boolean

  /** Present only when ecr-repository is set. */
  readonly build?: ImageInputs
  /** Present only when migrate-command is set. */
  readonly migrate?: MigrateInputs

  readonly codedeploy: {
    readonly application?: string
    readonly deploymentGroup?: string
    readonly appspecPath?: string
    readonly deploymentConfig?: string
  }
  readonly waitUntil: WaitUntil
  /** Modes promote and abort: the waiting deployment; undefined: the one that waits now. */
  readonly deploymentId?: string
  /** wait-until ready: where the new revision answers on test traffic. */
  readonly testUrl?: string

  /** `previous`, a revision number, a task-definition ARN or an image tag (validated form). */
  readonly rollbackTo: string
  readonly preview: {
    readonly id?: string
    readonly listenerArn?: string
    readonly host?: string
    readonly path?: string
  }
  readonly github: {
    readonly token: string
    readonly environment?: string
    readonly environmentUrl?: string
  }
}

/** Reads one raw input by its action.yml name ('' when unset). */
export type InputReader = (name: string) => string

/** Splits a multiline migrate-command into argv lists; throws an Error naming the bad line. */
export type MigrateCommandParser = (text: string) => Command[]

export interface InputSources {
  readonly read?: InputReader
  readonly env?: NodeJS.ProcessEnv
  readonly parseMigrateCommands?: MigrateCommandParser
  /** Masks a value in the job log (core.setSecret in the action). */
  readonly mask?: (secret: string) => void
}

const MODES: readonly Mode[] = ['deploy', 'rollback', 'preview', 'preview-destroy', 'promote', 'abort']
const BUILDERS: readonly Builder[] = ['docker', 'buildah']
const CACHE_MODES: readonly CacheMode[] = ['registry', 'gha', 'none']
const WAIT_UNTIL: readonly WaitUntil[] = ['succeeded', 'ready']

function fail(input: string, problem: string): never {
  throw new ActionError(`input ${input}: ${problem}`)
}

function oneOf<T extends string>(input: string, raw: string, allowed: readonly T[]): T {
  const value = raw.trim()
  if ((allowed as readonly string[]).includes(value)) return value as T
  fail(input, `"${value}" is not one of ${allowed.map(a => `\`${a}\``).join(', ')}`)
}

function bool(input: string, raw: string): boolean {
  const value = raw.trim().toLowerCase()
  if (value === 'true') return true
  if (value === 'false') return false
  fail(input, `"${raw.trim()}" is not a boolean; use true or false`)
}

/** A whole number, at least `min`; `undefined` when the input is empty. */
function integer(input: string, raw: string, min: number): number | undefined {
  const value = raw.trim()
  if (value === '') return undefined
  if (!/^\d+$/.test(value)) {
    fail(input, `"${value}" is not a whole number${min > 0 ? ` (${min} or more)` : ' (0 or more)'}`)
  }
  const n = Number(value)
  if (!Number.isSafeInteger(n)) fail(input, `"${value}" is too large`)
  if (n < min) fail(input, `must be ${min} or more, got ${n}`)
  return n
}

function requiredInteger(input: string, raw: string, min: number): number {
  const n = integer(input, raw, min)
  if (n === undefined) fail(input, 'is empty; give a whole number (action.yml has a default)')
  return n
}

function optional(raw: string): string | undefined {
  const value = raw.trim()
  return value === '' ? undefined : value
}

/** A comma- or newline-separated list, trimmed, without empty items or repeats. */
export function parseList(raw: string): string[] {
  const items = raw
    .split(/[,\n]/)
    .map(item => item.trim())
    .filter(item => item !== '')
  return [...new Set(items)]
}

/**
 * Multiline KEY=VALUE pairs. The value is everything after the first `=` (so it may contain `=`)
 * and may be empty. Blank lines and lines starting with `#` are skipped; a repeated key is an
 * error, because silently keeping one of two values hides a mistake.
 */
export function parseKeyValues(
  input: string,
  raw: string,
  keyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/
): Map<string, string> {
  const pairs = new Map<string, string>()
  raw.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '')
    if (line.trim() === '' || line.trim().startsWith('#')) return
    const at = line.indexOf('=')
    const where = `line ${index + 1}`
    if (at < 0) fail(input, `${where}: expected KEY=VALUE, got "${line.trim()}"`)
    const key = line.slice(0, at).trim()
    if (!keyPattern.test(key)) fail(input, `${where}: "${key}" is not a valid name`)
    if (pairs.has(key)) fail(input, `${where}: ${key} is given twice`)
    pairs.set(key, line.slice(at + 1))
  })
  return pairs
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/

function region(read: InputReader, env: NodeJS.ProcessEnv): string {
  const value =
    optional(read('aws-region')) ?? optional(env.AWS_REGION ?? '') ?? optional(env.AWS_DEFAULT_REGION ?? '')
  if (value === undefined) fail('aws-region', 'is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set')
  if (!REGION.test(value))
    fail('aws-region', `"${value}" does not look like an AWS region (such as eu-west-1)`)
  return value
}

function rollbackTo(raw: string): string {
  const value = raw.trim()
  if (value === 'previous' || /^[1-9]\d*$/.test(value) || TASK_DEFINITION_ARN.test(value)) return value
  if (value.startsWith('arn:'))
    fail(
      'rollback-to',
      `"${value}" is not a task-definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)`
    )
  if (IMAGE_TAG.test(value)) return value
  fail(
    'rollback-to',
    `"${value}" is not \`previous\`, a revision number, a task-definition ARN or an image tag`
  )
}

function imageInputs(read: InputReader, env: NodeJS.ProcessEnv, ecrRepository: string): ImageInputs {
  const imageTag = optional(read('image-tag')) ?? optional(env.GITHUB_SHA ?? '')
  if (imageTag === undefined) fail('image-tag', 'is empty and GITHUB_SHA is not set')
  if (!IMAGE_TAG.test(imageTag)) fail('image-tag', `"${imageTag}" is not a valid image tag`)
  const extraTags = parseList(read('extra-tags'))
  for (const tag of extraTags)
    if (!IMAGE_TAG.test(tag)) fail('extra-tags', `"${tag}" is not a valid image tag`)
  const buildContext = optional(read('build-context')) ?? '.'
  // A given Dockerfile path is relative to the workspace, as with `docker build -f`.
  const dockerfile = optional(read('dockerfile')) ?? join(buildContext, 'Dockerfile')
  const buildSecrets = parseKeyValues('build-secrets', read('build-secrets'), /^[A-Za-z0-9_.-]+$/)
  for (const [id, envName] of buildSecrets) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName.trim())) {
      fail('build-secrets', `${id}: "${envName}" is not an environment variable name (give id=ENV_NAME)`)
    }
    buildSecrets.set(id, envName.trim())
  }
  const buildTarget = optional(read('build-target'))
  return {
    ecrRepository,
    imageTag,
    extraTags,
    buildContext,
    dockerfile,
    buildArgs: parseKeyValues('build-args', read('build-args')),
    buildSecrets,
    ...(buildTarget !== undefined && { buildTarget }),
    platforms: parseList(read('platforms')),
    builder: oneOf('builder', read('builder'), BUILDERS),
    cache: oneOf('cache', read('cache'), CACHE_MODES),
    skipBuildIfExists: bool('skip-build-if-exists', read('skip-build-if-exists'))
  }
}

function migrateInputs(
  read: InputReader,
  parse: MigrateCommandParser | undefined
): MigrateInputs | undefined {
  const text = read('migrate-command')
  const timeoutMinutes = requiredInteger('migrate-timeout-minutes', read('migrate-timeout-minutes'), 1)
  const container = optional(read('migrate-container'))
  if (text.trim() === '') {
    if (container !== undefined) fail('migrate-container', 'is set but migrate-command is empty')
    return undefined
  }
  if (!parse) fail('migrate-command', 'the migrate phase is not available in this build')
  let commands: Command[]
  try {
    commands = parse(text)
  } catch (error) {
    // The parser's messages already name the input and the line ("migrate-command line 2: …").
    const message = error instanceof Error ? error.message : String(error)
    if (message.startsWith('migrate-command')) throw new ActionError(`input ${message}`)
    fail('migrate-command', message)
  }
  if (commands.length === 0) fail('migrate-command', 'has no command')
  return { commands, ...(container !== undefined && { container }), timeoutMinutes }
}

/**
 * Builds the validated Inputs. `read` defaults to the runner's INPUT_* variables; tests pass a
 * table instead. `parseMigrateCommands` comes from the migrate phase (src/migrate/command.ts).
 */
export function getInputs(sources: InputSources = {}): Inputs {
  const read: InputReader = sources.read ?? (name => core.getInput(name))
  const env = sources.env ?? process.env

  // The token first, so nothing later (an error message, a debug line) can print it.
  const token = read('github-token').trim()
  if (token !== '') (sources.mask ?? core.setSecret)(token)

  const mode = oneOf('mode', read('mode'), MODES)
  const service = optional(read('service'))
  if (service === undefined) fail('service', 'is required (the ECS service name or ARN)')
  const cluster = optional(read('cluster'))
  if (cluster === undefined) fail('cluster', 'is empty; give the cluster name or ARN')

  const image = optional(read('image'))
  const ecrRepository = optional(read('ecr-repository'))
  if (image !== undefined && ecrRepository !== undefined) {
    fail(
      'image',
      'cannot be combined with ecr-repository: give an existing image, or a repository to build into'
    )
  }
  if (image !== undefined && /\s/.test(image)) fail('image', `"${image}" contains whitespace`)

  const waitUntil = oneOf('wait-until', read('wait-until'), WAIT_UNTIL)
  const previewHost = optional(read('preview-host'))
  const previewPath = optional(read('preview-path'))
  if (previewHost !== undefined && previewPath !== undefined) {
    fail('preview-host', 'cannot be combined with preview-path: a preview is reached by host or by path')
  }
  const listenerArn = optional(read('listener-arn'))
  if (listenerArn !== undefined && !listenerArn.startsWith('arn:')) {
    fail('listener-arn', `"${listenerArn}" is not an ARN`)
  }
  // A pull request's preview is named after it unless preview-id says otherwise.
  const previewId =
    optional(read('preview-id')) ??
    (mode === 'preview' || mode === 'preview-destroy'
      ? pullRequestNumber(eventPayload(env))?.toString()
      : undefined)
  const environment = optional(read('environment'))
  const environmentUrl = optional(read('environment-url'))
  if (environmentUrl !== undefined && !/^https?:\/\//.test(environmentUrl)) {
    fail('environment-url', `"${environmentUrl}" is not an http(s) URL`)
  }
  const taskDefinitionPath = optional(read('task-definition'))
  const desiredCount = integer('desired-count', read('desired-count'), 0)
  const build = ecrRepository === undefined ? undefined : imageInputs(read, env, ecrRepository)
  const migrate = migrateInputs(read, sources.parseMigrateCommands)
  const application = optional(read('codedeploy-application'))
  const deploymentGroup = optional(read('codedeploy-deployment-group'))
  const appspecPath = optional(read('codedeploy-appspec'))
  const deploymentConfig = optional(read('codedeploy-deployment-config'))
  const deploymentId = optional(read('deployment-id'))
  if (deploymentId !== undefined && mode !== 'promote' && mode !== 'abort')
    fail('deployment-id', `is for modes promote and abort; mode ${mode} does not take it`)
  if (deploymentId !== undefined && /\s/.test(deploymentId))
    fail('deployment-id', `"${deploymentId}" contains whitespace`)
  const testUrl = optional(read('test-url'))
  if (testUrl !== undefined && !/^https?:\/\//.test(testUrl))
    fail('test-url', `"${testUrl}" is not an http(s) URL`)

  return {
    mode,
    cluster,
    service,
    region: region(read, env),
    ...(taskDefinitionPath !== undefined && { taskDefinitionPath }),
    allowFamilyChange: bool('allow-family-change', read('allow-family-change')),
    containerNames: parseList(read('container-name')),
    ...(image !== undefined && { image }),
    environmentVariables: parseKeyValues('environment-variables', read('environment-variables')),
    waitForServiceStability: bool('wait-for-service-stability', read('wait-for-service-stability')),
    waitForMinutes: requiredInteger('wait-for-minutes', read('wait-for-minutes'), 1),
    rollbackOnFailure: bool('rollback-on-failure', read('rollback-on-failure')),
    ...(desiredCount !== undefined && { desiredCount }),
    forceNewDeployment: bool('force-new-deployment', read('force-new-deployment')),
    dryRun: bool('dry-run', read('dry-run')),
    ...(build !== undefined && { build }),
    ...(migrate !== undefined && { migrate }),
    codedeploy: {
      ...(application !== undefined && { application }),
      ...(deploymentGroup !== undefined && { deploymentGroup }),
      ...(appspecPath !== undefined && { appspecPath }),
      ...(deploymentConfig !== undefined && { deploymentConfig })
    },
    waitUntil,
    ...(deploymentId !== undefined && { deploymentId }),
    ...(testUrl !== undefined && { testUrl }),
    rollbackTo: rollbackTo(read('rollback-to')),
    preview: {
      ...(previewId !== undefined && { id: previewId }),
      ...(listenerArn !== undefined && { listenerArn }),
      ...(previewHost !== undefined && { host: previewHost }),
      ...(previewPath !== undefined && { path: previewPath })
    },
    github: {
      token,
      ...(environment !== undefined && { environment }),
      ...(environmentUrl !== undefined && { environmentUrl })
    }
  }
}
