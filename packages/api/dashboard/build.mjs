#!/usr/bin/env node
// Bundles the web dashboard (preact + htm, uPlot on demand) into packages/api/dist/dashboard:
// index.html, app.js, app.css, favicon.svg and the lazily loaded chunks. No CDN: the server serves it all.
// Prints each file's raw and gzipped size and the first load (what the overview needs).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'dist', 'dashboard');
/** The first load's budget, gzipped (DASHBOARD.md). */
const BUDGET_GZIP_BYTES = 150 * 1024;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: !process.env.DASHBOARD_DEV,
  sourcemap: process.env.DASHBOARD_DEV ? 'inline' : false,
  chunkNames: 'chunk-[hash]',
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const file of ['index.html', 'favicon.svg']) copyFileSync(join(here, file), join(outdir, file));

const firstLoad = new Set(['index.html', 'app.js', 'app.css', 'favicon.svg']);
let firstRaw = 0;
let firstGzip = 0;
const rows = [];
for (const file of readdirSync(outdir).sort()) {
  const raw = statSync(join(outdir, file)).size;
  const gzip = gzipSync(readFileSync(join(outdir, file)), { level: 9 }).length;
  if (firstLoad.has(file)) {
    firstRaw += raw;
    firstGzip += gzip;
  }
  rows.push(
    `  ${file.padEnd(24)} ${kb(raw).padStart(9)} ${kb(gzip).padStart(9)} gz${firstLoad.has(file) ? '' : '  (on demand)'}`,
  );
}
if (!process.argv.includes('--quiet')) {
  console.log(`dashboard → ${outdir}\n${rows.join('\n')}`);
  console.log(
    `  first load: ${kb(firstRaw)} raw, ${kb(firstGzip)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`,
  );
}
if (firstGzip > BUDGET_GZIP_BYTES && !process.env.DASHBOARD_DEV) {
  console.error(
    `dashboard: the first load is ${kb(firstGzip)} gzipped, over the budget of ${kb(BUDGET_GZIP_BYTES)}`,
  );
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
