// ESM jest: ts-jest compiles TypeScript as ES modules, and tests run under
// --experimental-vm-modules (see the "test" script), which is what lets
// jest.unstable_mockModule replace ESM-only packages such as @actions/core.
//
// Three projects, run together by `npm test`:
// - unit: pure code and code with mocked clients; seconds. `npm run test:unit` runs it alone.
// - integration: the simulator itself, and phases run against it in-process.
// - e2e: the bundled dist/index.js run as a process against the simulator, the way the runner
//   runs it; its global setup bundles first when src/ is newer than dist/.
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }
    ]
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/']
}

const integration = ['<rootDir>/__tests__/sim/', '<rootDir>/__tests__/[^/]+/simulator\\.test\\.ts$']

/** @type {import('jest').Config} */
export default {
  testTimeout: 60000,
  verbose: false,
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  // The floor CI holds (.ci/run runs `npm test -- --coverage`). The end-to-end tests run the
  // bundle, which is not instrumented, so this is what the unit and integration tests cover:
  // measured 85.2% statements, 73.6% branches, 87.1% functions, 86.2% lines on 2026-12-04.
  coverageThreshold: { global: { statements: 83, branches: 71, functions: 85, lines: 84 } },
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '<rootDir>/__tests__/e2e/', ...integration]
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/sim/**/*.test.ts', '<rootDir>/__tests__/*/simulator.test.ts']
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/scripts/jest-bundle-first.js'
    }
  ]
}
