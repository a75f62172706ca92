import { defineConfig } from 'vitest/config';

// pool 'forks': the threads pool crashes Temporal's native bridge.
// Integration suites share one bundle and one server per run (test/global-setup.ts) and run one file at a time,
// because the time-skipping server's clock is shared by everything connected to it.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/sandbox/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/workflows/**/*.test.ts', 'test/replay/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
