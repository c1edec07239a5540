import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'e2e',
    // the files run one after another in each worker process, not each in a new one: ~0.4 CPU-s less per
    // file (10 files: 21.3 → 16.9 CPU-s); the harness keeps no state a file could leave to the next
    // (every home is its own, every program it started is killed by PID in teardown)
    isolate: false,
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
