// Mutation testing (npm run mutate; not in CI: it takes long on two cores). It mutates the code whose promises
// matter most (sequencer, delivery, store, outcome classification, the Genesys snapshot diff, Ada's ordering,
// the Agent AI bodies, how an Ada webhook is read)
// and runs the fast unit tests of vitest.mutate.config.ts against each mutant. One area at a time:
//   MUTATE_AREA=delivery npm run mutate
// Results are kept per area under reports/mutation/, so a second run only re-tests what changed.
const AREAS = {
  core: ['src/core/**/*.ts'],
  delivery: ['src/delivery/**/*.ts', 'src/agentai/outcome.ts', 'src/errors.ts', 'src/util/backoff.ts', 'src/util/retry-after.ts', 'src/util/keyed-serial.ts', 'adapters/ada/ordering.ts'],
  // The PostgreSQL engine has its own tests against a server; the unit run covers SQLite.
  store: ['src/store/**/*.ts', '!src/store/postgres*.ts', '!src/store/pg-*.ts'],
  genesys: ['adapters/genesys/legs.ts', 'adapters/genesys/snapshot-diff.ts', 'adapters/genesys/conversation-facts.ts', 'adapters/genesys/disconnect.ts'],
  // What Agent AI receives: the hook bodies, the caps on their fields, the JWT.
  agentai: ['src/agentai/bodies.ts', 'src/agentai/limits.ts', 'src/agentai/jwt.ts'],
  // How an Ada webhook is read: its signature, its payload, what it maps to.
  ada: ['adapters/ada/signature.ts', 'adapters/ada/payload.ts', 'adapters/ada/mapper.ts', 'adapters/ada/limits.ts', 'adapters/ada/recent-ids.ts', 'adapters/ada/conversations.ts'],
};
const area = process.env.MUTATE_AREA;
if (area !== undefined && !(area in AREAS)) throw new Error(`MUTATE_AREA must be one of ${Object.keys(AREAS).join(', ')}`);
const name = area ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: area ? AREAS[area] : Object.values(AREAS).flat(),
  coverageAnalysis: 'perTest',
  // Two cores shared with other work.
  concurrency: 2,
  // A mutant that makes a test wait forever is a timeout (killed); do not wait long for it.
  timeoutMS: 5_000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'data', 'coverage'],
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
