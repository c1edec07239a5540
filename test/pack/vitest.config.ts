import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pack',
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
    // one pack and one npm install for the whole file (a cold npm cache downloads ~250 packages)
    hookTimeout: 300_000,
  },
});
