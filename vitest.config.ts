import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000 /* ms */,
    hookTimeout: 30_000 /* ms */,
    // Each file starts its own simulator and database; two cores fit two files at once.
    maxWorkers: 2,
  },
});
