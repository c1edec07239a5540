import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fuzz',
    include: ['**/*.test.ts'],
    // generous: the suites take 20–40 s each on an idle 2-core machine, much more when it is shared
    testTimeout: 400_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
