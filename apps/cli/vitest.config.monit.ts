import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // `velos monit`'s ink tests, each file in a new worker process: in one process shared with other
    // files, `monit-app.test.tsx` once rendered nothing after another ink file (docs/testing.md)
    name: 'cli-monit',
    include: ['test/monit/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
