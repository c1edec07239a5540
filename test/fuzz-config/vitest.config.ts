import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fuzz-config',
    include: ['**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
