import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The embedded ClickHouse engine must stay on a process's main thread: every test file gets its own process.
    pool: 'forks',
    maxWorkers: 2,
    include: ['packages/**/*.test.ts', 'services/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
