import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'chaos',
    // one worker process runs file after file, as in e2e (docs/testing.md)
    isolate: false,
    include: ['**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
