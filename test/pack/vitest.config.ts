import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pack',
    include: ['**/*.test.ts'],
    // each test runs a few `npx` commands, which load npm first: seconds each on a busy machine
    testTimeout: 240_000,
    // one pack and one npm install for the whole file (a cold npm cache downloads ~250 packages)
    hookTimeout: 300_000,
  },
});
