// End to end, issue 13 item 12: previews tell the truth about what they leave behind. Two runs of
// one preview at the same time leave one listener rule, one target group and one service (the
// second adopts what the first created), a later run that finds two rules of its preview keeps
// one, and a preview-id or preview-host that `preview` refuses is refused by the bundled action
// before any AWS call, by preview-destroy too.
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { CallRecord, RunningSimulator } from '../../sim/contract.js'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { REPO, runOnSim, useSimulator } from '../helpers/e2e.js'

// The django-web fixture's HTTP:80 listener on demo-alb.
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'
const PREVIEW = {
  mode: 'preview',
  'preview-id': '42',
  'listener-arn': LISTENER,
  'preview-host': 'pr-{id}.preview.example.com',
  image: `${REPO}:v2`
}
const DESTROY = { mode: 'preview-destroy', 'preview-id': '42', 'listener-arn': LISTENER }

const simulator = useSimulator()
let sim: RunningSimulator
let elb: ElasticLoadBalancingV2Client
beforeEach(() => {
  sim = simulator()
  elb = new ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }
  })
})

interface ServiceState {
  serviceName: string
  status: string
  taskDefinition: string
}

const mutating = (calls: readonly CallRecord[]) => calls.filter(c => c.mutating && !c.error)
const output = (run: ActionRun) => `${run.stdout}\n${run.stderr}`

function expectExit(run: ActionRun, code: number, status?: string): void {
  if (run.exitCode !== code || (status !== undefined && run.outputs.status !== status))
    throw new Error(
      `expected exit ${code} / status ${status ?? 'any'}, got exit ${run.exitCode} / status ${run.outputs.status}\n${output(run)}`
    )
}

/** The listener's rules tagged for preview 42, lowest priority first. */
async function previewRules(): Promise<{ arn: string; priority: number }[]> {
  const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: LISTENER }))).Rules ?? []
  const arns = rules.filter(r => !r.IsDefault).map(r => r.RuleArn ?? '')
  const tags = arns.length
    ? ((await elb.send(new DescribeTagsCommand({ ResourceArns: arns }))).TagDescriptions ?? [])
    : []
  const ours = new Set(
    tags
      .filter(t => t.Tags?.some(tag => tag.Key === 'ecs-ship:preview-id' && tag.Value === '42'))
      .map(t => t.ResourceArn)
  )
  return rules
    .filter(r => ours.has(r.RuleArn))
    .map(r => ({ arn: r.RuleArn ?? '', priority: Number(r.Priority) }))
    .sort((a, b) => a.priority - b.priority)
}

async function previewServices(): Promise<ServiceState[]> {
  const state = await sim.control.state()
  return (state.services as ServiceState[]).filter(s => s.serviceName === 'web-pr-42')
}

async function previewTargetGroups(): Promise<string[]> {
  const state = await sim.control.state()
  return Object.keys(state.targetHealth).filter(name => name.startsWith('web-pr-42-'))
}

describe('two runs of one preview at the same time', () => {
  it('leave one rule, one target group and one service; the adopter is green, the replaced run red, the next push green', async () => {
    // Both runs plan (and see nothing of the preview) before either creates anything: the
    // register, which comes between the plan and the first create, is slowed for both.
    await sim.control.setFaults([{ operation: 'ecs:RegisterTaskDefinition', latencyMs: 1500 }])
    // Both revisions start slowly (20 s, within the 30 s grace period; 1 s at this time scale), so
    // the first run's deployment is still in progress when the second run deploys over it.
    const slow = { kind: 'healthy', startSeconds: 20 } as const
    await sim.control.setBehaviours({ revisions: { 'web-pr-42:1': slow, 'web-pr-42:2': slow } })
    const [first, second] = await Promise.all([runOnSim(sim, PREVIEW), runOnSim(sim, PREVIEW)])
    await sim.control.setFaults([])

    const runs = [first, second]
    const calls = await sim.control.calls()
    // The race really happened: both runs asked for the rule and the service.
    expect(calls.filter(c => c.operation === 'CreateRule')).toHaveLength(2)
    expect(calls.filter(c => c.operation === 'CreateService')).toHaveLength(2)
    // ELB gave the id's priority to one run; the other adopted that rule instead of taking the next.
    expect(calls.filter(c => c.operation === 'CreateRule' && c.error === 'PriorityInUse')).toHaveLength(1)
    expect(
      calls.filter(c => c.operation === 'CreateService' && c.error === 'InvalidParameterException')
    ).toHaveLength(1)
    expect(
      runs.filter(r => /Listener rule \(priority \d+\): created meanwhile by another run/.test(r.stdout))
    ).toHaveLength(1)
    expect(
      runs.filter(r =>
        /Service web-pr-42: created meanwhile by another run of this preview; adopted/.test(r.stdout)
      )
    ).toHaveLength(1)

    expect(await previewRules()).toHaveLength(1)
    expect(await previewTargetGroups()).toHaveLength(1)
    const services = await previewServices()
    expect(services).toHaveLength(1)
    expect(services[0]?.status).toBe('ACTIVE')
    for (const run of runs) expect(run.outputs['preview-url']).toBe('https://pr-42.preview.example.com')

    // The adopter deployed its own revision over the first run's, which was still rolling out:
    // the adopter is green with the revision the preview runs; the first run is red, saying
    // which run's revision replaced it and that nothing is broken.
    const final = services[0]?.taskDefinition
    const winner = runs.find(r => r.outputs['task-definition-arn'] === final)
    const other = runs.find(r => r !== winner)
    if (!winner || !other) throw new Error(`no run deployed ${final}\n${runs.map(output).join('\n')}`)
    expectExit(winner, 0, 'succeeded')
    expectExit(other, 1, 'failed')
    expect(other.stdout).toMatch(
      /preview 42: deployment \S+ was replaced by deployment \S+ \(web-pr-42:\d+\).*another run of this preview deployed over this one, and its verdict is the preview's/
    )
    expect(other.stdout).not.toMatch(/preview-destroy removes it/)

    // The next push finds exactly one rule of its preview and updates it.
    const later = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v1` })
    expectExit(later, 0, 'succeeded')
    expect(output(later)).not.toMatch(/already routes/)
    expect(await previewRules()).toHaveLength(1)
    expect((await previewServices())[0]?.taskDefinition).toBe(later.outputs['task-definition-arn'])
  })

  it('a later run that finds two rules of its preview keeps the lowest priority and deletes the other', async () => {
    expectExit(await runOnSim(sim, PREVIEW), 0, 'succeeded')
    const [kept] = await previewRules()
    if (!kept) throw new Error('the preview created no rule')
    // What two runs that both read the listener too early leave: a second rule, tagged the same.
    const tags = (await elb.send(new DescribeTagsCommand({ ResourceArns: [kept.arn] }))).TagDescriptions?.[0]
      ?.Tags
    const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [kept.arn] }))).Rules?.[0]
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: LISTENER,
        Priority: kept.priority + 5,
        Conditions: rule?.Conditions,
        Actions: rule?.Actions,
        Tags: tags
      })
    )
    expect(await previewRules()).toHaveLength(2)

    const from = (await sim.control.calls()).length
    const push = await runOnSim(sim, { ...PREVIEW, image: `${REPO}:v1` })
    expectExit(push, 0, 'succeeded')
    expect(push.stdout).toContain(
      `delete 1 duplicate(s) that runs at the same time left (priority ${kept.priority + 5})`
    )
    expect(await previewRules()).toEqual([kept])
    const changed = mutating((await sim.control.calls()).slice(from)).map(c => `${c.service}:${c.operation}`)
    expect(changed).toEqual(
      expect.arrayContaining(['elbv2:ModifyRule', 'elbv2:DeleteRule', 'ecs:UpdateService'])
    )
    expect(changed.filter(c => c === 'elbv2:DeleteRule')).toHaveLength(1)
  })
})

describe('inputs preview refuses are refused before any AWS call', () => {
  it.each([
    [
      'preview-destroy',
      '../x',
      { ...DESTROY, 'preview-id': '../x' },
      /input preview-id: "\.\.\/x" must be 1 to 32 letters/
    ],
    [
      'preview-destroy',
      '4 2',
      { ...DESTROY, 'preview-id': '4 2' },
      /input preview-id: "4 2" must be 1 to 32 letters/
    ],
    [
      'preview',
      '../x',
      { ...PREVIEW, 'preview-id': '../x' },
      /input preview-id: "\.\.\/x" must be 1 to 32 letters/
    ],
    [
      'preview-host',
      '*',
      { ...PREVIEW, 'preview-host': '*.pr-{id}.preview.example.com' },
      /input preview-host: .*no \* or \?/
    ],
    [
      'preview-host',
      '?',
      { ...PREVIEW, 'preview-host': 'pr-{id}?.preview.example.com' },
      /input preview-host: .*no \* or \?/
    ]
  ])('%s %s: fails naming the input, with no AWS call at all', async (_mode, _value, inputs, message) => {
    // A real preview 42 runs: a typo in preview-destroy must not report it gone while it still runs.
    expectExit(await runOnSim(sim, PREVIEW), 0, 'succeeded')
    const from = (await sim.control.calls()).length
    const run = await runOnSim(sim, inputs)
    expectExit(run, 1)
    expect(output(run)).toMatch(message)
    expect(output(run)).not.toMatch(/nothing to delete/)
    expect((await sim.control.calls()).slice(from)).toEqual([])
    expect((await previewServices())[0]?.status).toBe('ACTIVE')
    expect(await previewRules()).toHaveLength(1)
  })
})
