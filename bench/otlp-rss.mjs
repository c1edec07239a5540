#!/usr/bin/env node
// OBS-5 cost: RSS of an idle Velos daemon with the OTLP export off and on, side by side (10 silent.js
// apps in both, so the export has series and runs to send). "On" exports every INTERVAL to a local
// OTLP/HTTP receiver (node:http in this process, answering 200) and is measured once RSS settles
// after EXPORTS exports. A fresh daemon per measurement, alternating off/on; medians of RUNS.
// Usage: pnpm run build && node bench/otlp-rss.mjs [--runs 5] [--interval 1s] [--exports 5] [--apps 10 (0: none)]
//   [--modes off,on] [--bin path/to/velos.js (another build, e.g. main's, for an off-only comparison)]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { readPidFile, readSettledRss, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    interval: { type: 'string', default: '1s' },
    exports: { type: 'string', default: '5' },
    apps: { type: 'string', default: '10' },
    modes: { type: 'string', default: 'off,on' },
    bin: { type: 'string' },
  },
});
const runs = Number(values.runs);
const exportsBeforeMeasure = Number(values.exports);
const repo = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = values.bin ?? join(repo, 'apps/cli/bin/velos.js');
const modes = values.modes.split(',');
const SILENT = join(repo, 'fixtures/silent.js');
const MB = 1e6;
const run = promisify(execFile);

let metricPosts = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.url === '/v1/metrics') metricPosts += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${receiver.address().port}`;

const samples = { off: [], on: [] };
try {
  for (let run = 0; run < runs; run += 1) {
    for (const mode of run % 2 === 0 ? modes : [...modes].reverse()) {
      process.stderr.write(`run ${run + 1}/${runs}: export ${mode}\n`);
      samples[mode].push(await measure(mode === 'on'));
    }
  }
} finally {
  receiver.close();
}
const row = (mode) =>
  `| export ${mode} | ${median(samples[mode]).toFixed(1)} | ${samples[mode].map((v) => v.toFixed(1)).join(', ')} |`;
console.log(
  `Daemon RSS with ${values.apps} silent.js apps (MB = 10^6 bytes, median of ${runs}; interval ${values.interval})\n`,
);
console.log('| OTLP export | RSS MB (median) | runs |\n|---|---|---|');
for (const mode of modes) console.log(row(mode));
if (modes.length === 2)
  console.log(`\nexport on costs ${(median(samples.on) - median(samples.off)).toFixed(1)} MB`);

/** One fresh daemon with the apps, export on or off; its settled RSS in MB. */
async function measure(isOn) {
  const home = mkdtempSync(join(tmpdir(), 'velos-otlp-rss-'));
  const env = { ...process.env, VELOS_HOME: home };
  for (const key of Object.keys(env)) if (key.startsWith('OTEL_')) delete env[key];
  const velos = (args) => run(process.execPath, [VELOS_BIN, ...args], { env, encoding: 'utf8' });
  if (isOn)
    writeFileSync(
      join(home, 'config.toml'),
      `[metrics.otlp]\nendpoint = "${endpoint}"\ninterval = "${values.interval}"\n`,
    );
  let pid = null;
  try {
    if (values.apps === '0') await velos(['ping']);
    else await velos(['start', SILENT, '--name', 'quiet', '--exec-mode', 'fork', '-i', values.apps]);
    pid = readPidFile(join(home, 'velos.pid'));
    if (isOn) {
      const target = metricPosts + exportsBeforeMeasure;
      await waitFor(() => metricPosts >= target, {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: `${exportsBeforeMeasure} exports`,
      });
    }
    await velos(['list']);
    return (await readSettledRss(pid)) / MB;
  } finally {
    try {
      await velos(['kill']);
    } catch {
      if (pid !== null) await stopPids([pid]);
    }
    rmSync(home, { recursive: true, force: true });
  }
}
