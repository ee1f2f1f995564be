// The import rules of docs/ARCHITECTURE.md, checked by `npm run lint:deps` (part of `npm run lint`
// and of .ci/run). Type-only imports count too (tsPreCompilationDeps), so a cycle cannot hide
// behind `import type`.
//
// src/: modes → pipeline → rollout → strategies → watch, one way. The support rooms (aws, github,
// image, migrate, preview, taskdef, report, service, util, process) sit below all of them and may
// use the watch room (the bottom of the chain), never anything above it.
// sim/: server → api → tick → controllers → runtime → world, one way; tick.ts is the only importer
// of controllers/.

const above = rooms => `^src/(${rooms.join('|')})/|^src/main\\.ts$|^src/index\\.ts$`

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle anywhere, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'src-watch-is-the-bottom',
      comment: 'The watch loop knows nothing of strategies, rollouts, the pipeline or modes.',
      severity: 'error',
      from: { path: '^src/watch/' },
      to: { path: above(['strategies', 'rollout', 'pipeline', 'modes']) }
    },
    {
      name: 'src-strategies-below-rollout',
      comment:
        'A strategy implements rollout/contract.ts; it never calls the rollout, the pipeline or a mode.',
      severity: 'error',
      from: { path: '^src/strategies/' },
      to: { path: above(['pipeline', 'modes']) + '|^src/rollout/(?!contract\\.ts$)' }
    },
    {
      name: 'src-strategies-independent',
      comment: 'One strategy never reaches into another.',
      severity: 'error',
      from: { path: '^src/strategies/([^/]+)/' },
      to: { path: '^src/strategies/', pathNot: '^src/strategies/$1/' }
    },
    {
      name: 'src-rollout-below-pipeline',
      severity: 'error',
      from: { path: '^src/rollout/' },
      to: { path: above(['pipeline', 'modes']) }
    },
    {
      name: 'src-pipeline-below-modes',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: above(['modes']) }
    },
    {
      name: 'src-support-rooms-stay-below',
      comment:
        'aws, github, image, migrate, preview, taskdef, report, service, util and process are used by the flow, never the other way round.',
      severity: 'error',
      from: {
        path: '^src/(aws|github|image|migrate|preview|taskdef|report|service|util|process)/|^src/(errors|inputs|state|phases|version)\\.ts$'
      },
      to: { path: above(['strategies', 'rollout', 'pipeline', 'modes']) }
    },
    {
      name: 'src-verdicts-are-pure',
      comment: 'A verdict takes data and returns data: no AWS SDK at run time.',
      severity: 'error',
      from: { path: '^src/(watch|strategies/[^/]+)/verdict\\.ts$' },
      to: { path: '@aws-sdk/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'sim-world-is-the-bottom',
      severity: 'error',
      from: { path: '^sim/world/' },
      to: { path: '^sim/(runtime|controllers|api|server)/|^sim/tick\\.ts$' }
    },
    {
      name: 'sim-runtime-below-controllers',
      severity: 'error',
      from: { path: '^sim/runtime/' },
      to: { path: '^sim/(controllers|api|server)/|^sim/tick\\.ts$' }
    },
    {
      name: 'sim-controllers-below-tick',
      severity: 'error',
      from: { path: '^sim/controllers/' },
      to: { path: '^sim/(api|server)/|^sim/tick\\.ts$' }
    },
    {
      name: 'sim-tick-below-api',
      severity: 'error',
      from: { path: '^sim/tick\\.ts$' },
      to: { path: '^sim/(api|server)/' }
    },
    {
      name: 'sim-api-below-server',
      severity: 'error',
      from: { path: '^sim/api/' },
      to: { path: '^sim/server/' }
    },
    {
      name: 'sim-iam-self-contained',
      comment:
        'The IAM model decides from the request and what the world tells it, and knows no room of the simulator.',
      severity: 'error',
      from: { path: '^sim/iam/' },
      to: { path: '^sim/', pathNot: '^sim/(iam/|contract\\.ts$)' }
    },
    {
      name: 'sim-only-tick-drives-controllers',
      severity: 'error',
      from: { path: '^sim/', pathNot: '^sim/(tick\\.ts|controllers/)' },
      to: { path: '^sim/controllers/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default']
    },
    reporterOptions: { text: { highlightFocused: true } }
  }
}
