#!/usr/bin/env node
// `velos logs all --summary` over APPS apps (default 20) that each wrote LINES lines (default 100k) of
// fixtures/log-mix.js (LOG-4): the wall time of the CLI call, the daemon-side time and CPU of
// `logs.analyze` through the client (median of RUNS, default 3), the daemon's RSS before and after,
// and what the answer read (lines, sample, partial or not) and its per-app breakdown. The apps print
// and exit (no autorestart), a few at a time, so the machine holds no 20 live processes. One fresh
// daemon, started by the built CLI.
// Usage: pnpm run build && node bench/logs-summary-apps.mjs [--apps 20] [--lines 100000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readPidFile, readRssBytes, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '20' },
    lines: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
  },
});
const apps = Number(values.apps);
const lines = Number(values.lines);
const runs = Number(values.runs);
/** Apps printing at once. */
const AT_ONCE = 4;
const repo = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');
const { createClient } = await import(pathToFileURL(join(repo, 'packages/client/dist/index.js')).href);

const home = mkdtempSync(join(tmpdir(), 'velos-logs-summary-apps-'));
const env = { ...process.env, VELOS_HOME: home };
const velos = (args, extra = {}) =>
  execFileSync(process.execPath, [VELOS_BIN, ...args], {
    env: { ...env, ...extra },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
const names = Array.from({ length: apps }, (_, i) => `app-${String(i).padStart(2, '0')}`);
let pid = null;
try {
  const captured = (name) => {
    const [info] = JSON.parse(velos(['describe', name, '--json']));
    return info.logLines.out + info.logLines.err;
  };
  for (let first = 0; first < apps; first += AT_ONCE) {
    const batch = names.slice(first, first + AT_ONCE);
    for (const name of batch) {
      velos(['start', join(repo, 'fixtures/log-mix.js'), '--name', name, '--no-autorestart'], {
        COUNT: String(lines),
      });
    }
    pid ??= readPidFile(join(home, 'velos.pid'));
    await waitFor(() => batch.every((name) => captured(name) >= lines), {
      timeoutMs: 300_000,
      intervalMs: 500,
      what: `${batch.join(', ')} captured`,
    });
  }
  const rssBefore = readRssBytes(pid);
  const cli = [];
  let output = '';
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    output = velos(['logs', 'all', '--summary']);
    cli.push(performance.now() - started);
  }
  const client = createClient({ home, timeoutMs: 120_000 });
  const daemon = [];
  const cpu = [];
  let result;
  for (let run = 0; run < runs; run += 1) {
    const cpuBefore = readCpuSeconds(pid);
    const started = performance.now();
    result = await client.analyzeLogs({ target: 'all', view: 'summary' });
    daemon.push(performance.now() - started);
    cpu.push((readCpuSeconds(pid) - cpuBefore) * 1000);
  }
  const one = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await client.analyzeLogs({ target: names[0], view: 'summary' });
    one.push(performance.now() - started);
  }
  await client.close();
  const rssAfter = readRssBytes(pid);
  const fmt = (list) => list.map((v) => v.toFixed(0)).join(', ');
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `velos logs all --summary on ${apps} apps × ${lines.toLocaleString('en-US')} lines (node ${process.version})`,
  );
  console.log(`  CLI wall time, median of ${runs}: ${median(cli).toFixed(0)} ms (runs: ${fmt(cli)})`);
  console.log(
    `  logs.analyze all in the daemon, median of ${runs}: ${median(daemon).toFixed(0)} ms (runs: ${fmt(daemon)})`,
  );
  console.log(`  daemon CPU per logs.analyze all, median: ${median(cpu).toFixed(0)} ms (runs: ${fmt(cpu)})`);
  console.log(`  logs.analyze of one app alone, median: ${median(one).toFixed(0)} ms (runs: ${fmt(one)})`);
  console.log(`  daemon RSS before ${mb(rssBefore)}, after ${mb(rssAfter)}`);
  console.log(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `  lines read ${result.scanned.lines.toLocaleString('en-US')} of ${(apps * lines).toLocaleString('en-US')}, analysed ${result.analyzedLines.toLocaleString('en-US')} (sample rate ${result.sampleRate})${result.scanned.isPartial ? ', partial: the 10 s budget ran out' : ''}`,
  );
  console.log(`\n${output}`);
} finally {
  try {
    velos(['kill']);
  } catch {
    // stopped below by pid
  }
  await stopPids([pid].filter((each) => each !== null));
  rmSync(home, { recursive: true, force: true });
}
