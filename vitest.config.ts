import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'test/*'],
    // Most tests wait on real daemons and children rather than compute: two files at a time on the
    // 2-core CI machine (vitest's default there is one) halves the run without starving the timing tests.
    maxWorkers: 2,
  },
});
