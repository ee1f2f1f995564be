import { jest } from '@jest/globals'
import * as core from '@actions/core'
import { EOL } from 'node:os'
import {
  ForeignOutput,
  inertText,
  mayHoldCommand,
  newStopToken,
  printForeign
} from '../../src/report/foreign.js'
import { readAsRunner } from '../helpers/workflow-commands.js'

/** The lines the runner reads from a text: split on \n, \r\n and a lone \r. */
const runnerLines = (text: string) => text.split(/\r\n|\r|\n/)

// Text that would be obeyed if printed as it is, each the way a task log, an AWS message or a
// file value could carry it.
const HOSTILE: [string, string][] = [
  ['set-output at the start', '::set-output name=status::succeeded'],
  ['save-state after white space', '   ::save-state name=isPost::false'],
  ['add-mask in capitals', '::ADD-MASK::Running'],
  ['an error annotation', '::error title=Deploy failed,file=app.py::it was not'],
  ['the older form, mid-line', 'migrating... ##[set-output name=status]succeeded'],
  ['after a newline', 'Applying 0042... OK\n::add-mask::Applying'],
  ['after a lone carriage return', 'progress 50%\r::set-env name=NODE_OPTIONS::--require=/tmp/x'],
  ['with a zero-width space between the colons', ':\u200b:add-mask::demo'],
  ['a stop of its own, then a command', '::stop-commands::mine\n::set-output name=a::b\n::mine::'],
  ['a resume line guessed at', '::deadbeef::\n::save-state name=isPost::false']
]

describe('mayHoldCommand', () => {
  it.each(HOSTILE)('%s: yes', (_name, text) => {
    expect(mayHoldCommand(text)).toBe(true)
  })

  it.each([
    ['plain words', 'task 1a2b stopped: Essential container in task exited'],
    ['one colon at a time', 'web:7 → web:8, port 8000: healthy'],
    ['a hash without a bracket', 'commit ## 42 [done]'],
    ['line breaks alone', 'line one\r\nline two\rline three']
  ])('%s: no', (_name, text) => {
    expect(mayHoldCommand(text)).toBe(false)
  })
})

describe('inertText', () => {
  it('leaves text that cannot hold a command as it is', () => {
    expect(inertText('task 1a2b: RUNNING')).toBe('task 1a2b: RUNNING')
  })

  it('puts anything else between stop-commands and its resume line', () => {
    expect(inertText('::add-mask::x', () => 'cafe')).toBe(
      `::stop-commands::cafe${EOL}::add-mask::x${EOL}::cafe::`
    )
  })

  it.each(HOSTILE)('%s: the runner obeys nothing and shows every line', (_name, text) => {
    const view = readAsRunner(`${inertText(text)}${EOL}`)
    expect(view.commands).toEqual([])
    expect(view.log).toEqual(runnerLines(text))
    expect(view.stopBlocks).toBe(1)
    expect(view.endedStopped).toBe(false)
  })

  it('never picks a token the text holds, whatever its case', () => {
    const tokens = ['deadbeef', 'f00d']
    const text = '::DEADBEEF::\n::set-output name=a::b'
    const out = inertText(text, () => tokens.shift() ?? 'none')
    expect(out.startsWith('::stop-commands::f00d')).toBe(true)
    expect(readAsRunner(out).commands).toEqual([])
  })

  it('gives up rather than loop when no token will do', () => {
    expect(() => inertText('::x::', () => 'x')).toThrow(/token/)
  })

  it('makes a new 128-bit token each time', () => {
    const [a, b] = [newStopToken(), newStopToken()]
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(a).not.toBe(b)
  })
})

describe('printing', () => {
  let writes: string[]
  let spy: jest.SpiedFunction<typeof process.stdout.write>
  beforeEach(() => {
    writes = []
    spy = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      writes.push(String(chunk))
      return true
    })
  })
  afterEach(() => spy.mockRestore())

  it('printForeign writes one block per call, so nothing of ours can fall inside it', () => {
    printForeign('before\n::save-state name=isPost::false')
    printForeign('plain')
    expect(writes).toHaveLength(2)
    const view = readAsRunner(writes.join(''))
    expect(view.commands).toEqual([])
    expect(view.log).toEqual(['before', '::save-state name=isPost::false', 'plain'])
  })

  // @actions/core's own annotations are safe for foreign text: it escapes %, \r and \n in the
  // message and, in properties, : and , too. core.info is not: it writes the text as it is.
  it.each(HOSTILE)('core.warning and core.error with %s: one annotation, its text intact', (_n, text) => {
    core.warning(`deploy failed: ${text}`)
    core.error(text, { title: text })
    const view = readAsRunner(writes.join(''))
    expect(view.commands).toEqual([
      { name: 'warning', properties: {}, data: `deploy failed: ${text}`, line: 0 },
      { name: 'error', properties: { title: text }, data: text, line: 1 }
    ])
  })

  it('core.info obeys foreign text: the reason printForeign exists', () => {
    core.info('::set-output name=status::succeeded')
    expect(readAsRunner(writes.join('')).commands.map(c => c.name)).toEqual(['set-output'])
  })
})

describe('ForeignOutput (a process output stream)', () => {
  function collect(): { printed: string[]; stream: ForeignOutput } {
    const printed: string[] = []
    return { printed, stream: new ForeignOutput(text => printed.push(text)) }
  }

  it('prints whole lines as they arrive and the unfinished one on flush', () => {
    const { printed, stream } = collect()
    stream.write('[command]/usr/bin/buildah bud\nSTEP 1/2: FROM')
    stream.write(' scratch\r\nSTEP 2/2: RUN echo ::add-mask::x\n')
    stream.write('last line, no break')
    stream.flush()
    expect(printed).toEqual([
      '[command]/usr/bin/buildah bud',
      'STEP 1/2: FROM scratch\r\nSTEP 2/2: RUN echo ::add-mask::x',
      'last line, no break'
    ])
  })

  it('keeps a character split across chunks whole', () => {
    const { printed, stream } = collect()
    const bytes = Buffer.from('→ done\n')
    stream.write(bytes.subarray(0, 1))
    stream.write(bytes.subarray(1))
    expect(printed).toEqual(['→ done'])
  })

  it('what the runner reads from it through printForeign obeys nothing', () => {
    const out: string[] = []
    const stream = new ForeignOutput(text => out.push(`${inertText(text)}${EOL}`))
    stream.write('#5 RUN echo "::set-output name=image-digest::sha256:evil"\n#5 ')
    stream.write('::save-state name=isPost::false\r#6 DONE\n')
    stream.flush()
    const view = readAsRunner(out.join(''))
    expect(view.commands).toEqual([])
    expect(view.log).toEqual([
      '#5 RUN echo "::set-output name=image-digest::sha256:evil"',
      '#5 ::save-state name=isPost::false',
      '#6 DONE'
    ])
  })

  it('does not hold an endless line: past 64 KiB it prints what it has', () => {
    const { printed, stream } = collect()
    stream.write('x'.repeat(70 * 1024))
    expect(printed).toHaveLength(1)
    stream.flush()
    expect(printed).toHaveLength(1)
  })
})
