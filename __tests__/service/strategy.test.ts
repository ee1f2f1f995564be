import type { Service } from '@aws-sdk/client-ecs'
import { chooseStrategy } from '../../src/service/strategy.js'

describe('chooseStrategy', () => {
  it.each<[string, Service, string]>([
    ['no controller given (ECS default)', {}, 'rolling'],
    [
      'ECS controller, ROLLING',
      { deploymentController: { type: 'ECS' }, deploymentConfiguration: { strategy: 'ROLLING' } },
      'rolling'
    ],
    ['CODE_DEPLOY controller', { deploymentController: { type: 'CODE_DEPLOY' } }, 'codedeploy'],
    [
      'ECS BLUE_GREEN',
      { deploymentController: { type: 'ECS' }, deploymentConfiguration: { strategy: 'BLUE_GREEN' } },
      'ecs-native'
    ],
    ['ECS LINEAR', { deploymentConfiguration: { strategy: 'LINEAR' } }, 'ecs-native'],
    ['ECS CANARY', { deploymentConfiguration: { strategy: 'CANARY' } }, 'ecs-native']
  ])('%s → %s', (_name, service, strategy) => {
    expect(chooseStrategy(service).strategy).toBe(strategy)
  })

  it('refuses the EXTERNAL controller, naming the service', () => {
    expect(() => chooseStrategy({ serviceName: 'web', deploymentController: { type: 'EXTERNAL' } })).toThrow(
      'service web uses the EXTERNAL deployment controller'
    )
  })
})
