import { buildSecretMasks } from '../../src/image/secrets.js'

describe('buildSecretMasks', () => {
  it('masks each value a build secret reads, once', () => {
    const secrets = new Map([
      ['npm', 'NPM_TOKEN'],
      ['npm-again', 'NPM_TOKEN'],
      ['pip', 'PIP_TOKEN']
    ])
    expect(buildSecretMasks(secrets, { NPM_TOKEN: 'a1', PIP_TOKEN: 'b2', OTHER: 'c3' })).toEqual(['a1', 'b2'])
  })

  it('masks a value with line breaks whole and line by line (trimmed, blank lines left out)', () => {
    const value = 'line one\r\n  line two  \n\nline three\rfour'
    expect(buildSecretMasks(new Map([['key', 'KEY']]), { KEY: value })).toEqual([
      value,
      'line one',
      'line two',
      'line three',
      'four'
    ])
  })

  it('leaves out what the runner would refuse to mask: unset, empty, white space', () => {
    const secrets = new Map([
      ['a', 'UNSET'],
      ['b', 'EMPTY'],
      ['c', 'BLANK']
    ])
    expect(buildSecretMasks(secrets, { EMPTY: '', BLANK: ' \n ' })).toEqual([])
  })
})
