import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fuzz',
    include: ['**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
