import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadTaskDefinitionFile, parseTaskDefinitionText } from '../../src/taskdef/load.js'
import { fixturePath, fixtureText } from '../../__fixtures__/load.js'

describe('parseTaskDefinitionText', () => {
  it('reads JSON and YAML into the same definition (YAML numbers for cpu/memory stay as written)', () => {
    const json = parseTaskDefinitionText(fixtureText('taskdef/web.json'), 'web.json')
    const yaml = parseTaskDefinitionText(fixtureText('taskdef/web.yaml'), 'web.yaml')
    expect(yaml.taskDefinition.containerDefinitions).toEqual(json.taskDefinition.containerDefinitions)
    expect(yaml.taskDefinition.family).toBe('web')
    expect(json.tags).toEqual([])
  })

  it('unwraps the output of describe-task-definition and keeps its tags', () => {
    const source = parseTaskDefinitionText(fixtureText('taskdef/described-web-7.json'), 'described.json')
    expect(source.taskDefinition.family).toBe('web')
    expect(source.tags).toEqual([{ key: 'team', value: 'shop' }])
  })

  it.each([
    [
      'bad.json',
      '{\n  "family": "web",\n  "containerDefinitions": [\n}',
      'task-definition bad.json: invalid JSON at line 4, column 1'
    ],
    ['bad.json', '{\n  "family": "web",', 'task-definition bad.json: invalid JSON at line 2, column 19'],
    [
      'bad.yaml',
      'family: web\ncontainerDefinitions:\n  - name: web\n    image: [unclosed\n',
      'task-definition bad.yaml: invalid YAML at line'
    ],
    ['dup.yaml', 'family: web\nfamily: api\n', 'task-definition dup.yaml: invalid YAML at line 2, column 1'],
    ['empty.json', '  \n', 'task-definition empty.json: the file is empty'],
    ['list.yaml', '- a\n- b\n', 'task-definition list.yaml: expected an object'],
    [
      'nofamily.json',
      '{"containerDefinitions":[{"name":"web"}]}',
      'task-definition nofamily.json: family is missing'
    ],
    [
      'nocontainers.json',
      '{"family":"web","containerDefinitions":[]}',
      'task-definition nocontainers.json: containerDefinitions is missing or empty'
    ],
    [
      'noname.yaml',
      'family: web\ncontainerDefinitions:\n  - image: x\n',
      'task-definition noname.yaml: containerDefinitions[0] has no name'
    ]
  ])('%s: %s → names the file and where', (file, text, message) => {
    expect(() => parseTaskDefinitionText(text, file)).toThrow(message)
  })
})

describe('loadTaskDefinitionFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-taskdef-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('loads a file from disk', async () => {
    const source = await loadTaskDefinitionFile(fixturePath('taskdef/web.yaml'))
    expect(source.taskDefinition.networkMode).toBe('awsvpc')
  })

  it('says plainly when the file does not exist', async () => {
    await expect(loadTaskDefinitionFile(join(dir, 'missing.json'), dir)).rejects.toThrow(
      /missing\.json: no such file/
    )
  })

  it('names the file on a syntax error', async () => {
    const path = join(dir, 'task.yml')
    writeFileSync(path, 'family: web\ncontainerDefinitions:\n  - name: [web\n')
    await expect(loadTaskDefinitionFile(path, dir)).rejects.toThrow(
      `task-definition ${path}: invalid YAML at line`
    )
  })
})
