// Pure checks of GitHub workflow files against the action's contract and our workflow rules.
// Each check takes parsed data and returns a list of violations (empty when all is well), so a
// test shows every problem at once, and the same checks are run on a deliberately bad fixture
// to prove they catch what they claim to.
import { readFileSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parse } from 'yaml'

export const ROOT = new URL('../../', import.meta.url).pathname

/** Our own repository, as the templates name it (first-party: not subject to SHA pinning). */
export const OWN_REPOSITORY = 'ecs-ship/ecs-ship'

export interface ActionInput {
  readonly required: boolean
  readonly default?: string
}

/** The kind of value an action input takes, read from its default: every action input is a string. */
export type ValueKind = 'boolean' | 'number' | 'string'

export function actionInputKind(input: ActionInput): ValueKind {
  if (input.default === 'true' || input.default === 'false') return 'boolean'
  if (input.default !== undefined && /^\d+$/.test(input.default)) return 'number'
  return 'string'
}

export type ActionInputs = ReadonlyMap<string, ActionInput>

interface RawAction {
  inputs?: Record<string, { required?: boolean; default?: unknown }>
}

export function loadActionInputs(root = ROOT): ActionInputs {
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as RawAction
  const inputs = new Map<string, ActionInput>()
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    inputs.set(name, {
      required: spec.required === true,
      ...(spec.default === undefined ? {} : { default: String(spec.default) })
    })
  }
  return inputs
}

export interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  if?: string
}

export interface Job {
  name?: string
  if?: string
  uses?: string
  needs?: string | string[]
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | 'inherit'
  environment?: string | { name?: string; url?: string; deployment?: unknown }
  permissions?: Record<string, string> | string
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown } | string
  steps?: Step[]
}

export interface WorkflowCallInput {
  type?: string
  required?: boolean
  default?: unknown
}

export interface Workflow {
  name?: string
  on?: Record<string, unknown> | string | string[]
  permissions?: Record<string, string> | string
  jobs?: Record<string, Job>
}

export interface WorkflowFile {
  /** Path relative to the repository root. */
  readonly path: string
  readonly text: string
  readonly workflow: Workflow
}

export function readWorkflow(path: string, root = ROOT): WorkflowFile {
  const text = readFileSync(join(root, path), 'utf8')
  return { path, text, workflow: parse(text) as Workflow }
}

function yamlFiles(dir: string, root: string): string[] {
  return readdirSync(join(root, dir))
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => `${dir}/${name}`)
}

export const workflowPaths = (root = ROOT): string[] => yamlFiles('.github/workflows', root)
export const templatePaths = (root = ROOT): string[] => yamlFiles('workflows-templates', root)

interface WorkflowCall {
  inputs?: Record<string, WorkflowCallInput>
  secrets?: Record<string, { required?: boolean } | null>
}

function workflowCall(workflow: Workflow): WorkflowCall | undefined {
  const on = workflow.on
  if (!on || typeof on !== 'object' || Array.isArray(on)) return undefined
  return (on.workflow_call as WorkflowCall | null | undefined) ?? undefined
}

/** The workflow_call inputs of a reusable workflow (empty when it is not one). */
export function callInputs(workflow: Workflow): Record<string, WorkflowCallInput> {
  return workflowCall(workflow)?.inputs ?? {}
}

/** The workflow_call secrets of a reusable workflow (empty when it declares none). */
export function callSecrets(workflow: Workflow): Record<string, { required?: boolean } | null> {
  return workflowCall(workflow)?.secrets ?? {}
}

export function isReusable(workflow: Workflow): boolean {
  const on = workflow.on
  return !!on && typeof on === 'object' && !Array.isArray(on) && 'workflow_call' in on
}

/** A step that runs this action: the local checkout used by the reusable workflows, or the published one. */
export function isActionStep(step: Step): boolean {
  const uses = step.uses ?? ''
  return uses === './' || uses === './.ecs-ship-action' || uses.startsWith(`${OWN_REPOSITORY}@`)
}

/** The reusable workflow of ours that a job calls (its file name), if any. */
export function calledWorkflow(job: Job): string | undefined {
  const match = /^(?:ecs-ship\/ecs-ship\/|\.\/)\.github\/workflows\/([\w.-]+\.ya?ml)(?:@\S+)?$/.exec(
    job.uses ?? ''
  )
  return match?.[1]
}

const jobsOf = (workflow: Workflow): [string, Job][] => Object.entries(workflow.jobs ?? {})

/** The type of a literal `with:` value as GitHub reads it; undefined for an expression (typed when it runs). */
function literalKind(value: unknown): ValueKind | undefined {
  if (typeof value === 'string') return /\$\{\{/.test(value) ? undefined : 'string'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return 'number'
  return undefined
}

/** `${{ inputs.x }}` and nothing else: the value is forwarded unchanged from a workflow input. */
function forwardedInput(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  return /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value)?.[1]
}

/**
 * Every `with:` key given to the action exists in action.yml; every required input is given;
 * a value forwarded from a workflow input refers to an input that exists and, when that input
 * has a default, it is action.yml's default (so the action behaves the same called either way),
 * unless the workflow chose its own on purpose (ownDefaults).
 */
export function checkActionInputs(
  file: WorkflowFile,
  action: ActionInputs,
  ownDefaults: ReadonlySet<string> = new Set()
): string[] {
  const problems: string[] = []
  const inputs = callInputs(file.workflow)
  for (const [jobId, job] of jobsOf(file.workflow)) {
    for (const step of job.steps ?? []) {
      if (!isActionStep(step)) continue
      const where = `${file.path}: job ${jobId}, step ${step.id ?? step.name ?? step.uses}`
      const given = step.with ?? {}
      for (const key of Object.keys(given)) {
        if (!action.has(key)) problems.push(`${where}: with.${key} is not an input of action.yml`)
      }
      for (const [name, spec] of action) {
        if (spec.required && !(name in given)) problems.push(`${where}: required input ${name} is not passed`)
      }
      for (const [key, value] of Object.entries(given)) {
        const source = forwardedInput(value)
        if (source === undefined) continue
        const declared = inputs[source]
        if (!declared) {
          problems.push(
            `${where}: with.${key} forwards inputs.${source}, which the workflow does not declare`
          )
          continue
        }
        const actionDefault = action.get(key)?.default
        if (
          !ownDefaults.has(source) &&
          declared.default !== undefined &&
          actionDefault !== undefined &&
          String(declared.default) !== actionDefault
        ) {
          problems.push(
            `${where}: inputs.${source} defaults to "${String(declared.default)}" but action.yml's ${key} defaults to "${actionDefault}"`
          )
        }
        if (action.get(key)?.required && declared.required !== true && declared.default === undefined) {
          problems.push(
            `${where}: with.${key} is required by action.yml but inputs.${source} may be left out`
          )
        }
      }
    }
  }
  return problems
}

/**
 * A job calling one of our reusable workflows passes only inputs it declares and every required
 * one, and grants at least the permissions the called job asks for (GitHub refuses to start it
 * otherwise).
 */
export function checkReusableCalls(
  file: WorkflowFile,
  reusable: ReadonlyMap<string, WorkflowFile>
): string[] {
  const problems: string[] = []
  for (const [jobId, job] of jobsOf(file.workflow)) {
    const target = calledWorkflow(job)
    if (!target) continue
    const where = `${file.path}: job ${jobId}`
    const called = reusable.get(target)
    if (!called) {
      problems.push(`${where}: calls ${target}, which is not in .github/workflows`)
      continue
    }
    const inputs = callInputs(called.workflow)
    const given = job.with ?? {}
    for (const key of Object.keys(given)) {
      if (!(key in inputs)) problems.push(`${where}: with.${key} is not an input of ${target}`)
    }
    for (const [key, value] of Object.entries(given)) {
      const declared = inputs[key]?.type
      const kind = literalKind(value)
      if (declared && kind && kind !== declared) {
        problems.push(`${where}: with.${key} is a ${kind}, but ${target} declares it type ${declared}`)
      }
    }
    const secrets = callSecrets(called.workflow)
    const passed = job.secrets === 'inherit' ? undefined : (job.secrets ?? {})
    for (const key of Object.keys(passed ?? {})) {
      if (!(key in secrets)) problems.push(`${where}: secrets.${key} is not a secret of ${target}`)
    }
    for (const [name, spec] of Object.entries(secrets)) {
      if (spec?.required && passed && !(name in passed))
        problems.push(`${where}: required secret ${name} of ${target} is not passed`)
    }
    for (const [name, spec] of Object.entries(inputs)) {
      if (spec.required && !(name in given))
        problems.push(`${where}: required input ${name} of ${target} is not passed`)
    }
    const granted = effectivePermissions(file.workflow, job)
    for (const [calledJobId, calledJob] of jobsOf(called.workflow)) {
      for (const [scope, level] of Object.entries(effectivePermissions(called.workflow, calledJob))) {
        if ((LEVEL[level] ?? 99) > (LEVEL[granted[scope] ?? 'none'] ?? 0)) {
          problems.push(
            `${where}: grants ${scope}: ${granted[scope] ?? 'none'}, but ${target} job ${calledJobId} needs ${level}`
          )
        }
      }
    }
  }
  return problems
}

const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 }

/** The permissions a job runs with: its own block, else the workflow's. `{}` when neither says. */
export function effectivePermissions(workflow: Workflow, job: Job): Record<string, string> {
  const block = job.permissions ?? workflow.permissions
  if (block === undefined) return {}
  if (typeof block === 'string') return { '*': block }
  return block
}

/**
 * No permission beyond the allowance, and no workflow without an explicit `permissions:` (the
 * repository default may be write-all).
 */
export function checkPermissions(file: WorkflowFile, allowed: Readonly<Record<string, string>>): string[] {
  const problems: string[] = []
  if (file.workflow.permissions === undefined) {
    problems.push(
      `${file.path}: no top-level permissions (the repository default applies, possibly write-all)`
    )
  }
  const blocks: [string, Workflow['permissions']][] = [['workflow', file.workflow.permissions]]
  for (const [jobId, job] of jobsOf(file.workflow)) blocks.push([`job ${jobId}`, job.permissions])
  for (const [where, block] of blocks) {
    if (block === undefined) continue
    if (typeof block === 'string') {
      problems.push(`${file.path}: ${where} grants ${block}`)
      continue
    }
    for (const [scope, level] of Object.entries(block)) {
      const limit = allowed[scope] ?? 'none'
      if ((LEVEL[level] ?? 99) > (LEVEL[limit] ?? 0)) {
        problems.push(`${file.path}: ${where} grants ${scope}: ${level}, more than ${limit}`)
      }
    }
  }
  return problems
}

/** `uses:` lines of third-party actions: a full commit SHA, with the version in a comment. */
export function checkPinning(file: WorkflowFile): string[] {
  const problems: string[] = []
  file.text.split('\n').forEach((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line)
    if (!match?.[1]) return
    const target = match[1].replace(/^['"]|['"]$/g, '')
    if (
      target.startsWith('./') ||
      target.startsWith(`${OWN_REPOSITORY}/`) ||
      target.startsWith(`${OWN_REPOSITORY}@`)
    ) {
      return
    }
    const where = `${file.path}:${index + 1}`
    if (target.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(target)) problems.push(`${where}: ${target} is not pinned by digest`)
      return
    }
    if (!/@[0-9a-f]{40}$/.test(target)) {
      problems.push(`${where}: ${target} is not pinned to a full commit SHA`)
    } else if (!/#\s*v\d/.test(match[2] ?? '')) {
      problems.push(`${where}: ${target} has no "# vX" comment saying which release the SHA is`)
    }
  })
  return problems
}

/** Expressions a contributor can control must reach scripts through env:, never expanded into them. */
const UNTRUSTED = /\$\{\{[^}]*\b(?:github\.event\.|github\.head_ref)/

export function checkScripts(file: WorkflowFile): string[] {
  const problems: string[] = []
  for (const [jobId, job] of jobsOf(file.workflow)) {
    for (const step of job.steps ?? []) {
      if (typeof step.run === 'string' && UNTRUSTED.test(step.run)) {
        problems.push(
          `${file.path}: job ${jobId}, step ${step.name ?? step.id ?? '?'} expands github.event in run:`
        )
      }
    }
  }
  if (/\bpull_request_target\b/.test(JSON.stringify(file.workflow.on ?? {}))) {
    problems.push(`${file.path}: triggers on pull_request_target`)
  }
  return problems
}

export interface TemplateProperties {
  name?: unknown
  description?: unknown
  iconName?: unknown
  categories?: unknown
  filePatterns?: unknown
}

/** GitHub's starter-workflow metadata: name and description required; iconName and categories as documented. */
export function checkProperties(templatePath: string, properties: TemplateProperties | undefined): string[] {
  if (!properties)
    return [`${templatePath}: no ${basename(templatePath).replace(/\.ya?ml$/, '.properties.json')}`]
  const problems: string[] = []
  for (const key of ['name', 'description'] as const) {
    if (typeof properties[key] !== 'string' || properties[key] === '')
      problems.push(`${templatePath}: properties ${key} missing`)
  }
  if (
    properties.iconName !== undefined &&
    (typeof properties.iconName !== 'string' || properties.iconName === '')
  ) {
    problems.push(`${templatePath}: properties iconName must be an octicon ("octicon <name>") or an SVG name`)
  }
  const isStringList = (value: unknown) =>
    Array.isArray(value) && value.every(item => typeof item === 'string')
  if (properties.categories !== undefined && !isStringList(properties.categories)) {
    problems.push(`${templatePath}: properties categories must be a list of strings`)
  }
  if (properties.filePatterns !== undefined) {
    if (!isStringList(properties.filePatterns)) {
      problems.push(`${templatePath}: properties filePatterns must be a list of strings`)
    } else {
      for (const pattern of properties.filePatterns as string[]) {
        try {
          new RegExp(pattern)
        } catch {
          problems.push(
            `${templatePath}: properties filePatterns has an invalid regular expression ${pattern}`
          )
        }
      }
    }
  }
  return problems
}

/**
 * A value forwarded from a workflow input to the action has the type the action expects: a
 * `type: boolean` input for an action input that defaults to true/false, `type: number` for one
 * with a numeric default, `type: string` otherwise. A boolean passed where the action wants a
 * word, or a number input for a list, would only fail when a user tries it.
 */
export function checkActionInputTypes(file: WorkflowFile, action: ActionInputs): string[] {
  const problems: string[] = []
  const inputs = callInputs(file.workflow)
  for (const [jobId, job] of jobsOf(file.workflow)) {
    for (const step of job.steps ?? []) {
      if (!isActionStep(step)) continue
      for (const [key, value] of Object.entries(step.with ?? {})) {
        const source = forwardedInput(value)
        const spec = action.get(key)
        const declared = source === undefined ? undefined : inputs[source]
        if (!spec || !declared) continue
        const expected = actionInputKind(spec)
        const type = declared.type ?? 'string'
        if (type !== expected) {
          problems.push(
            `${file.path}: job ${jobId}: inputs.${source ?? '?'} is type ${type}, but action.yml's ${key} takes a ${expected}`
          )
        }
      }
    }
  }
  return problems
}

/** Marks the list of action inputs a reusable workflow leaves out on purpose (a comment block). */
export const NOT_EXPOSED_HEADING = '# Inputs of the action that this workflow does not expose'

/**
 * The `name: reason` lines under NOT_EXPOSED_HEADING, up to the first line that is not an
 * indented comment entry.
 */
export function notExposed(text: string): Map<string, string> {
  const lines = text.split('\n')
  const start = lines.findIndex(line => line.startsWith(NOT_EXPOSED_HEADING))
  const result = new Map<string, string>()
  if (start < 0) return result
  for (const line of lines.slice(start + 1)) {
    const entry = /^#\s{2,}([\w-]+):\s*(.+)$/.exec(line)
    if (!entry?.[1] || !entry[2]) break
    result.set(entry[1], entry[2].trim())
  }
  return result
}

/** An expression that lets the caller decide the value (an input, a secret, or a step fed by one). */
const CALLER_CONTROLLED = /\$\{\{[^}]*\b(?:inputs|secrets|steps)\./

/**
 * Every action input is either reachable from the caller (the action step passes a value that
 * comes from `inputs.*`, `secrets.*` or a step derived from them) or named in the workflow's list
 * of inputs it does not expose, with a reason; never both, and the list names only real inputs.
 */
export function checkReachability(file: WorkflowFile, action: ActionInputs): string[] {
  const problems: string[] = []
  const listed = notExposed(file.text)
  const steps = jobsOf(file.workflow).flatMap(([, job]) => (job.steps ?? []).filter(isActionStep))
  if (steps.length === 0) return [`${file.path}: no step runs the action`]
  const given: Record<string, unknown> = Object.assign({}, ...steps.map(step => step.with ?? {}))
  for (const name of action.keys()) {
    const value = given[name]
    const reachable = typeof value === 'string' && CALLER_CONTROLLED.test(value)
    const reason = listed.get(name)
    if (reachable && reason !== undefined) {
      problems.push(`${file.path}: ${name} is passed from the caller but also listed as not exposed`)
    } else if (!reachable && reason === undefined) {
      problems.push(
        `${file.path}: ${name} is neither passed from the caller nor listed as not exposed (with a reason)`
      )
    }
  }
  for (const name of listed.keys()) {
    if (!action.has(name))
      problems.push(`${file.path}: lists ${name} as not exposed, but action.yml has no such input`)
  }
  return problems
}
