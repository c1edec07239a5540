import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ai: 'src/ai.ts',
    'app-name': 'src/app-name.ts',
    'app-resolve': 'src/app-resolve.ts',
    codec: 'src/codec.ts',
    config: 'src/config.ts',
    'custom-metric-view': 'src/custom-metric-view.ts',
    'frame-header': 'src/frame-header.ts',
    schemas: 'src/schemas.ts',
    'spec-to-config': 'src/spec-to-config.ts',
  },
  format: ['esm'],
  target: 'node20',
  // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build)
  clean: true,
  splitting: true,
});
