// The protocol tests drive every operation the simulator answers: this check reads them
// (__tests__/sim/protocol*.test.ts) for the SDK commands they send, and compares those with the
// operations each service registers. A new handler without a protocol test fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { codeDeployHandlers } from '../../sim/api/codedeploy.js'
import { ecrHandlers } from '../../sim/api/ecr.js'
import { ecsHandlers } from '../../sim/api/ecs.js'
import { elbHandlers } from '../../sim/api/elbv2.js'
import { logsHandlers } from '../../sim/api/logs.js'
import { stsHandlers } from '../../sim/api/sts.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** SDK client package → the simulator's handlers for that service. */
const REGISTRIES: Record<string, object> = {
  '@aws-sdk/client-ecs': ecsHandlers,
  '@aws-sdk/client-ecr': ecrHandlers,
  '@aws-sdk/client-cloudwatch-logs': logsHandlers,
  '@aws-sdk/client-elastic-load-balancing-v2': elbHandlers,
  '@aws-sdk/client-codedeploy': codeDeployHandlers,
  '@aws-sdk/client-sts': stsHandlers
}

/** Operations each client package's commands are sent for (`new XCommand(` of a name imported from it). */
export function drivenOperations(sources: readonly string[]): Map<string, Set<string>> {
  const driven = new Map<string, Set<string>>()
  for (const source of sources) {
    for (const [, names = '', pkg = ''] of source.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[\w-]+)'/g
    )) {
      const commands = names
        .split(',')
        .map(n => n.trim().replace(/^type\s+/, ''))
        .filter(n => /^\w+Command$/.test(n))
      for (const command of commands) {
        if (!new RegExp(`new ${command}\\(`).test(source)) continue
        const ops = driven.get(pkg) ?? new Set<string>()
        ops.add(command.replace(/Command$/, ''))
        driven.set(pkg, ops)
      }
    }
  }
  return driven
}

const protocolTests = readdirSync(HERE)
  .filter(f => /^protocol.*\.test\.ts$/.test(f))
  .map(f => readFileSync(join(HERE, f), 'utf8'))

describe('protocol test coverage', () => {
  const driven = drivenOperations(protocolTests)

  it.each(Object.entries(REGISTRIES))('%s: every registered operation is driven', (pkg, handlers) => {
    const missing = Object.keys(handlers).filter(op => !driven.get(pkg)?.has(op))
    expect(missing).toEqual([])
  })

  it('reads commands from the imports of a test file', () => {
    const source = [
      "import { ECSClient, RunTaskCommand, type StopTaskCommand } from '@aws-sdk/client-ecs'",
      'await ecs.send(new RunTaskCommand({}))'
    ].join('\n')
    expect(drivenOperations([source])).toEqual(new Map([['@aws-sdk/client-ecs', new Set(['RunTask'])]]))
  })
})
