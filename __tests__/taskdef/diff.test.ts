import { createHash } from 'node:crypto'
import { diffTaskDefinitions } from '../../src/taskdef/diff.js'
import { parseTaskDefinitionText } from '../../src/taskdef/load.js'
import { renderTaskDefinition } from '../../src/taskdef/render.js'
import { fixtureText } from '../../__fixtures__/load.js'

const described = () => parseTaskDefinitionText(fixtureText('taskdef/described-web-7.json'), 'described.json')

function render(file: string, options: { image?: string; environment?: Map<string, string> } = {}) {
  const source = parseTaskDefinitionText(fixtureText(file), file)
  return renderTaskDefinition(
    { ...source, tags: described().tags },
    {
      containerNames: [],
      environment: options.environment ?? new Map(),
      ...(options.image !== undefined && { image: options.image })
    }
  ).input
}

describe('diffTaskDefinitions', () => {
  it('finds no change between a file and the revision ECS describes for it (defaults, order, number types)', () => {
    const current = described()
    expect(diffTaskDefinitions(current.taskDefinition, render('taskdef/web.json'), current.tags)).toEqual([])
    expect(diffTaskDefinitions(current.taskDefinition, render('taskdef/web.yaml'), current.tags)).toEqual([])
  })

  it('finds no change when rendering the running revision with nothing to set', () => {
    const current = described()
    const rendered = renderTaskDefinition(current, { containerNames: [], environment: new Map() }).input
    expect(diffTaskDefinitions(current.taskDefinition, rendered, current.tags)).toEqual([])
  })

  it('reports image and environment changes as readable lines', () => {
    const current = described()
    const rendered = render('taskdef/web.json', {
      image: 'repo/web:v2',
      environment: new Map([
        ['DEBUG', '1'],
        ['LOG_LEVEL', 'debug']
      ])
    })
    expect(diffTaskDefinitions(current.taskDefinition, rendered, current.tags)).toEqual([
      '~ containerDefinitions[web].image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1 → repo/web:v2',
      '~ containerDefinitions[web].environment LOG_LEVEL: info → debug',
      '+ containerDefinitions[web].environment DEBUG=1'
    ])
  })

  it('ignores the order of environment, secrets and port mappings', () => {
    const a = {
      family: 'f',
      containerDefinitions: [
        {
          name: 'c',
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' }
          ],
          secrets: [
            { name: 'S1', valueFrom: 'arn:1' },
            { name: 'S2', valueFrom: 'arn:2' }
          ],
          portMappings: [{ containerPort: 80 }, { containerPort: 443, protocol: 'tcp' }]
        }
      ]
    }
    const b = {
      family: 'f',
      containerDefinitions: [
        {
          name: 'c',
          environment: [
            { name: 'B', value: '2' },
            { name: 'A', value: '1' }
          ],
          secrets: [
            { name: 'S2', valueFrom: 'arn:2' },
            { name: 'S1', valueFrom: 'arn:1' }
          ],
          portMappings: [{ containerPort: 443 }, { containerPort: 80, protocol: 'tcp', hostPort: 0 }]
        }
      ]
    }
    expect(diffTaskDefinitions(a, b)).toEqual([])
  })

  it('shows secrets by name and source only, and containers and fields added or removed', () => {
    const before = {
      family: 'f',
      cpu: '256',
      containerDefinitions: [
        { name: 'web', image: 'i', secrets: [{ name: 'OLD', valueFrom: 'arn:old' }] },
        { name: 'gone', image: 'g' }
      ]
    }
    const after = {
      family: 'f',
      cpu: 512,
      containerDefinitions: [
        { name: 'web', image: 'i', command: ['gunicorn'], secrets: [{ name: 'NEW', valueFrom: 'arn:new' }] },
        { name: 'sidecar', image: 's' }
      ]
    }
    expect(diffTaskDefinitions(before, after)).toEqual([
      '~ cpu: 256 → 512',
      '+ containerDefinitions[web].command: ["gunicorn"]',
      '+ containerDefinitions[web].secrets NEW (from arn:new)',
      '- containerDefinitions[web].secrets OLD (from arn:old)',
      '+ containerDefinitions[sidecar] (image s)',
      '- containerDefinitions[gone] (image g)'
    ])
  })

  it('reports a changed tag', () => {
    const current = described()
    const rendered = {
      ...renderTaskDefinition(current, { containerNames: [], environment: new Map() }).input,
      tags: [{ key: 'team', value: 'ops' }]
    }
    expect(diffTaskDefinitions(current.taskDefinition, rendered, current.tags)).toEqual([
      '~ tags team: shop → ops'
    ])
  })

  it('shows every value whole or not at all: a secret-looking name hidden, long or multi-line fingerprinted', () => {
    const current = described()
    const token = 'ghp_' + 'a1B2c3D4'.repeat(30)
    const flags = 'f'.repeat(244)
    const notes = 'deployed by CI\n::set-output name=status::succeeded'
    const rendered = render('taskdef/web.json', {
      environment: new Map([
        ['API_TOKEN', token],
        ['FEATURE_FLAGS', flags],
        ['NOTES', notes],
        ['DATABASE_URL', 'postgres://shop:hunter2@db/shop']
      ])
    })
    const lines = diffTaskDefinitions(current.taskDefinition, rendered, current.tags)
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12)
    expect(lines).toEqual(
      expect.arrayContaining([
        '+ containerDefinitions[web].environment API_TOKEN=(hidden: the name looks like a secret)',
        `+ containerDefinitions[web].environment FEATURE_FLAGS=(244 chars, sha256:${sha(flags)})`,
        `+ containerDefinitions[web].environment NOTES=(${notes.length} chars, sha256:${sha(notes)})`,
        '+ containerDefinitions[web].environment DATABASE_URL=(hidden: a URL with a password)'
      ])
    )
    const text = lines.join('\n')
    // Not a prefix of any of them, however short.
    for (const value of [token, flags]) expect(text).not.toContain(value.slice(0, 12))
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('::set-output')
  })

  it('says that a hidden value changed, and nothing about it', () => {
    const current = described()
    const before = render('taskdef/web.json', { environment: new Map([['DB_PASSWORD', 'old-one']]) })
    const after = render('taskdef/web.json', { environment: new Map([['DB_PASSWORD', 'new-one']]) })
    expect(diffTaskDefinitions(before, after, current.tags)).toEqual([
      '~ containerDefinitions[web].environment DB_PASSWORD: changed (hidden: the name looks like a secret)'
    ])
  })
})
