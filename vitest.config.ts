import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Protocol tests bind real ports and run real engines on a 2-core machine: keep parallelism modest.
    maxWorkers: 2,
  },
});
