import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', quick: 'src/quick.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
});
