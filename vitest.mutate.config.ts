// The tests a mutation run (npm run mutate, stryker.config.mjs) executes: the fast unit tests of the code
// under mutation only, those of the area being mutated (MUTATE_AREA) when one is given. Integration tests
// (HTTP, child processes, the simulated org) are slow on two cores and would multiply by every mutant; they
// run in `npm test`.
import { defineConfig } from 'vitest/config';

const AREAS: Record<string, string[]> = {
  core: ['test/core/**/*.test.ts'],
  delivery: ['test/delivery/*.test.ts', 'test/util/*.test.ts', 'test/agentai/outcome.test.ts', 'adapters/ada/test/ordering.test.ts'],
  store: ['test/store/*.test.ts'],
  genesys: ['adapters/genesys/test/*.test.ts'],
  agentai: ['test/agentai/bodies.test.ts', 'test/agentai/limits.test.ts', 'test/agentai/jwt.test.ts'],
  ada: ['adapters/ada/test/*.test.ts'],
};
const area = process.env.MUTATE_AREA;

export default defineConfig({
  test: {
    include: area && AREAS[area] ? AREAS[area] : Object.values(AREAS).flat(),
    exclude: [
      'dist/**',
      'node_modules/**',
      // Not about the mutated files (the envelope, addresses and transcription are outside the diff).
      'adapters/genesys/test/transcription.test.ts',
      'adapters/genesys/test/envelope.test.ts',
      'adapters/genesys/test/address.test.ts',
      // Needs a PostgreSQL server; the PostgreSQL engine is not mutated.
      'test/store/postgres.test.ts',
      // Through HTTP and the whole bridge: its promises are pinned at the unit level by the other delivery tests.
      'test/delivery/delivery.test.ts',
      // Three hours of outage on the test clock: over ten seconds per run.
      'test/delivery/outage.test.ts',
      // Runs the built module (dist/) in a child process: nothing mutated reaches it, and a sandbox has no dist/.
      'test/store/wal-checkpointer-process.test.ts',
      // Random duplication of every fixture: six seconds per run even scaled down; the fixture tests replay the
      // same frames in order and the fidelity tests their edge cases.
      'adapters/genesys/test/duplication.property.test.ts',
    ],
    testTimeout: 10_000,
    // Stryker re-runs the tests for every mutant in one process: re-importing every module graph per file per
    // mutant would dominate the run.
    isolate: false,
    env: { PROPERTY_RUNS_SCALE: '0.1' },
  },
});
