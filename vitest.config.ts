import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep the pool small so simulator-backed tests are not starved.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
