// End to end: CodeDeploy blue/green through the bundled action against the simulator: the
// deployment is followed event by event to Succeeded (or Ready), gated on the replacement's
// targets; failures end in exactly one rollback, CodeDeploy's own or ours, and production back
// on the original task set.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CodeDeployClient,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  UpdateDeploymentGroupCommand
} from '@aws-sdk/client-codedeploy'
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator, writeAppspecWithHook } from '../helpers/e2e.js'

const simulator = useSimulator(0.05, 'django-web-codedeploy')
let sim: RunningSimulator
let dir: string
// The AppSpec files live in a workspace of their own: the action reads one only inside the
// workspace, which is the directory a run starts in.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecs-ship-appspec-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
beforeEach(() => {
  sim = simulator()
})

const endpoint = () => ({
  region: 'us-east-1',
  endpoint: sim.url,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
})

/** The target group the production listener forwards to now, by name. */
async function productionTargetGroup(): Promise<string> {
  const codedeploy = new CodeDeployClient(endpoint())
  const elb = new ElasticLoadBalancingV2Client(endpoint())
  try {
    const group = await codedeploy.send(
      new GetDeploymentGroupCommand({
        applicationName: 'AppECS-demo-web',
        deploymentGroupName: 'DgpECS-demo-web'
      })
    )
    const listenerArn =
      group.deploymentGroupInfo?.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.prodTrafficRoute
        ?.listenerArns?.[0]
    const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn ?? ''] })))
      .Listeners?.[0]
    const action = listener?.DefaultActions?.find(a => a.Type === 'forward')
    const forwarded = action?.ForwardConfig?.TargetGroups?.filter(t => (t.Weight ?? 1) > 0).map(
      t => t.TargetGroupArn
    ) ?? [action?.TargetGroupArn]
    return forwarded.map(arn => /targetgroup\/([^/]+)/.exec(arn ?? '')?.[1] ?? '?').join(',')
  } finally {
    codedeploy.destroy()
    elb.destroy()
  }
}

async function deploymentStatus(id: string): Promise<string | undefined> {
  const codedeploy = new CodeDeployClient(endpoint())
  try {
    return (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo?.status
  } finally {
    codedeploy.destroy()
  }
}

function expectRun(run: ActionRun, exitCode: number, status?: string): void {
  if (run.exitCode !== exitCode || (status !== undefined && run.outputs.status !== status))
    throw new Error(
      `expected exit ${exitCode} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}\n${run.stdout}\n${run.stderr}`
    )
}

const count = async (operation: string) =>
  (await sim.control.calls()).filter(c => c.operation === operation && !c.error).length
const mutating = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating && !c.error)

const appspecWithHook = (event: string, fn: string): string => writeAppspecWithHook(dir, event, fn)

describe('CodeDeploy blue/green', () => {
  it('follows the deployment event by event to Succeeded, with the replacement healthy', async () => {
    const run = await runOnSim(sim, { image: `${REPO}:v2` })
    expectRun(run, 0, 'succeeded')
    expect(run.outputs['deployment-id']).toMatch(/^d-[A-Z0-9]+$/)
    expect(run.stdout).toContain('CreateDeployment: ')
    expect(run.stdout).toMatch(/event (Install|AllowTraffic)/)
    expect(run.stdout).toMatch(/healthy: CodeDeploy deployment d-\w+ Succeeded; web-tg-green 2\/2 healthy/)
    expect(await productionTargetGroup()).toBe('web-tg-green')
    expect(await count('StopDeployment')).toBe(0)
  })

  it('mode rollback deploys the previous revision through CodeDeploy', async () => {
    expectRun(await runOnSim(sim, { image: `${REPO}:v2` }), 0, 'succeeded')
    const back = await runOnSim(sim, { mode: 'rollback' })
    expectRun(back, 0, 'succeeded')
    expect(back.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(back.outputs['deployment-id']).toMatch(/^d-/)
    expect(await productionTargetGroup()).toBe('web-tg')
  })

  it('a deploy that finds another CodeDeploy deployment in flight waits for it to end, then deploys', async () => {
    let second: Promise<ActionRun> | undefined
    const first = await runOnSim(
      sim,
      { image: `${REPO}:v2` },
      {
        runPost: false,
        onLine: line => {
          if (!second && line.startsWith('CreateDeployment:'))
            second = runOnSim(sim, { image: `${REPO}:v3` }, { runPost: false })
        }
      }
    )
    const next = await (second ?? Promise.reject(new Error('the second deploy never started')))
    expectRun(first, 0, 'succeeded')
    expectRun(next, 0, 'succeeded')
    expect(next.stdout).toMatch(/another CodeDeploy deployment is in flight \(d-\w+\): waiting for it to end/)
    expect(next.outputs['previous-task-definition-arn']).toBe(first.outputs['task-definition-arn'])
    expect(await productionTargetGroup()).toBe('web-tg')
  })

  it('names a failing hook and follows the rollback the deployment group makes itself', async () => {
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'failed' } } })
    const run = await runOnSim(
      sim,
      {
        image: `${REPO}:v2`,
        'codedeploy-appspec': appspecWithHook('AfterAllowTestTraffic', 'smoke-test')
      },
      { cwd: dir }
    )
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout + run.stderr).toMatch(/AfterAllowTestTraffic/)
    expect(run.stdout + run.stderr).toMatch(/smoke-test/)
    expect(await count('StopDeployment')).toBe(0)
    expect(await productionTargetGroup()).toBe('web-tg')
  })

  it('deploys the previous revision again when production had moved and the group does not roll back', async () => {
    const codedeploy = new CodeDeployClient(endpoint())
    try {
      await codedeploy.send(
        new UpdateDeploymentGroupCommand({
          applicationName: 'AppECS-demo-web',
          currentDeploymentGroupName: 'DgpECS-demo-web',
          autoRollbackConfiguration: { enabled: false }
        })
      )
    } finally {
      codedeploy.destroy()
    }
    await sim.control.setBehaviours({ hooks: { 'after-traffic-check': { outcome: 'failed' } } })
    const run = await runOnSim(
      sim,
      {
        image: `${REPO}:v2`,
        'codedeploy-appspec': appspecWithHook('AfterAllowTraffic', 'after-traffic-check')
      },
      { cwd: dir }
    )
    expectRun(run, 1, 'rolled-back')
    expect(run.stdout).toMatch(/rolling back: CreateDeployment d-\w+ → web:1/)
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(await count('StopDeployment')).toBe(0)
    expect(await count('CreateDeployment')).toBe(2)
    const state = await sim.control.state()
    const web = (state.services as { serviceName?: string; taskDefinition?: string }[]).find(
      s => s.serviceName === 'web'
    )
    expect(web?.taskDefinition).toMatch(/task-definition\/web:1$/)
  })

  it('says production never left the previous revision when a group without rollback fails before the reroute', async () => {
    const codedeploy = new CodeDeployClient(endpoint())
    try {
      await codedeploy.send(
        new UpdateDeploymentGroupCommand({
          applicationName: 'AppECS-demo-web',
          currentDeploymentGroupName: 'DgpECS-demo-web',
          autoRollbackConfiguration: { enabled: false }
        })
      )
    } finally {
      codedeploy.destroy()
    }
    await sim.control.setBehaviours({ hooks: { 'smoke-test': { outcome: 'failed' } } })
    const run = await runOnSim(
      sim,
      {
        image: `${REPO}:v2`,
        'codedeploy-appspec': appspecWithHook('AfterAllowTestTraffic', 'smoke-test')
      },
      { cwd: dir }
    )
    expectRun(run, 1, 'failed')
    expect(run.stdout).toMatch(/production traffic never left web:1/)
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/web:1$/)
    expect(await count('CreateDeployment')).toBe(1)
    expect(await productionTargetGroup()).toBe('web-tg')
  })

  it('stops a deployment whose replacement is unhealthy, with auto-rollback, once', async () => {
    await sim.control.setBehaviours({
      images: {
        [`${REPO}:bad-health`]: { kind: 'unhealthy-target', reasonCode: 'Target.ResponseCodeMismatch' }
      }
    })
    const run = await runOnSim(sim, { image: `${REPO}:bad-health` })
    expectRun(run, 1, 'rolled-back')
    expect(await count('StopDeployment')).toBeLessThanOrEqual(1)
    expect(await productionTargetGroup()).toBe('web-tg')
    expect(run.summary).toContain('↩️ rolled back')
  })

  it('refuses wait-until ready on a group that reroutes by itself, and an unknown application, before any change', async () => {
    const ready = await runOnSim(sim, { image: `${REPO}:v2`, 'wait-until': 'ready' })
    expectRun(ready, 1)
    expect(ready.stdout + ready.stderr).toMatch(/input wait-until: `ready` needs a deployment group/)
    const unknown = await runOnSim(sim, { image: `${REPO}:v2`, 'codedeploy-application': 'nope' })
    expectRun(unknown, 1)
    expect(unknown.stdout + unknown.stderr).toMatch(
      /input codedeploy-application: application nope does not exist/
    )
    expect(mutating(await sim.control.calls())).toEqual([])
  })
})

describe('CodeDeploy with a manual reroute', () => {
  it('stops at Ready with wait-until ready, the replacement on test traffic', async () => {
    await sim.control.reset()
    await sim.control.loadFixture('django-web-codedeploy-manual')
    const run = await runOnSim(sim, { image: `${REPO}:v2`, 'wait-until': 'ready' })
    // It waits for approval now (mode promote or abort acts on it): status ready, not succeeded.
    expectRun(run, 0, 'ready')
    expect(run.stdout).toMatch(/Ready: the replacement serves test traffic/)
    expect(await deploymentStatus(run.outputs['deployment-id'] ?? '')).toBe('Ready')
    expect(await productionTargetGroup()).toBe('web-tg')
  })
})
