import { defineConfig } from 'vitest/config';

// Tests that restart the shared PostgreSQL server: run alone, after the main suite, so nothing else is using it.
export default defineConfig({
  test: {
    include: ['test/**/*.restart.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    // Everything the tests write to the temporary directory goes under one per run, removed at its end.
    globalSetup: ['test/helpers/run-tmpdir.ts'],
  },
});
