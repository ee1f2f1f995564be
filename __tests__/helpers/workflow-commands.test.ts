// The runner's reading of workflow commands, as the end-to-end tests rely on it.
import { commandsBesidesGroups, readAsRunner } from './workflow-commands.js'

describe('readAsRunner', () => {
  it('finds commands at the start of a line, after white space, in any letter case', () => {
    const view = readAsRunner('::group::Plan\n  ::Set-Output name=status::ok\nplain\n::endgroup::\n')
    expect(view.commands.map(c => [c.name, c.properties, c.data])).toEqual([
      ['group', {}, 'Plan'],
      ['set-output', { name: 'status' }, 'ok'],
      ['endgroup', {}, '']
    ])
    expect(view.log).toEqual(['plain'])
    expect(commandsBesidesGroups(view).map(c => c.name)).toEqual(['set-output'])
  })

  it('splits lines on a lone \\r as the runner does', () => {
    expect(readAsRunner('50%\r::save-state name=isPost::false').commands.map(c => c.name)).toEqual([
      'save-state'
    ])
  })

  it('finds the older ##[name] form anywhere in a line', () => {
    const [command] = readAsRunner('step 3 ##[set-output name=x;other=y%3Bz]value').commands
    expect(command).toMatchObject({
      name: 'set-output',
      properties: { name: 'x', other: 'y;z' },
      data: 'value'
    })
  })

  it('unescapes data and properties as the runner does', () => {
    const [command] = readAsRunner('::error title=a%3Ab%2Cc::line one%0Aline two %25').commands
    expect(command).toMatchObject({ properties: { title: 'a:b,c' }, data: 'line one\nline two %' })
  })

  it('ignores names it does not know', () => {
    expect(readAsRunner('::not-a-command::x\n::warning no colons\n').commands).toEqual([])
  })

  it('obeys nothing between stop-commands and the resume token, which it takes in either form', () => {
    const view = readAsRunner(
      [
        '::stop-commands::TOKEN1',
        '::add-mask::x',
        '::stop-commands::other',
        '::token1::',
        '::stop-commands::t2',
        'a ##[t2]',
        '::warning::after'
      ].join('\n')
    )
    expect(view.commands.map(c => c.name)).toEqual(['warning'])
    expect(view.log).toEqual(['::add-mask::x', '::stop-commands::other'])
    expect(view.stopBlocks).toBe(2)
    expect(view.endedStopped).toBe(false)
  })

  it('says when the output ends with processing stopped', () => {
    expect(readAsRunner('::stop-commands::abc\n::set-output name=a::b').endedStopped).toBe(true)
  })

  it('counts zero-width characters as absent, as the runner may', () => {
    expect(readAsRunner(':\u200b:add-mask::x').commands.map(c => c.name)).toEqual(['add-mask'])
  })

  it('masks what add-mask registered in the lines after it, not before', () => {
    const view = readAsRunner('token s3cret\n::add-mask::s3cret\nagain s3cret\n')
    expect(view.log).toEqual(['token s3cret', 'again ***'])
  })
})
