import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Vite would hand our code graphql's ESM build while Yoga and Pothos, loaded by Node, get the
    // CommonJS one: two graphql modules, and GraphQLErrors the server no longer recognizes.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000 /* ms */,
    hookTimeout: 30_000 /* ms */,
    // Each file starts its own simulator and database; two cores fit two files at once.
    maxWorkers: 2,
  },
});
