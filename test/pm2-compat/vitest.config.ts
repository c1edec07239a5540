import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pm2-compat',
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
