import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // the files share their worker processes (docs/testing.md): 8.3 → 4.9 CPU-s for this project alone
    isolate: false,
    name: 'mcp',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
