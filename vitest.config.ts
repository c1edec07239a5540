import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'apps/cli/vitest.config.monit.ts', 'test/*'],
    // Most tests wait on real daemons and children rather than compute (the e2e project alone keeps the
    // 2-core CI machine ~50 % busy with two files at a time). Three files at a time: the Node 20 run took
    // 10 min 49 s instead of 12 min 45 s (at 71 % instead of 62 % of both cores), every timing test passing.
    // Four took 727 s against three's 635 s on the same tree (session 30): the run was CPU-bound by then.
    // Session 47, after the tests' CPU was cut (1,358 CPU-s for the whole CI run): four files at a time
    // kept both cores 96 % busy instead of 89 %, and the fresh-clone CI took 11 min 58 s instead of
    // 12 min 48 s (Node 20: 638 s against 678 s), every test passing.
    maxWorkers: 4,
  },
});
