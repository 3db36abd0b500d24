import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts'],
    // *.restart.test.ts restart the PostgreSQL server: vitest.restart.config.ts runs them alone afterwards.
    exclude: ['dist/**', 'node_modules/**', 'test/**/*.restart.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The machine has two cores: more workers than that only add contention (no test depends on timing).
    maxWorkers: 2,
    // Everything the tests write to the temporary directory goes under one per run, removed at its end.
    globalSetup: ['test/helpers/run-tmpdir.ts'],
  },
});
