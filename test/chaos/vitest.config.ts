import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // the files share their worker processes (docs/testing.md): 28.9 → 24.1 CPU-s for this project alone
    isolate: false,
    name: 'chaos',
    include: ['**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
