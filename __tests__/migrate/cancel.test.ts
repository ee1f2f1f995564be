import { EventEmitter } from 'node:events'
import { migrationInFlightMessage, watchCancellation, type SignalTarget } from '../../src/migrate/cancel.js'

function fakeProcess(): SignalTarget & EventEmitter & { killed: NodeJS.Signals[] } {
  const emitter = new EventEmitter() as EventEmitter & SignalTarget & { killed: NodeJS.Signals[] }
  Object.assign(emitter, { pid: 4242, killed: [] as NodeJS.Signals[] })
  emitter.kill = (_pid: number, signal: NodeJS.Signals) => emitter.killed.push(signal)
  return emitter
}

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/demo/abc'

describe('watchCancellation', () => {
  it('on SIGTERM, names the task it leaves running and re-raises the signal when nobody else listens', () => {
    const proc = fakeProcess()
    const logged: string[] = []
    watchCancellation(ARN, 'demo', m => logged.push(m), proc)
    expect(migrationInFlightMessage()).toContain(ARN)
    proc.emit('SIGTERM', 'SIGTERM')
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(
      /cancelled while migrate task .*task\/demo\/abc was running; it is left running/
    )
    expect(logged[0]).toContain('--cluster demo')
    expect(proc.killed).toEqual(['SIGTERM'])
    expect(proc.listenerCount('SIGINT')).toBe(0)
    expect(migrationInFlightMessage()).toBeUndefined()
  })

  it('does not re-raise when the orchestrator has its own handler', () => {
    const proc = fakeProcess()
    proc.on('SIGINT', () => {})
    watchCancellation(ARN, 'demo', () => {}, proc)
    proc.emit('SIGINT', 'SIGINT')
    expect(proc.killed).toEqual([])
  })

  it('removes its listeners once the task is done', () => {
    const proc = fakeProcess()
    const logged: string[] = []
    const dispose = watchCancellation(ARN, 'demo', m => logged.push(m), proc)
    expect(proc.listenerCount('SIGINT')).toBe(1)
    expect(proc.listenerCount('SIGTERM')).toBe(1)
    dispose()
    expect(proc.listenerCount('SIGINT')).toBe(0)
    expect(proc.listenerCount('SIGTERM')).toBe(0)
    expect(migrationInFlightMessage()).toBeUndefined()
    proc.emit('SIGINT', 'SIGINT')
    expect(logged).toEqual([])
  })
})
