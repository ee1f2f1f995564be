// Every mode of the bundled action runs under the example role for that mode
// (examples/django-fargate/iam/): the simulator authorizes each AWS request against the role's
// policy, so a grant missing from the example fails here as it would on AWS. Deploy with build
// and migrate, a cancelled migrate and its re-run, a migrate timeout, rolling, ECS-native
// blue/green and CodeDeploy (each with a failed deploy rolled back), rollback by previous, number,
// ARN and tag on each controller, and preview / preview-destroy. One simulator per scenario, all
// side by side.
import {
  registryAvailable,
  startRegistry,
  BUILD_PACKAGES,
  type RunningRegistry
} from '../../scripts/lib/registry.js'
import { deniedCalls, PERMISSIONS, withExampleSim } from '../helpers/example-roles.js'
import { SCENARIOS } from '../helpers/iam-scenarios.js'

const canBuild = registryAvailable()
if (!canBuild) console.warn(`skipping the build scenarios under the example roles: install ${BUILD_PACKAGES}`)

let registry: Promise<RunningRegistry> | undefined
const sharedRegistry = () => (registry ??= startRegistry())
afterAll(async () => {
  await (await registry)?.stop()
})

const roleNames = new Set(Object.values(PERMISSIONS.roles).map(r => r.roleName))

describe('every mode under its example role', () => {
  it.concurrent.each(SCENARIOS.filter(s => canBuild || !s.build).map(s => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const reg = scenario.build ? await sharedRegistry() : undefined
      const calls = await withExampleSim(
        scenario.fixture,
        scenario.role,
        async sim => {
          await scenario.play(sim, reg)
          return sim.calls()
        },
        {
          ...(reg && { registryUrl: reg.url }),
          ...(scenario.timeScale !== undefined && { timeScale: scenario.timeScale })
        }
      )
      // Nothing was denied, every request was authorized, and by a statement of an example role.
      expect(deniedCalls(calls).map(c => `${c.service}:${c.operation}`)).toEqual([])
      expect(calls.filter(c => c.authorization === undefined).map(c => c.operation)).toEqual([])
      const statements = calls.flatMap(c => c.authorization?.checks.flatMap(k => k.allowedBy) ?? [])
      expect(statements.length).toBeGreaterThan(0)
      expect(statements.filter(s => !roleNames.has(s.split(':')[0] ?? ''))).toEqual([])
    },
    240_000
  )
})
