// The pure checks of a task definition against what ECS refuses later: the service's load-balanced
// container and port, and values ECS takes as strings.
import { ActionError } from '../../src/errors.js'
import {
  checkLoadBalancedContainers,
  describeValue,
  fieldName,
  nonStringFields
} from '../../src/taskdef/checks.js'

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09'
const WEB = { targetGroupArn: TG, containerName: 'web', containerPort: 8000 }
const definition = (containers: { name: string; ports?: number[] }[]) => ({
  containerDefinitions: containers.map(c => ({
    name: c.name,
    portMappings: (c.ports ?? []).map(containerPort => ({ containerPort }))
  }))
})

describe('checkLoadBalancedContainers', () => {
  it('passes when every load balancer finds its container and port', () => {
    const td = definition([{ name: 'web', ports: [8000, 9000] }, { name: 'worker' }])
    expect(() => checkLoadBalancedContainers(td, [WEB], 'td.json')).not.toThrow()
    expect(() =>
      checkLoadBalancedContainers(td, [WEB, { ...WEB, containerPort: 9000 }], 'td.json')
    ).not.toThrow()
  })

  it("a renamed container: refused with ECS's own words, naming the source, the target group and the containers", () => {
    const check = () =>
      checkLoadBalancedContainers(definition([{ name: 'app', ports: [8000] }]), [WEB], 'td.json')
    expect(check).toThrow(ActionError)
    expect(check).toThrow(
      'task-definition td.json: the service\'s target group web-tg sends traffic to container web on port 8000, but the task definition has no container web (it has app); ECS would refuse to deploy it ("The container web does not exist in the task definition.") after the revision was registered and the migration had run'
    )
  })

  it("a container port no longer mapped: refused with ECS's words", () => {
    expect(() =>
      checkLoadBalancedContainers(definition([{ name: 'web', ports: [8080] }]), [WEB], undefined)
    ).toThrow(
      'the rendered task definition: the service\'s target group web-tg sends traffic to container web on port 8000, but container web maps containerPort 8080; ECS would refuse to deploy it ("The container web did not have a container port 8000 defined.")'
    )
    expect(() => checkLoadBalancedContainers(definition([{ name: 'web' }]), [WEB], 'x')).toThrow(
      'but container web maps no port'
    )
  })

  it('every load balancer is checked: a second target group or a classic load balancer', () => {
    const td = definition([{ name: 'web', ports: [8000] }])
    expect(() =>
      checkLoadBalancedContainers(
        td,
        [WEB, { loadBalancerName: 'legacy', containerName: 'admin', containerPort: 80 }],
        'x'
      )
    ).toThrow("the service's load balancer legacy sends traffic to container admin on port 80")
  })

  it('no load balancers, or one without a container binding: nothing to check', () => {
    const td = definition([{ name: 'app' }])
    expect(() => checkLoadBalancedContainers(td, [], 'x')).not.toThrow()
    expect(() => checkLoadBalancedContainers(td, [{ targetGroupArn: TG }], 'x')).not.toThrow()
  })
})

describe('nonStringFields', () => {
  it('finds every value ECS takes as a string that is not one, with its path', () => {
    const parsed = {
      family: 'web',
      cpu: 512,
      memory: '1024',
      containerDefinitions: [
        {
          name: 'web',
          cpu: 256,
          command: ['gunicorn', '--workers', 3],
          environment: [
            { name: 'A', value: 'x' },
            { name: 'PORT', value: 8000 },
            { name: 'EMPTY', value: null }
          ],
          secrets: [{ name: 'S', valueFrom: 'arn:x' }],
          dockerLabels: { team: 'web', tier: 2 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-create-group': true } },
          healthCheck: { command: ['CMD', 1], retries: 3 },
          portMappings: [{ containerPort: 8000 }]
        }
      ],
      tags: [{ key: 'k', value: false }]
    }
    expect(nonStringFields(parsed).map(f => [fieldName(f.path), describeValue(f.value)])).toEqual([
      ['cpu', 'the number 512'],
      ['containerDefinitions[0].command[2]', 'the number 3'],
      ['containerDefinitions[0].healthCheck.command[1]', 'the number 1'],
      ['containerDefinitions[0].environment[1].value', 'the number 8000'],
      ['containerDefinitions[0].dockerLabels.tier', 'the number 2'],
      ['containerDefinitions[0].logConfiguration.options.awslogs-create-group', 'the boolean true'],
      ['tags[0].value', 'the boolean false']
    ])
  })

  it('looks inside taskDefinition for the output of describe-task-definition', () => {
    const parsed = { taskDefinition: { family: 'web', containerDefinitions: [{ name: 7 }] }, tags: [] }
    expect(nonStringFields(parsed, ['taskDefinition']).map(f => f.path)).toEqual([
      ['taskDefinition', 'containerDefinitions', 0, 'name']
    ])
  })

  it('a well-typed definition has nothing to report', () => {
    expect(
      nonStringFields({ family: 'web', containerDefinitions: [{ name: 'web', environment: [] }] })
    ).toEqual([])
  })
})
