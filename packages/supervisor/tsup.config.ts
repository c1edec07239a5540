import { defineConfig } from 'tsup';

export default defineConfig({
  // SUP-5: the cluster primary runs as a process of its own; the supervisor finds it beside its bundle.
  entry: { index: 'src/index.ts', 'cluster-primary': 'src/cluster/primary.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
});
