// Every workflow and starter template passes GitHub's own workflow parser: schema, expressions
// and, for calls to our reusable workflows, their workflow_call contract. The bad fixtures show
// that each kind of finding is reported.
import { templatePaths, workflowPaths } from './checks.js'
import { githubParserErrors, localPathOf } from './github-parser.js'

describe("GitHub's workflow parser", () => {
  const files = [...workflowPaths(), ...templatePaths()]

  it('finds the workflows and the templates', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/deploy.yml',
        '.github/workflows/rollback.yml',
        '.github/workflows/preview.yml',
        '.github/workflows/release.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        'workflows-templates/ecs-ship-deploy.yml',
        'workflows-templates/ecs-ship-rollback.yml',
        'workflows-templates/ecs-ship-preview.yml'
      ])
    )
  })

  it.each(files)('%s has no errors', async path => {
    expect(await githubParserErrors(path)).toEqual([])
  })

  it('reads our own reusable workflows from this checkout, and nothing else', () => {
    expect(
      localPathOf({
        owner: 'ecs-ship',
        repository: 'ecs-ship',
        path: '.github/workflows/deploy.yml',
        version: 'v1'
      })
    ).toBe('.github/workflows/deploy.yml')
    expect(localPathOf({ path: '.github/workflows/check-dist.yml' })).toBe('.github/workflows/check-dist.yml')
    expect(
      localPathOf({
        owner: 'someone',
        repository: 'else',
        path: '.github/workflows/deploy.yml',
        version: 'v1'
      })
    ).toBeUndefined()
  })

  it('reports schema errors, broken expressions and contexts a place does not allow', async () => {
    expect(await githubParserErrors('__fixtures__/github/bad-syntax.yml')).toEqual([
      expect.stringMatching(/Line: 13, .*Unexpected value 'timeout'/),
      expect.stringMatching(/Line: 16, .*Unexpected value 'everything'/),
      expect.stringMatching(/Line: 18, .*Unexpected end of expression: '=='/),
      expect.stringMatching(/Line: 22, .*Unrecognized named-value: 'steps'/)
    ])
  })

  it("reports a call that breaks the reusable workflow's contract", async () => {
    expect(await githubParserErrors('__fixtures__/github/bad-caller.yml')).toEqual([
      expect.stringContaining('Input aws-region is required, but not provided while calling.'),
      expect.stringContaining('Invalid input, colour is not defined in the referenced workflow.'),
      expect.stringContaining('Invalid secret, token is not defined in the referenced workflow.')
    ])
  })
})
