import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { loadTaskDefinitionFile } from '../../src/taskdef/load.js'
import { parseAppSpec } from '../../src/strategies/codedeploy/appspec.js'
import { fileInWorkspace, jsonProblem, workspaceRoot, yamlProblem } from '../../src/util/input-file.js'

// A workspace with a file in it, a secret file beside it (outside), and links between them.
const base = realpathSync(mkdtempSync(join(tmpdir(), 'ecs-ship-workspace-')))
const workspace = join(base, 'repo')
const SECRET = 'runner-secret-3f9a'
beforeAll(() => {
  mkdirSync(join(workspace, 'deploy'), { recursive: true })
  writeFileSync(
    join(workspace, 'deploy', 'task.json'),
    '{"family":"web","containerDefinitions":[{"name":"web"}]}'
  )
  writeFileSync(join(base, 'credentials'), `${SECRET}\n`)
  symlinkSync(join(base, 'credentials'), join(workspace, 'deploy', 'outside.json'))
  symlinkSync(join(workspace, 'deploy', 'task.json'), join(workspace, 'inside.json'))
  symlinkSync(base, join(workspace, 'up'))
  symlinkSync(workspace, join(base, 'workspace-link'))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('fileInWorkspace', () => {
  it('takes a relative path from the workspace and gives the real path', async () => {
    expect(await fileInWorkspace('task-definition', 'deploy/task.json', workspace)).toBe(
      join(workspace, 'deploy', 'task.json')
    )
    expect(await fileInWorkspace('task-definition', 'inside.json', workspace)).toBe(
      join(workspace, 'deploy', 'task.json')
    )
  })

  it('accepts a workspace reached through a symbolic link', async () => {
    expect(await fileInWorkspace('task-definition', 'deploy/task.json', join(base, 'workspace-link'))).toBe(
      join(workspace, 'deploy', 'task.json')
    )
  })

  it('gives a missing file inside back as it is, for the read to say it is missing', async () => {
    expect(await fileInWorkspace('task-definition', 'deploy/none.json', workspace)).toBe(
      join(workspace, 'deploy', 'none.json')
    )
  })

  it.each([
    ['../credentials', 'is'],
    [join(base, 'credentials'), 'is'],
    ['/etc/passwd', 'is'],
    ['/nonexistent/td.json', 'is'],
    ['deploy/outside.json', 'leads to'],
    ['up/credentials', 'leads to']
  ])('refuses %s, naming the input', async (path, what) => {
    await expect(fileInWorkspace('codedeploy-appspec', path, workspace)).rejects.toThrow(
      new RegExp(
        `^input codedeploy-appspec: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${what} .*outside the workspace`
      )
    )
  })

  it('workspaceRoot is GITHUB_WORKSPACE, else the working directory', () => {
    expect(workspaceRoot({ GITHUB_WORKSPACE: '/home/runner/work/app/app' })).toBe('/home/runner/work/app/app')
    expect(workspaceRoot({})).toBe(process.cwd())
  })
})

describe('a file outside is never read, and a syntax error quotes nothing of the file', () => {
  it('task-definition through a symbolic link: refused before reading, the content nowhere', async () => {
    const error = await loadTaskDefinitionFile('deploy/outside.json', workspace).catch((e: Error) => e)
    expect(String(error)).toMatch(
      /input task-definition: deploy\/outside\.json leads to .*outside the workspace/
    )
    expect(String(error)).not.toContain(SECRET)
  })

  it.each([
    ['JSON', 'bad.json', `{"family": ${SECRET}}`, /invalid JSON at line 1, column 12 \(unexpected text\)$/],
    [
      'JSON cut short',
      'short.json',
      `{"family": "${SECRET}`,
      /invalid JSON at line 1, column \d+ \(the text ends too soon\)$/
    ],
    [
      'YAML',
      'bad.yaml',
      `family: web\n  ${SECRET}: [x\n`,
      /invalid YAML at line \d+, column \d+ \([a-z ]+\)$/
    ]
  ])('%s: the position and the kind of problem only', async (_kind, name, text, message) => {
    writeFileSync(join(workspace, name), text)
    const error = await loadTaskDefinitionFile(name, workspace).catch((e: Error) => e)
    expect(String(error)).toMatch(message)
    expect(String(error)).not.toContain(SECRET)
  })

  it('an AppSpec: file and line, the column and the kind of problem', () => {
    const parse = () => parseAppSpec(`version: 0.0\nResources:\n  - ${SECRET}: [x\n`, 'appspec.yaml')
    expect(parse).toThrow(
      /^input codedeploy-appspec: appspec\.yaml:\d+: invalid YAML at column \d+ \([a-z ]+\)$/
    )
    expect(parse).not.toThrow(SECRET)
  })
})

describe('problem words', () => {
  it('jsonProblem tells only whether the text ended too soon', () => {
    expect(jsonProblem('Unexpected end of JSON input')).toBe('the text ends too soon')
    expect(jsonProblem(`Unexpected token 'r', "runner-sec"... is not valid JSON`)).toBe('unexpected text')
  })

  it('yamlProblem names the kind of error by its code', () => {
    const [error] = parseDocument('a: 1\na: 2\n', { uniqueKeys: true }).errors
    expect(yamlProblem(error ?? {})).toBe('duplicate key')
    expect(yamlProblem({})).toBe('syntax error')
  })
})
