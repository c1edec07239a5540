import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    dts: true,
    // The bin is built by the second entry at the same time: keep it.
    clean: ['!cli.js'],
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node20',
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
