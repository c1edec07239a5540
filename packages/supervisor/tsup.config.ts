import { writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // SUP-5: the cluster primary runs as a process of its own; the supervisor finds it beside its bundle.
  // OBS-7: the metrics history loads on the first sample; the subpath gives it to the bench and embedders.
  entry: {
    index: 'src/index.ts',
    'cluster-primary': 'src/cluster/primary.ts',
    'metrics-history': 'src/metrics/history-runtime.ts',
    // `velos logs -`: the log queries without a daemon; never through the main entry (the log engine)
    'file-log-queries': 'src/file-log-queries-entry.ts',
    // `velos export` and `velos config validate`: what the daemon makes of specs, without loading the daemon
    'spec-tools': 'src/spec-tools-entry.ts',
  },
  format: ['esm'],
  target: 'node20',
  // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build), one per
  // source file; the `metrics-history` entry's (package.json's ./metrics-history types) re-exports its source's
  onSuccess: async () => {
    writeFileSync('dist/metrics-history.d.ts', "export * from './metrics/history-runtime.js';\n");
    writeFileSync('dist/file-log-queries.d.ts', "export * from './file-log-queries-entry.js';\n");
    writeFileSync('dist/spec-tools.d.ts', "export * from './spec-tools-entry.js';\n");
  },
  clean: true,
});
