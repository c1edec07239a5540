import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build)
    // The bin is built by the second entry at the same time: keep it.
    clean: ['!cli.js'],
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node20',
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
