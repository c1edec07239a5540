import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fuzz-config',
    // one worker process runs file after file, as in e2e (docs/testing.md)
    isolate: false,
    include: ['**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
