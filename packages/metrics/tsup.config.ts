import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', server: 'src/server.ts' },
  format: ['esm'],
  target: 'node20',
  // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build)
  clean: true,
});
