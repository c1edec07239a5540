import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'bench', include: ['test/**/*.test.mjs'], testTimeout: 30_000, hookTimeout: 30_000 },
});
