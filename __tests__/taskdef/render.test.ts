import type { ContainerDefinition } from '@aws-sdk/client-ecs'
import {
  checkContainerChoice,
  chooseContainers,
  deployedImages,
  mergeEnvironment,
  renderTaskDefinition,
  READ_ONLY_FIELDS
} from '../../src/taskdef/render.js'
import { parseTaskDefinitionText } from '../../src/taskdef/load.js'
import { fixtureText } from '../../__fixtures__/load.js'

const described = () => parseTaskDefinitionText(fixtureText('taskdef/described-web-7.json'), 'described.json')
const yamlFile = () => parseTaskDefinitionText(fixtureText('taskdef/web.yaml'), 'web.yaml')

describe('renderTaskDefinition', () => {
  it('strips every read-only field, keeps the tags and sets the image on the only essential container', () => {
    const rendered = renderTaskDefinition(described(), {
      containerNames: [],
      image: 'repo/web@sha256:abc',
      environment: new Map()
    })
    for (const field of READ_ONLY_FIELDS) expect(rendered.input).not.toHaveProperty(field)
    expect(rendered.input.tags).toEqual([{ key: 'team', value: 'shop' }])
    expect(rendered.containers).toEqual(['web'])
    const [web, sidecar] = rendered.input.containerDefinitions ?? []
    expect(web?.image).toBe('repo/web@sha256:abc')
    expect(sidecar?.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable')
  })

  it('merges the environment in order: changed in place, new ones appended, empty values kept', () => {
    const rendered = renderTaskDefinition(described(), {
      containerNames: ['web'],
      environment: new Map([
        ['DEBUG', ''],
        ['LOG_LEVEL', 'debug']
      ])
    })
    expect(rendered.input.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DJANGO_SETTINGS_MODULE', value: 'shop.settings.production' },
      { name: 'DEBUG', value: '' }
    ])
    expect(rendered.input.containerDefinitions?.[0]?.image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1'
    )
  })

  it('turns YAML numbers for task cpu and memory into the strings the API expects', () => {
    const rendered = renderTaskDefinition(yamlFile(), { containerNames: [], environment: new Map() })
    expect(rendered.input.cpu).toBe('512')
    expect(rendered.input.memory).toBe('1024')
    expect(rendered.input.tags).toBeUndefined()
  })

  it('does not modify its input', () => {
    const source = described()
    const before = JSON.stringify(source)
    renderTaskDefinition(source, { containerNames: [], image: 'x', environment: new Map([['A', '1']]) })
    expect(JSON.stringify(source)).toBe(before)
  })

  it('checks a named container even when nothing is set on it', () => {
    expect(() =>
      renderTaskDefinition(described(), { containerNames: ['api'], environment: new Map() })
    ).toThrow(
      'container-name: the task definition has no container "api"; its containers are: web, log-router'
    )
  })
})

describe('chooseContainers', () => {
  const containers: ContainerDefinition[] = [
    { name: 'web' },
    { name: 'worker', essential: true },
    { name: 'proxy', essential: false }
  ]

  it('takes the named containers', () => {
    expect(chooseContainers(containers, ['worker', 'proxy'])).toEqual(['worker', 'proxy'])
  })

  it('refuses to guess between several essential containers (absent essential counts as essential)', () => {
    expect(() => chooseContainers(containers, [])).toThrow('2 essential containers (web, worker)')
  })

  it('names the unknown container and lists the real ones', () => {
    expect(() => chooseContainers(containers, ['web', 'nginx'])).toThrow(
      'no container "nginx"; its containers are: web, worker, proxy'
    )
  })

  it('errors when no container is essential', () => {
    expect(() => chooseContainers([{ name: 'a', essential: false }], [])).toThrow('no essential container')
  })
})

describe('mergeEnvironment', () => {
  it('starts a list when the container has none', () => {
    expect(mergeEnvironment(undefined, new Map([['A', 'x=y']]))).toEqual([{ name: 'A', value: 'x=y' }])
  })
})

describe('checkContainerChoice', () => {
  const withImage = { containerNames: [], setsImage: true, environment: new Map<string, string>() }

  it('names the containers a render would change, before anything is rendered', () => {
    expect(checkContainerChoice(described(), withImage)).toEqual(['web'])
    expect(checkContainerChoice(described(), { ...withImage, setsImage: false })).toEqual([])
  })

  it('fails on a container-name typo even when nothing would be set', () => {
    expect(() =>
      checkContainerChoice(described(), { ...withImage, setsImage: false, containerNames: ['wbe'] })
    ).toThrow(
      'container-name: the task definition has no container "wbe"; its containers are: web, log-router'
    )
  })
})

describe('deployedImages', () => {
  it('shows the image set on the chosen containers, else the essential containers’ images', () => {
    const set = renderTaskDefinition(described(), {
      containerNames: [],
      image: 'repo/web@sha256:abc',
      environment: new Map()
    })
    expect(deployedImages(set)).toEqual(['repo/web@sha256:abc'])
    const unchanged = renderTaskDefinition(described(), { containerNames: [], environment: new Map() })
    const containers = described().taskDefinition.containerDefinitions as ContainerDefinition[]
    expect(deployedImages(unchanged)).toEqual([containers.find(c => c.name === 'web')?.image])
  })
})
