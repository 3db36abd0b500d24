// The tests a mutation run (npm run mutate, stryker.config.mjs) executes: the fast unit tests of the code
// under mutation only. Integration tests (HTTP, child processes, the simulated org) are slow on two cores and
// would multiply by every mutant; they run in `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/delivery/dispatcher*.test.ts',
      'test/delivery/circuit.test.ts',
      'test/delivery/backoff.test.ts',
      'test/store/sqlite.test.ts',
      'test/store/units.test.ts',
      'test/agentai/outcome.test.ts',
      'adapters/genesys/test/*.test.ts',
      'adapters/ada/test/ordering.test.ts',
    ],
    exclude: ['dist/**', 'node_modules/**', 'adapters/genesys/test/transcription.test.ts', 'adapters/genesys/test/envelope.test.ts', 'adapters/genesys/test/address.test.ts'],
    testTimeout: 10_000,
    // Stryker re-runs the tests for every mutant in one process: re-importing every module graph per file per
    // mutant would dominate the run.
    isolate: false,
    env: { PROPERTY_RUNS_SCALE: '0.1' },
  },
});
