// Every third-party action named in the workflows, the templates and the README is pinned to a
// release that runs on Node 24, by its full commit SHA with the version in a comment. The table
// is what was read from each repository's own tags and action.yml (`runs.using: node24` at that
// commit); a new pin has to be verified the same way and added here.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, templatePaths, workflowPaths } from './checks.js'

/** owner/repo → [commit SHA, release] verified to declare `runs.using: node24`. */
const NODE24_RELEASES: Readonly<Record<string, readonly [string, string]>> = {
  'actions/checkout': ['3d3c42e5aac5ba805825da76410c181273ba90b1', 'v7.0.1'],
  'actions/setup-node': ['820762786026740c76f36085b0efc47a31fe5020', 'v7.0.0'],
  'aws-actions/configure-aws-credentials': ['e6de054238d6b7531b4efff3b6587d9aade6a06c', 'v6.2.3']
}

interface Use {
  readonly where: string
  readonly action: string
  readonly ref: string
  readonly comment: string
}

/** `uses: owner/repo[/path]@ref  # comment` lines, in YAML files or in Markdown code blocks. */
function usesLines(path: string): Use[] {
  return readFileSync(join(ROOT, path), 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const match = /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w.-]+)(?:\/[^@\s]*)?@(\S+)(?:\s+#\s*(.*))?$/.exec(line)
      if (!match?.[1] || !match[2]) return []
      return [{ where: `${path}:${index + 1}`, action: match[1], ref: match[2], comment: match[3] ?? '' }]
    })
}

function pinProblems(use: Use): string[] {
  if (use.action === 'ecs-ship/ecs-ship') return []
  const known = NODE24_RELEASES[use.action]
  if (!known) return [`${use.where}: ${use.action} is not a verified Node 24 release`]
  const [sha, version] = known
  if (use.ref !== sha) return [`${use.where}: ${use.action}@${use.ref} is not ${sha} (${version})`]
  if (use.comment.split(/\s/)[0] !== version)
    return [`${use.where}: ${use.action}@${sha} needs the comment "# ${version}"`]
  return []
}

const markdown = [
  'README.md',
  ...readdirSync(join(ROOT, 'examples')).map(name => `examples/${name}/README.md`)
]
const files = [...workflowPaths(), ...templatePaths(), ...markdown]

describe('Node 24 pins', () => {
  it('the table holds full commit SHAs', () => {
    for (const [sha, version] of Object.values(NODE24_RELEASES)) {
      expect(sha).toMatch(/^[0-9a-f]{40}$/)
      expect(version).toMatch(/^v\d+\.\d+\.\d+$/)
    }
  })

  it('finds the uses: lines, the README included', () => {
    const all = files.flatMap(usesLines)
    expect(all.some(use => use.where.startsWith('README.md'))).toBe(true)
    expect(new Set(all.map(use => use.action))).toEqual(
      new Set([...Object.keys(NODE24_RELEASES), 'ecs-ship/ecs-ship'])
    )
  })

  it.each(files)('%s pins every third-party action to a verified Node 24 release', path => {
    expect(usesLines(path).flatMap(pinProblems)).toEqual([])
  })

  it('reports a Node 20 release, a tag and a missing version comment', () => {
    expect(usesLines('__fixtures__/github/bad-workflow.yml').flatMap(pinProblems)).toEqual([
      expect.stringMatching(/:\d+: actions\/checkout@v4 is not 3d3c42e5\w+ \(v7\.0\.1\)$/),
      expect.stringMatching(
        /:\d+: aws-actions\/configure-aws-credentials@e3dd6a42\w+ is not e6de0542\w+ \(v6\.2\.3\)$/
      ),
      expect.stringMatching(/:\d+: actions\/setup-node@49933ea5\w+ is not 820762\w+ \(v7\.0\.0\)$/)
    ])
    expect(
      pinProblems({
        where: 'x:1',
        action: 'actions/checkout',
        ref: '3d3c42e5aac5ba805825da76410c181273ba90b1',
        comment: 'v4.2.2'
      })
    ).toEqual(['x:1: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 needs the comment "# v7.0.1"'])
  })
})
