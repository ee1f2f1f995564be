// The workflows against the action's contract (action.yml) and our workflow rules: inputs,
// permissions, pinning, script injection, concurrency, and the starter templates' metadata.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  ROOT,
  checkActionInputs,
  checkPermissions,
  checkPinning,
  checkProperties,
  checkReusableCalls,
  checkScripts,
  isActionStep,
  loadActionInputs,
  readWorkflow,
  templatePaths,
  workflowPaths,
  type TemplateProperties,
  type WorkflowFile
} from './checks.js'

const action = loadActionInputs()
const workflows = workflowPaths().map(path => readWorkflow(path))
const templates = templatePaths().map(path => readWorkflow(path))
const all = [...workflows, ...templates]
const reusable = new Map(workflows.map(file => [file.path.split('/').pop() ?? '', file]))
const byName = (name: string): WorkflowFile => {
  const file = reusable.get(name)
  if (!file) throw new Error(`${name} is missing from .github/workflows`)
  return file
}

const DEPLOYER = { contents: 'read', 'id-token': 'write', deployments: 'write' }
/** The most each file may grant. pull-requests: write only where a preview comments. */
const ALLOWED: Record<string, Record<string, string>> = {
  '.github/workflows/deploy.yml': DEPLOYER,
  '.github/workflows/rollback.yml': DEPLOYER,
  '.github/workflows/preview.yml': { ...DEPLOYER, 'pull-requests': 'write' },
  '.github/workflows/ci.yml': { contents: 'read' },
  '.github/workflows/check-dist.yml': { contents: 'read' },
  'workflows-templates/ecs-ship-deploy.yml': DEPLOYER,
  'workflows-templates/ecs-ship-rollback.yml': DEPLOYER,
  'workflows-templates/ecs-ship-preview.yml': { ...DEPLOYER, 'pull-requests': 'write' }
}

describe('inputs passed to the action', () => {
  it('action.yml has inputs to check against', () => {
    expect(action.get('service')?.required).toBe(true)
    expect(action.size).toBeGreaterThan(20)
  })

  it.each(all.map(file => [file.path, file] as const))(
    '%s: exist in action.yml, required ones passed, defaults agree',
    (_, file) => {
      expect(checkActionInputs(file, action)).toEqual([])
    }
  )

  it.each(['deploy.yml', 'rollback.yml', 'preview.yml'])('%s runs the action', name => {
    const steps = Object.values(byName(name).workflow.jobs ?? {}).flatMap(job => job.steps ?? [])
    expect(steps.filter(isActionStep)).toHaveLength(1)
  })

  it.each([
    ['deploy.yml', 'deploy'],
    ['rollback.yml', 'rollback']
  ])('%s runs mode %s', (name, mode) => {
    const step = Object.values(byName(name).workflow.jobs ?? {})
      .flatMap(job => job.steps ?? [])
      .find(isActionStep)
    expect(step?.with?.mode).toBe(mode)
  })

  it('preview.yml destroys on closed and previews otherwise', () => {
    const step = Object.values(byName('preview.yml').workflow.jobs ?? {})
      .flatMap(job => job.steps ?? [])
      .find(isActionStep)
    expect(step?.with?.mode).toBe("${{ github.event.action == 'closed' && 'preview-destroy' || 'preview' }}")
  })
})

describe('calls to the reusable workflows', () => {
  it.each(templates.map(file => [file.path, file] as const))(
    '%s: known inputs, required ones, enough permissions',
    (_, file) => {
      expect(checkReusableCalls(file, reusable)).toEqual([])
    }
  )

  it('every template calls one of the reusable workflows', () => {
    for (const file of templates) {
      expect(
        Object.values(file.workflow.jobs ?? {}).some(job =>
          /\.github\/workflows\/\w+\.yml@/.test(job.uses ?? '')
        )
      ).toBe(true)
    }
  })
})

describe('permissions', () => {
  it.each(all.map(file => [file.path, file] as const))('%s grants no more than needed', (path, file) => {
    const allowed = ALLOWED[path]
    expect(allowed).toBeDefined()
    expect(checkPermissions(file, allowed ?? {})).toEqual([])
  })

  it.each(['deploy.yml', 'rollback.yml', 'preview.yml'])(
    '%s grants nothing at the top and asks per job',
    name => {
      expect(byName(name).workflow.permissions).toEqual({})
    }
  )
})

describe('supply chain and injection', () => {
  it.each(all.map(file => [file.path, file] as const))(
    '%s pins third-party actions to a commit SHA',
    (_, file) => {
      expect(checkPinning(file)).toEqual([])
    }
  )

  it.each(all.map(file => [file.path, file] as const))('%s keeps event fields out of scripts', (_, file) => {
    expect(checkScripts(file)).toEqual([])
  })

  it('preview.yml never gives a fork credentials', () => {
    const job = byName('preview.yml').workflow.jobs?.preview
    expect(job?.if?.replace(/\s+/g, ' ')).toContain(
      'github.event.pull_request.head.repo.full_name == github.repository'
    )
    expect(job?.if).toContain("github.event_name == 'pull_request'")
  })

  it('the three reusable workflows find the ecs-ship commit with the same script', () => {
    const scripts = ['deploy.yml', 'rollback.yml', 'preview.yml'].map(
      name =>
        Object.values(byName(name).workflow.jobs ?? {})
          .flatMap(job => job.steps ?? [])
          .find(step => step.id === 'self')?.run
    )
    expect(scripts[0]).toContain('job_workflow_sha')
    expect(new Set(scripts).size).toBe(1)
  })
})

describe('concurrency', () => {
  it.each(['deploy.yml', 'rollback.yml'])(
    '%s: one run per environment, never cancelling one in flight',
    name => {
      for (const job of Object.values(byName(name).workflow.jobs ?? {})) {
        expect(job.concurrency).toEqual({
          group: 'ecs-ship-${{ inputs.environment }}',
          'cancel-in-progress': false
        })
      }
    }
  )

  it('preview.yml: one run per pull request, never cancelled', () => {
    const job = byName('preview.yml').workflow.jobs?.preview
    expect(job?.concurrency).toEqual({
      group: 'ecs-ship-${{ inputs.environment }}-pr-${{ github.event.pull_request.number }}',
      'cancel-in-progress': false
    })
  })
})

describe('starter templates', () => {
  it('has no metadata without its workflow', () => {
    const metadata = readdirSync(join(ROOT, 'workflows-templates')).filter(name =>
      name.endsWith('.properties.json')
    )
    expect(
      metadata.map(name => `workflows-templates/${name.replace(/\.properties\.json$/, '.yml')}`).sort()
    ).toEqual(templatePaths())
  })

  it.each(templatePaths())('%s has valid .properties.json', path => {
    const propertiesPath = join(ROOT, path.replace(/\.ya?ml$/, '.properties.json'))
    const properties = existsSync(propertiesPath)
      ? (JSON.parse(readFileSync(propertiesPath, 'utf8')) as TemplateProperties)
      : undefined
    expect(checkProperties(path, properties)).toEqual([])
  })
})

describe('the checks catch what they claim to (bad fixtures)', () => {
  const bad = readWorkflow('__fixtures__/github/bad-workflow.yml')
  const badCaller = readWorkflow('__fixtures__/github/bad-caller.yml')

  it('unknown and missing action inputs, and defaults that disagree with action.yml', () => {
    const problems = checkActionInputs(bad, action)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('with.servce is not an input of action.yml'),
        expect.stringContaining('required input service is not passed'),
        expect.stringContaining(
          'inputs.cluster defaults to "production" but action.yml\'s cluster defaults to "default"'
        ),
        expect.stringContaining('forwards inputs.region, which the workflow does not declare')
      ])
    )
  })

  it('wrong calls to a reusable workflow', () => {
    expect(checkReusableCalls(badCaller, reusable)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('with.colour is not an input of deploy.yml'),
        expect.stringContaining('required input aws-region of deploy.yml is not passed'),
        expect.stringContaining('grants id-token: none, but deploy.yml job deploy needs write'),
        expect.stringContaining('grants deployments: none, but deploy.yml job deploy needs write')
      ])
    )
  })

  it('wide permissions', () => {
    expect(checkPermissions(bad, DEPLOYER)).toEqual([
      `${bad.path}: workflow grants write-all`,
      `${bad.path}: job deploy grants contents: write, more than read`
    ])
    expect(checkPermissions({ ...bad, workflow: { jobs: {} } }, DEPLOYER)).toEqual([
      `${bad.path}: no top-level permissions (the repository default applies, possibly write-all)`
    ])
  })

  it('tags instead of SHAs, and SHAs without their version', () => {
    expect(checkPinning(bad)).toEqual([
      expect.stringMatching(/bad-workflow\.yml:\d+: actions\/checkout@v4 is not pinned to a full commit SHA/),
      expect.stringMatching(/configure-aws-credentials@e3dd6a4\w+ has no "# vX" comment/)
    ])
  })

  it('event fields in scripts, and pull_request_target', () => {
    expect(checkScripts(bad)).toEqual([
      `${bad.path}: job deploy, step greet expands github.event in run:`,
      `${bad.path}: triggers on pull_request_target`
    ])
  })

  it('template metadata', () => {
    expect(checkProperties('t.yml', undefined)).toEqual(['t.yml: no t.properties.json'])
    expect(checkProperties('t.yml', { name: 'x', categories: 'Deployment', filePatterns: ['('] })).toEqual([
      't.yml: properties description missing',
      't.yml: properties categories must be a list of strings',
      't.yml: properties filePatterns has an invalid regular expression ('
    ])
  })
})
