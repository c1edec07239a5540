import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // line-level: the classifier alone, without Node modules, for browsers (the web dashboard)
    entry: { index: 'src/index.ts', 'line-level': 'src/line-level.ts' },
    format: ['esm'],
    target: 'node20',
    splitting: true,
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
