import { defineConfig } from 'tsup';

export default defineConfig({
  // SUP-5: the cluster primary runs as a process of its own; the supervisor finds it beside its bundle.
  // OBS-7: the metrics history loads on the first sample; the subpath gives it to the bench and embedders.
  entry: {
    index: 'src/index.ts',
    'cluster-primary': 'src/cluster/primary.ts',
    'metrics-history': 'src/metrics/history-runtime.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts', 'metrics-history': 'src/metrics/history-runtime.ts' } },
  clean: true,
});
