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
})
