import { ActionError } from '../../src/errors.js'
import { checkFamilyChange, familyAndRevision, withRevision } from '../../src/taskdef/family.js'

const td = (family: string, n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`

describe('familyAndRevision and withRevision', () => {
  it('reads family and revision, and swaps the revision', () => {
    expect(familyAndRevision(td('web', 7))).toEqual({ family: 'web', revision: 7 })
    expect(familyAndRevision(td('web-worker', 12))).toEqual({ family: 'web-worker', revision: 12 })
    expect(withRevision(td('web', 7), 5)).toBe(td('web', 5))
    expect(() => familyAndRevision('web')).toThrow('cannot read the family and revision from web')
  })
})

describe('checkFamilyChange', () => {
  const change = { running: td('web', 3), source: 'task-definition api.json', allowed: false }

  it('says nothing when the family stays the same', () => {
    expect(checkFamilyChange({ ...change, family: 'web' })).toBeUndefined()
  })

  it('refuses another family, naming the source, both families and the input that allows it', () => {
    const refuse = () => checkFamilyChange({ ...change, family: 'api' })
    expect(refuse).toThrow(ActionError)
    expect(refuse).toThrow(
      'task-definition api.json: family "api" is not the family of the service\'s running revision ("web", web:3). ' +
        'Deploying it would move the service to another family, and later rollbacks by revision number would look in the wrong one. ' +
        'Nothing was changed; set allow-family-change: true if the change of family is meant.'
    )
  })

  it('a prefix is another family too (web is not web-worker)', () => {
    expect(() => checkFamilyChange({ ...change, family: 'web-worker' })).toThrow('family "web-worker"')
  })

  it('with allow-family-change, returns the warning to print instead', () => {
    expect(checkFamilyChange({ ...change, family: 'api', allowed: true })).toBe(
      'task-definition api.json: family "api" is not the family of the service\'s running revision ("web", web:3); ' +
        'allow-family-change is true, so the service moves to family "api" (later rollbacks by revision number look in "api")'
    )
  })
})
