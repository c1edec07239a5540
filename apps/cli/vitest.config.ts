import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // the files run one after another in one worker process, not each in a new one (with cli-monit, ~20 %
    // less CPU alone: 75 → 61 CPU-s); the ink tests of monit run isolated, in vitest.config.monit.ts
    // (docs/testing.md)
    isolate: false,
    name: 'cli',
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/monit/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
