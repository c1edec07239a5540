import { writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // `stdio` is the lazy entry `velos mcp` loads: no SDK, no zod until the tool list is out
  entry: { index: 'src/index.ts', stdio: 'src/stdio-entry.ts' },
  format: ['esm'],
  target: 'node20',
  // no dts: the declarations are tsc's (tsconfig.build.json, after tsup in package.json's build), one per
  // source file in dist/types; each entry's declaration file (package.json's `types`) re-exports its source's
  onSuccess: async () => {
    writeFileSync('dist/index.d.ts', "export * from './types/index.js';\n");
    writeFileSync('dist/stdio.d.ts', "export * from './types/stdio-entry.js';\n");
  },
  clean: true,
});
