import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { TEST_BUNDLE_DIR } from './bundle-dir.js';

/** Bundles src/ once per run so tests can start real daemons as separate processes. */
export default async function setup(): Promise<void> {
  await build({
    entry: {
      index: fileURLToPath(new URL('../src/index.ts', import.meta.url)),
      'cluster-primary': fileURLToPath(new URL('../src/cluster/primary.ts', import.meta.url)),
    },
    outDir: TEST_BUNDLE_DIR,
    format: ['esm'],
    target: 'node20',
    dts: false,
    clean: true,
    silent: true,
    config: false,
    external: [/^@velos\//],
  });
  writeFileSync(
    `${TEST_BUNDLE_DIR}daemon.mjs`,
    "import { runDaemon } from './index.js';\nawait runDaemon({ home: process.argv[2], foreground: process.argv[3] === 'fg' });\n",
  );
}
