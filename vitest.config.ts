import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts'],
    // *.restart.test.ts restart the PostgreSQL server: vitest.restart.config.ts runs them alone afterwards.
    exclude: ['dist/**', 'node_modules/**', 'test/**/*.restart.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep worker count modest so timing-sensitive delivery tests stay stable.
    maxWorkers: 2,
  },
});
