import { previewRevisionInput } from '../../src/preview/revision.js'
import { previewStatus, wantsTracking } from '../../src/github/run-tracking.js'
import { previewTags } from '../../src/preview/names.js'
import type { Inputs } from '../../src/inputs.js'

describe('previewRevisionInput', () => {
  const plan = { id: '42', tags: previewTags('demo', 'web', '42') }

  it('moves the revision to the preview family and tags it as the preview', () => {
    const input = previewRevisionInput(
      {
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'web:v2' }],
        tags: [
          { key: 'team', value: 'shop' },
          { key: 'ecs-ship:preview-id', value: 'stale' }
        ]
      },
      plan
    )
    expect(input.family).toBe('web-pr-42')
    expect(input.containerDefinitions).toEqual([{ name: 'web', image: 'web:v2' }])
    expect(input.tags).toEqual([
      { key: 'team', value: 'shop' },
      ...Object.entries(plan.tags).map(([key, value]) => ({ key, value }))
    ])
  })

  it('refuses a family that would pass ECS limit, naming preview-id', () => {
    expect(() => previewRevisionInput({ family: 'f'.repeat(250), containerDefinitions: [] }, plan)).toThrow(
      /input preview-id: .*255 characters/
    )
  })
})

describe('GitHub tracking of previews', () => {
  const base = { mode: 'preview', github: { token: 'ghs_x' } } as unknown as Inputs
  it('comments on a pull request preview even without an environment', () => {
    expect(wantsTracking(base, 12)).toBe(true)
    expect(wantsTracking(base, undefined)).toBe(false)
    expect(wantsTracking({ ...base, mode: 'deploy' } as Inputs, 12)).toBe(false)
    expect(wantsTracking({ ...base, github: { token: '' } } as unknown as Inputs, 12)).toBe(false)
    expect(
      wantsTracking(
        { ...base, mode: 'deploy', github: { token: 't', environment: 'prod' } } as Inputs,
        undefined
      )
    ).toBe(true)
  })

  it('maps the outcome to the comment status', () => {
    expect(previewStatus('preview', true)).toBe('ready')
    expect(previewStatus('preview', false)).toBe('failed')
    expect(previewStatus('preview-destroy', true)).toBe('destroyed')
    expect(previewStatus('preview-destroy', false)).toBe('failed')
  })
})
