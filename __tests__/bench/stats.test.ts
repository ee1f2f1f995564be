import { median, spread } from '../../bench/stats.js'

describe('bench statistics', () => {
  it.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5]
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected)
  })

  it('refuses the median of nothing, and has no spread for it', () => {
    expect(() => median([])).toThrow('no values')
    expect(spread([])).toBeUndefined()
  })

  it('reports min and max around the median', () => {
    expect(spread([9, 1, 5])).toEqual({ median: 5, min: 1, max: 9 })
  })
})
