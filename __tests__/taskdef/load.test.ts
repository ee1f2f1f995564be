import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadTaskDefinitionFile, parseTaskDefinitionText } from '../../src/taskdef/load.js'
import { fixturePath, fixtureText } from '../../__fixtures__/load.js'

describe('parseTaskDefinitionText', () => {
  it('reads JSON and YAML into the same definition', () => {
    const json = parseTaskDefinitionText(fixtureText('taskdef/web.json'), 'web.json')
    const yaml = parseTaskDefinitionText(fixtureText('taskdef/web.yaml'), 'web.yaml')
    expect(yaml.taskDefinition.containerDefinitions).toEqual(json.taskDefinition.containerDefinitions)
    expect([yaml.taskDefinition.cpu, yaml.taskDefinition.memory]).toEqual(['512', '1024'])
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

describe('a YAML file whose aliases expand too far (a "billion laughs")', () => {
  // Nine levels of nine aliases each: 9^9 values if it were expanded.
  const levels = 'abcdefghi'.split('')
  const bomb = [
    'family: web',
    `${levels[0]}: &${levels[0]} [x, x, x, x, x, x, x, x, x]`,
    ...levels.slice(1).map((name, i) => `${name}: &${name} [${Array(9).fill(`*${levels[i]}`).join(', ')}]`),
    'containerDefinitions: [{ name: web }]',
    ''
  ].join('\n')

  it('is refused naming the file, not with a bare ReferenceError', () => {
    expect(() => parseTaskDefinitionText(bomb, 'laughs.yaml')).toThrow(
      /^task-definition laughs\.yaml: the YAML could not be expanded: Excessive alias count .*; write the values out\)$/
    )
  })
})

describe('values ECS takes as strings, and tags YAML cannot resolve', () => {
  const container = (lines: string) => `family: web\ncontainerDefinitions:\n  - name: web\n${lines}`
  it.each([
    [
      'an environment value YAML reads as a number',
      container('    environment:\n      - name: PORT\n        value: 8000\n'),
      'task-definition td.yaml: line 6: containerDefinitions[0].environment[0].value is the number 8000, but ECS takes a string there (RegisterTaskDefinition would answer SerializationException, naming no field); write it in quotes: "8000"'
    ],
    [
      'a version YAML would shorten (1.10 is read as 1.1)',
      container('    environment:\n      - name: V\n        value: 1.10\n'),
      'value is the number 1.1, but ECS takes a string there (RegisterTaskDefinition would answer SerializationException, naming no field); write it in quotes: "1.10"'
    ],
    [
      'a boolean log option',
      container(
        '    logConfiguration:\n      logDriver: awslogs\n      options:\n        awslogs-create-group: true\n'
      ),
      'line 7: containerDefinitions[0].logConfiguration.options.awslogs-create-group is the boolean true'
    ],
    [
      'a number in the command',
      container('    command: [gunicorn, --workers, 3]\n'),
      'line 4: containerDefinitions[0].command[2] is the number 3'
    ],
    [
      'task cpu as a number',
      'family: web\ncpu: 512\ncontainerDefinitions:\n  - name: web\n',
      'line 2: cpu is the number 512'
    ],
    [
      'a mapping where a label value goes',
      container('    dockerLabels:\n      a: {b: c}\n'),
      'containerDefinitions[0].dockerLabels.a is a mapping, but ECS takes a string there (RegisterTaskDefinition would answer SerializationException, naming no field); write a string'
    ],
    [
      "CloudFormation's !Ref",
      container('    environment:\n      - name: DB\n        value: !Ref DbHost\n'),
      'task-definition td.yaml: line 6, column 16: the tag !Ref is not resolved here'
    ],
    ["CloudFormation's !Sub", container('    image: !Sub "${Repo}:v1"\n'), 'line 4, column 12: the tag !Sub']
  ])('%s: refused naming the file and line', (_name, text, message) => {
    expect(() => parseTaskDefinitionText(text, 'td.yaml')).toThrow(message)
  })

  it('a JSON file with a number where ECS takes a string is refused at its line too', () => {
    const text =
      '{\n  "family": "web",\n  "containerDefinitions": [\n    { "name": "web", "environment": [{ "name": "P", "value": 8000 }] }\n  ]\n}'
    expect(() => parseTaskDefinitionText(text, 'td.json')).toThrow(
      'task-definition td.json: line 4: containerDefinitions[0].environment[0].value is the number 8000'
    )
  })

  it('the tags of describe-task-definition output are checked where they sit', () => {
    const text =
      'taskDefinition:\n  family: web\n  containerDefinitions:\n    - name: web\ntags:\n  - key: k\n    value: 2\n'
    expect(() => parseTaskDefinitionText(text, 'td.yaml')).toThrow('line 7: tags[0].value is the number 2')
  })

  it('quoted values, numbers where ECS takes numbers, and empty values are accepted', () => {
    const text = container(
      "    cpu: 256\n    portMappings:\n      - containerPort: 8000\n    environment:\n      - name: PORT\n        value: '8000'\n      - name: EMPTY\n        value:\n    healthCheck:\n      command: [CMD-SHELL, 'curl -f localhost:8000']\n      retries: 3\n"
    )
    const source = parseTaskDefinitionText(text, 'td.yaml')
    expect(source.taskDefinition.containerDefinitions).toEqual([
      expect.objectContaining({
        cpu: 256,
        environment: [
          { name: 'PORT', value: '8000' },
          { name: 'EMPTY', value: null }
        ]
      })
    ])
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
