// Mutation testing (npm run mutate; not in CI: it takes long on two cores). It mutates the code whose promises
// matter most (sequencer, delivery, store, outcome classification, the Genesys snapshot diff) and runs the fast
// unit tests of vitest.mutate.config.ts against each mutant. One area at a time:
//   npm run mutate -- --mutate 'src/delivery/**/*.ts'
// Results are kept in reports/stryker-incremental.json, so a second run only re-tests what changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/core/**/*.ts',
    'src/delivery/**/*.ts',
    'src/store/**/*.ts',
    'src/agentai/outcome.ts',
    'adapters/genesys/legs.ts',
    'adapters/genesys/snapshot-diff.ts',
    'adapters/genesys/conversation-facts.ts',
    'adapters/genesys/disconnect.ts',
    'adapters/ada/ordering.ts',
    // The PostgreSQL engine has its own tests against a server; the unit run covers SQLite only.
    '!src/store/postgres*.ts',
  ],
  coverageAnalysis: 'perTest',
  // Two cores shared with other work.
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'data', 'coverage'],
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
