// The workflows against the action's contract (action.yml) and our workflow rules: inputs,
// permissions, pinning, script injection, concurrency, and the starter templates' metadata.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  NOT_EXPOSED_HEADING,
  ROOT,
  actionInputKind,
  callInputs,
  checkActionInputTypes,
  checkActionInputs,
  checkPermissions,
  checkPinning,
  checkProperties,
  checkReachability,
  checkReusableCalls,
  checkScripts,
  isActionStep,
  loadActionInputs,
  notExposed,
  readWorkflow,
  templatePaths,
  workflowPaths,
  type Job,
  type Step,
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
const jobOf = (name: string, id: string): Job => {
  const job = byName(name).workflow.jobs?.[id]
  if (!job) throw new Error(`${name} has no job ${id}`)
  return job
}
const stepsOf = (name: string): Step[] =>
  Object.values(byName(name).workflow.jobs ?? {}).flatMap(job => job.steps ?? [])
const actionStep = (name: string): Step => {
  const step = stepsOf(name).find(isActionStep)
  if (!step) throw new Error(`${name} does not run the action`)
  return step
}
const DEPLOYING = ['deploy.yml', 'rollback.yml', 'preview.yml']

const DEPLOYER = { contents: 'read', 'id-token': 'write', deployments: 'write' }
/** The most each file may grant. pull-requests: write only where a preview comments. */
const ALLOWED: Record<string, Record<string, string>> = {
  '.github/workflows/deploy.yml': DEPLOYER,
  '.github/workflows/rollback.yml': DEPLOYER,
  '.github/workflows/preview.yml': { ...DEPLOYER, 'pull-requests': 'write' },
  '.github/workflows/ci.yml': { contents: 'read' },
  '.github/workflows/check-dist.yml': { contents: 'read' },
  '.github/workflows/release.yml': { contents: 'write' },
  'workflows-templates/ecs-ship-deploy.yml': DEPLOYER,
  'workflows-templates/ecs-ship-deploy-approval.yml': DEPLOYER,
  'workflows-templates/ecs-ship-rollback.yml': DEPLOYER,
  'workflows-templates/ecs-ship-preview.yml': { ...DEPLOYER, 'pull-requests': 'write' }
}

/**
 * Inputs whose default is the workflow's own choice, not action.yml's: preview.yml records every
 * preview in the environment `preview` unless told otherwise, where the action records none.
 */
const OWN_DEFAULTS: Record<string, ReadonlySet<string>> = {
  '.github/workflows/preview.yml': new Set(['environment'])
}

describe('inputs passed to the action', () => {
  it('action.yml has inputs to check against', () => {
    expect(action.get('service')?.required).toBe(true)
    expect(action.size).toBeGreaterThan(20)
  })

  it.each(all.map(file => [file.path, file] as const))(
    '%s: exist in action.yml, required ones passed, defaults agree',
    (_, file) => {
      expect(checkActionInputs(file, action, OWN_DEFAULTS[file.path])).toEqual([])
    }
  )

  it.each(['deploy.yml', 'rollback.yml', 'preview.yml'])(
    '%s runs the action once per job that runs it',
    name => {
      const jobs = Object.values(byName(name).workflow.jobs ?? {})
      for (const job of jobs) expect((job.steps ?? []).filter(isActionStep).length).toBeLessThanOrEqual(1)
      const steps = jobs.flatMap(job => job.steps ?? [])
      expect(steps.filter(isActionStep)).toHaveLength(name === 'deploy.yml' ? 3 : 1)
    }
  )

  it.each([
    ['deploy.yml', 'deploy'],
    ['rollback.yml', 'rollback']
  ])('%s runs mode %s', (name, mode) => {
    const step = Object.values(byName(name).workflow.jobs ?? {})
      .flatMap(job => job.steps ?? [])
      .find(isActionStep)
    expect(step?.with?.mode).toBe(mode)
  })

  it.each(all.map(file => [file.path, file] as const))(
    '%s: forwarded inputs have the type the action expects',
    (_, file) => {
      expect(checkActionInputTypes(file, action)).toEqual([])
    }
  )

  it.each(DEPLOYING)('%s: every action input is reachable, or listed as not exposed with a reason', name => {
    expect(checkReachability(byName(name), action)).toEqual([])
    expect(byName(name).text).toContain(NOT_EXPOSED_HEADING)
  })

  it('reads the list of inputs a workflow does not expose', () => {
    expect(notExposed(byName('deploy.yml').text).get('mode')).toBe(
      "`deploy` in the deploy job, `promote` and `abort` in the approval path's jobs."
    )
    expect(notExposed(byName('rollback.yml').text).size).toBeGreaterThan(20)
    expect(notExposed('name: x\n')).toEqual(new Map())
  })

  it('infers the kind of value each action input takes from its default', () => {
    expect(actionInputKind({ required: false, default: 'true' })).toBe('boolean')
    expect(actionInputKind({ required: false, default: '30' })).toBe('number')
    expect(actionInputKind({ required: false, default: '' })).toBe('string')
    expect(actionInputKind({ required: true })).toBe('string')
  })

  it('preview.yml destroys on closed and previews otherwise', () => {
    const step = Object.values(byName('preview.yml').workflow.jobs ?? {})
      .flatMap(job => job.steps ?? [])
      .find(isActionStep)
    expect(step?.with?.mode).toBe("${{ github.event.action == 'closed' && 'preview-destroy' || 'preview' }}")
  })
})

describe('deploy.yml: the approval path', () => {
  const modeOf = (id: string) => (jobOf('deploy.yml', id).steps ?? []).find(isActionStep)?.with?.mode
  const inputs = () => callInputs(byName('deploy.yml').workflow)

  it('deploys with wait-until ready when an approval environment is set, and hands the test URL over', () => {
    const step = (jobOf('deploy.yml', 'deploy').steps ?? []).find(isActionStep)
    expect(step?.with?.['wait-until']).toBe(
      "${{ inputs.approval-environment && 'ready' || inputs.wait-until }}"
    )
    expect(step?.with?.['test-url']).toBe('${{ inputs.test-url }}')
    expect(inputs()['approval-environment']?.default).toBe('')
  })

  it('promotes in the protected approval environment, only after a deploy that waits', () => {
    const promote = jobOf('deploy.yml', 'promote')
    expect(modeOf('promote')).toBe('promote')
    expect(promote.needs).toBe('deploy')
    expect(promote.if).toBe("needs.deploy.outputs.status == 'ready'")
    expect(promote.environment).toMatchObject({
      name: '${{ inputs.approval-environment }}',
      deployment: false
    })
    const step = (promote.steps ?? []).find(isActionStep)
    expect(step?.with?.['deployment-id']).toBe('${{ needs.deploy.outputs.deployment-id }}')
  })

  it('aborts when the promote was rejected or failed before production moved, in the unprotected environment', () => {
    const abort = jobOf('deploy.yml', 'abort')
    expect(modeOf('abort')).toBe('abort')
    expect(abort.needs).toEqual(['deploy', 'promote'])
    expect(abort.if).toMatch(
      /^always\(\) && needs\.deploy\.outputs\.status == 'ready' && needs\.promote\.result != 'success'/
    )
    expect(abort.environment).toMatchObject({ name: '${{ inputs.environment }}', deployment: false })
  })

  it('has a starter template that turns it on, for the default branch only', () => {
    const template = templates.find(file => file.path.endsWith('ecs-ship-deploy-approval.yml'))
    const job = template?.workflow.jobs?.deploy
    expect(job?.if).toBe("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)")
    expect(job?.with).toMatchObject({
      'approval-environment': 'production-approval',
      'promote-role-to-assume': expect.stringContaining('role/ecs-ship-promote'),
      'abort-role-to-assume': expect.stringContaining('role/ecs-ship-abort')
    })
  })

  it('each approval job assumes its own role (or the deploy role) and queues apart from deploys', () => {
    for (const id of ['promote', 'abort']) {
      const job = jobOf('deploy.yml', id)
      const configure = (job.steps ?? []).find(s =>
        s.uses?.startsWith('aws-actions/configure-aws-credentials@')
      )
      expect(configure?.with?.['role-to-assume']).toBe(
        `\${{ inputs.${id}-role-to-assume || inputs.role-to-assume }}`
      )
      expect(job.concurrency).toEqual({
        group: 'ecs-ship-approval/${{ inputs.environment }}/${{ inputs.cluster }}/${{ inputs.service }}',
        'cancel-in-progress': false,
        queue: 'max'
      })
      expect((job as Record<string, unknown>)['timeout-minutes']).toBe('${{ inputs.job-timeout-minutes }}')
    }
  })
})

describe('calls to the reusable workflows', () => {
  it.each([...templates, byName('release.yml')].map(file => [file.path, file] as const))(
    '%s: known inputs of the right types, known secrets, required ones, enough permissions',
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

  it.each([
    'Find the ecs-ship commit to run',
    "Check the workflow's own inputs",
    'Check that it is ecs-ship'
  ])('the three reusable workflows share one script for "%s"', stepName => {
    const scripts = DEPLOYING.map(name => stepsOf(name).find(step => step.name === stepName)?.run)
    expect(scripts[0]).toBeDefined()
    expect(new Set(scripts).size).toBe(1)
  })

  it('deploy.yml and preview.yml hand build secrets over with one script, from the secret only', () => {
    const steps = ['deploy.yml', 'preview.yml'].map(name =>
      stepsOf(name).find(step => step.id === 'build-secrets')
    )
    expect(steps[0]?.run).toBeDefined()
    expect(steps[0]?.run).toBe(steps[1]?.run)
    for (const step of steps) expect(step?.env).toEqual({ BUILD_SECRETS: '${{ secrets.build-secrets }}' })
    for (const name of ['deploy.yml', 'preview.yml']) {
      expect(actionStep(name).with?.['build-secrets']).toBe('${{ steps.build-secrets.outputs.ids }}')
      expect(callInputs(byName(name).workflow)['build-secrets']).toBeUndefined()
    }
  })
})

describe('forks', () => {
  const fork = jobOf('preview.yml', 'fork')

  it('the fork job runs exactly when the preview job does not', () => {
    const normalise = (text = '') => text.replace(/\s+/g, ' ').trim()
    expect(normalise(jobOf('preview.yml', 'preview').if)).toBe(
      "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository"
    )
    expect(normalise(fork.if)).toBe(
      "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name != github.repository"
    )
  })

  it('the fork job has no permissions, checks nothing out and runs no action', () => {
    expect(fork.permissions).toEqual({})
    expect((fork.steps ?? []).filter(step => step.uses !== undefined)).toEqual([])
    const script = fork.steps?.[0]?.run ?? ''
    expect(script).toContain('::notice title=No preview::')
    expect(script).toContain('GITHUB_STEP_SUMMARY')
  })
})

describe('one GitHub Deployment per run', () => {
  it.each(['deploy.yml', 'rollback.yml'])(
    '%s: the job records it (github-deployment: job) or the action does (ecs-ship), never both',
    name => {
      const job = jobOf(name, name.replace('.yml', ''))
      expect(job.environment).toMatchObject({
        name: '${{ inputs.environment }}',
        deployment: "${{ inputs.github-deployment == 'job' }}"
      })
      expect(actionStep(name).with?.environment).toBe(
        "${{ inputs.github-deployment == 'ecs-ship' && inputs.environment || '' }}"
      )
      expect(callInputs(byName(name).workflow)['github-deployment']?.default).toBe('ecs-ship')
    }
  )

  it('preview.yml: the action records each preview in one environment; the job names none, so its OIDC subject is the pull request', () => {
    expect(jobOf('preview.yml', 'preview').environment).toBeUndefined()
    expect(actionStep('preview.yml').with?.environment).toBe('${{ inputs.environment }}')
    expect(callInputs(byName('preview.yml').workflow).environment?.default).toBe('preview')
  })
})

describe('the runner workspace', () => {
  it.each(DEPLOYING)('%s: ecs-ship sits next to the repository, never inside the build context', name => {
    const checkouts = stepsOf(name).filter(step => step.uses?.startsWith('actions/checkout@'))
    const paths = checkouts.map(step => step.with?.path)
    expect(paths).toContain('.ecs-ship-action')
    if (name !== 'rollback.yml') expect(paths).toContain('repository')
    const ship = actionStep(name)
    expect(ship.uses).toBe('./.ecs-ship-action')
    expect(String(ship.with?.['build-context'] ?? 'repository/')).toMatch(/^repository\//)
    for (const key of ['task-definition', 'dockerfile', 'codedeploy-appspec']) {
      const value = ship.with?.[key]
      if (value !== undefined) expect(value).toContain(`format('repository/{0}', inputs.${key})`)
    }
  })

  it.each(DEPLOYING)('%s: a private fork is read with the secret action-token', name => {
    const step = stepsOf(name).find(s => s.name === 'Check out ecs-ship')
    expect(step?.with?.token).toBe('${{ secrets.action-token || github.token }}')
  })
})

describe('AWS session and job timeout', () => {
  it.each(DEPLOYING)(
    '%s: role-duration-seconds reaches configure-aws-credentials and covers the job timeout',
    name => {
      const inputs = callInputs(byName(name).workflow)
      const configure = stepsOf(name).find(step =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@')
      )
      expect(configure?.with?.['role-duration-seconds']).toBe('${{ inputs.role-duration-seconds }}')
      expect(inputs['role-duration-seconds']?.type).toBe('number')
      expect(inputs['job-timeout-minutes']?.type).toBe('number')
      const minutes = Number(inputs['job-timeout-minutes']?.default)
      const seconds = Number(inputs['role-duration-seconds']?.default)
      expect(minutes * 60).toBeLessThanOrEqual(seconds)
      expect(jobOf(name, name === 'preview.yml' ? 'preview' : name.replace('.yml', ''))).toMatchObject({
        'timeout-minutes': '${{ inputs.job-timeout-minutes }}'
      })
    }
  )
})

describe('concurrency', () => {
  const shared = {
    group: 'ecs-ship/${{ inputs.environment }}/${{ inputs.cluster }}/${{ inputs.service }}',
    'cancel-in-progress': false,
    queue: 'max'
  }

  it.each(['deploy.yml', 'rollback.yml'])(
    '%s: one queue per environment, cluster and service, shared by deploys and rollbacks; nothing dropped or cancelled',
    name => {
      expect(jobOf(name, name.replace('.yml', '')).concurrency).toEqual(shared)
    }
  )

  it('preview.yml: one run per pull request, never cancelled; a newer event replaces a waiting one', () => {
    expect(jobOf('preview.yml', 'preview').concurrency).toEqual({
      group:
        'ecs-ship-preview/${{ inputs.environment }}/${{ inputs.cluster }}/${{ inputs.service }}/pr-${{ github.event.pull_request.number }}',
      'cancel-in-progress': false
    })
  })

  it('no template takes a group of the reusable workflows (it would wait for itself)', () => {
    for (const file of templates) expect(file.text).not.toMatch(/group:\s*['"]?ecs-ship/)
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

  it.each(templatePaths())(
    '%s works copied by hand: no $default-branch, which only an organisation template gets replaced',
    path => {
      expect(readFileSync(join(ROOT, path), 'utf8')).not.toContain('$default-branch')
    }
  )

  it('the deploy template deploys only the default branch, checked by the job itself', () => {
    const deploy = templates.find(file => file.path.endsWith('ecs-ship-deploy.yml'))
    expect(deploy?.workflow.jobs?.deploy?.if).toBe(
      "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    )
  })

  it.each([
    ['ecs-ship-deploy', ['Dockerfile', '.aws/task-definition.json']],
    ['ecs-ship-rollback', ['Dockerfile', '.aws/task-definition.json']],
    ['ecs-ship-preview', ['Dockerfile', '.aws/task-definition.preview.json']]
  ])('%s.properties.json: filePatterns match %j', (name, paths) => {
    const properties = JSON.parse(
      readFileSync(join(ROOT, `workflows-templates/${name}.properties.json`), 'utf8')
    ) as { filePatterns: string[] }
    for (const path of paths) {
      expect(properties.filePatterns.some(pattern => new RegExp(pattern).test(path))).toBe(true)
    }
    // GitHub tests the patterns against the repository's root entries: `.aws` is one.
    expect(properties.filePatterns.some(pattern => new RegExp(pattern).test('.aws'))).toBe(true)
  })

  it('the rollback template picks role, region, cluster and service from the environment it is given', () => {
    const rollback = templates.find(file => file.path.endsWith('ecs-ship-rollback.yml'))
    const settings = rollback?.workflow.jobs?.settings
    expect(settings?.environment).toEqual({ name: '${{ inputs.environment }}', deployment: false })
    expect(settings?.permissions).toEqual({})
    const call = rollback?.workflow.jobs?.rollback
    expect(call?.needs).toBe('settings')
    for (const key of ['role-to-assume', 'aws-region', 'cluster', 'service']) {
      expect(call?.with?.[key]).toBe(`\${{ needs.settings.outputs.${key} }}`)
      expect(String((settings as { outputs?: Record<string, string> } | undefined)?.outputs?.[key])).toMatch(
        /^\$\{\{ vars\.ECS_SHIP_\w+ \}\}$/
      )
    }
  })

  it.each(templatePaths())('%s: `@v1` is what the release workflow creates', path => {
    const refs = [
      ...readFileSync(join(ROOT, path), 'utf8').matchAll(/^\s*uses: ecs-ship\/ecs-ship\/\S+@(\S+)/gm)
    ].map(match => match[1])
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of refs) expect(ref).toBe('v1')
    const release = byName('release.yml')
    expect(release.workflow.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
    expect(release.text).toContain('major=${TAG%%.*}')
    expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[1\.0\.0\]/m)
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

  it('forwarded inputs of the wrong type, and inputs neither reachable nor listed', () => {
    expect(checkActionInputTypes(bad, action)).toEqual([
      `${bad.path}: job deploy: inputs.wait-for-minutes is type string, but action.yml's wait-for-minutes takes a number`
    ])
    const unreachable = checkReachability(bad, action)
    expect(unreachable).toEqual(
      expect.arrayContaining([
        `${bad.path}: mode is neither passed from the caller nor listed as not exposed (with a reason)`,
        `${bad.path}: service is neither passed from the caller nor listed as not exposed (with a reason)`
      ])
    )
    expect(unreachable).not.toEqual(expect.arrayContaining([expect.stringContaining(': cluster is')]))
    const listedAndPassed = {
      ...bad,
      text: `${NOT_EXPOSED_HEADING}:\n#   cluster: fixed.\n#   colour: no such input.\n`
    }
    expect(checkReachability(listedAndPassed, action)).toEqual(
      expect.arrayContaining([
        `${bad.path}: cluster is passed from the caller but also listed as not exposed`,
        `${bad.path}: lists colour as not exposed, but action.yml has no such input`
      ])
    )
  })

  it('wrong calls to a reusable workflow', () => {
    expect(checkReusableCalls(badCaller, reusable)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('with.colour is not an input of deploy.yml'),
        expect.stringContaining('with.wait-for-minutes is a string, but deploy.yml declares it type number'),
        expect.stringContaining('with.dry-run is a string, but deploy.yml declares it type boolean'),
        expect.stringContaining('secrets.token is not a secret of deploy.yml'),
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
