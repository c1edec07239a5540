import { defineConfig } from 'tsup';

export default defineConfig({
  // main: the velos-server binary; host: what `velos serve` and the daemon's [api] extension share with it.
  entry: { main: 'src/main.ts', host: 'src/host.ts' },
  format: ['esm'],
  target: 'node20',
  // dependencies stay external: @velos/api finds its dashboard assets beside its own dist
  // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build)
  clean: true,
});
