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
  with?: Record<string, unknown>
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

/** The workflow_call inputs of a reusable workflow (empty when it is not one). */
export function callInputs(workflow: Workflow): Record<string, WorkflowCallInput> {
  const on = workflow.on
  if (!on || typeof on !== 'object' || Array.isArray(on)) return {}
  const call = on.workflow_call as { inputs?: Record<string, WorkflowCallInput> } | null | undefined
  return call?.inputs ?? {}
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

/** `${{ inputs.x }}` and nothing else: the value is forwarded unchanged from a workflow input. */
function forwardedInput(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  return /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value)?.[1]
}

/**
 * Every `with:` key given to the action exists in action.yml; every required input is given;
 * a value forwarded from a workflow input refers to an input that exists and, when that input
 * has a default, it is action.yml's default (so the action behaves the same called either way).
 */
export function checkActionInputs(file: WorkflowFile, action: ActionInputs): string[] {
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
