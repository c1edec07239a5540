import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // the files share their worker processes (docs/testing.md): 62.9 → 57.9 CPU-s for this project alone
    isolate: false,
    name: 'pm2-compat',
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
