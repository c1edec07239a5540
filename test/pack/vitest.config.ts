import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pack',
    include: ['**/*.test.ts'],
    // one pack of every publishable package and one npm install of each tree, shared by both files
    globalSetup: ['./global-setup.ts'],
    // each test runs a few `npx` commands, which load npm first: seconds each on a busy machine
    testTimeout: 240_000,
    // a file's beforeAll waits for its tree (a cold npm cache downloads ~250 packages)
    hookTimeout: 300_000,
  },
});
