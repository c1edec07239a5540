import { defineConfig } from 'tsup';

export default defineConfig({
  // `stdio` is the lazy entry `velos mcp` loads: no SDK, no zod until the tool list is out
  entry: { index: 'src/index.ts', stdio: 'src/stdio-entry.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
});
