import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'cli', include: ['test/**/*.test.{ts,tsx}'], testTimeout: 30_000, hookTimeout: 30_000 },
});
