import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  deploymentRef,
  eventPayload,
  pullRequestNumber,
  repoFromEnv,
  runLogUrl
} from '../../src/github/context.js'

describe('repoFromEnv', () => {
  it('splits GITHUB_REPOSITORY', () => {
    expect(repoFromEnv({ GITHUB_REPOSITORY: 'acme/shop' })).toEqual({ owner: 'acme', repo: 'shop' })
  })

  it.each(['', 'acme', 'acme/shop/extra', 'acme/'])('rejects %j with the expected format', value => {
    expect(() => repoFromEnv({ GITHUB_REPOSITORY: value })).toThrow('expected format {owner}/{repo}')
  })
})

describe('runLogUrl', () => {
  it('links to the run, and to the attempt when it is a re-run', () => {
    const env = {
      GITHUB_SERVER_URL: 'https://github.example.com/',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '77'
    }
    expect(runLogUrl(env)).toBe('https://github.example.com/acme/shop/actions/runs/77')
    expect(runLogUrl({ ...env, GITHUB_RUN_ATTEMPT: '1' })).toBe(
      'https://github.example.com/acme/shop/actions/runs/77'
    )
    expect(runLogUrl({ ...env, GITHUB_RUN_ATTEMPT: '3' })).toBe(
      'https://github.example.com/acme/shop/actions/runs/77/attempts/3'
    )
  })

  it('is undefined outside a run', () => {
    expect(runLogUrl({})).toBeUndefined()
  })
})

describe('pullRequestNumber', () => {
  it.each([
    [{ number: 12, pull_request: { number: 12 } }, 12],
    [{ pull_request: { number: 5 } }, 5],
    [{ number: 3 }, undefined],
    [{ pull_request: { number: '5' } }, undefined],
    [{ pull_request: { number: 0 } }, undefined],
    [null, undefined],
    ['text', undefined]
  ])('%j → %j', (payload, expected) => {
    expect(pullRequestNumber(payload)).toBe(expected)
  })
})

describe('deploymentRef', () => {
  it("records a pull request's head commit, not GitHub's merge commit", () => {
    expect(deploymentRef({ pull_request: { head: { sha: 'head1' } } }, { GITHUB_SHA: 'merge1' })).toBe(
      'head1'
    )
  })

  it('uses GITHUB_SHA for pushes and dispatches', () => {
    expect(deploymentRef({}, { GITHUB_SHA: 'abc' })).toBe('abc')
  })

  it('fails clearly without a commit', () => {
    expect(() => deploymentRef({}, {})).toThrow('GITHUB_SHA is empty')
  })
})

describe('eventPayload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-ship-event-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }

  it('reads the payload, and is undefined when there is none', () => {
    expect(eventPayload({ GITHUB_EVENT_PATH: file('ok.json', '{"number":4}') })).toEqual({ number: 4 })
    expect(eventPayload({})).toBeUndefined()
    expect(eventPayload({ GITHUB_EVENT_PATH: join(dir, 'absent.json') })).toBeUndefined()
  })

  it.each([
    ['cut.json', '{"pull_request": {', /the event file is not valid JSON \(.+\)$/],
    ['empty.json', '', /the event file is not valid JSON \(it is empty\)$/]
  ])('%s: names the variable and the file, not a bare SyntaxError', (name, text, reason) => {
    const path = file(name, text)
    expect(() => eventPayload({ GITHUB_EVENT_PATH: path })).toThrow(`GITHUB_EVENT_PATH ${path}: `)
    expect(() => eventPayload({ GITHUB_EVENT_PATH: path })).toThrow(reason)
  })
})
