#!/usr/bin/env node
// `velos logs <app> --summary` on an app that wrote LINES lines (default 1M) of fixtures/log-mix.js:
// the wall time of the whole CLI call (node start, connect, the daemon's work, printing), median of
// RUNS calls (default 5), plus the daemon-side time of `logs.analyze` alone through the client, and
// the top patterns found against the fixture's known mix. One fresh daemon, started by the built CLI.
// --app chatty: fixtures/chatty.js (`line N`, no error) instead, a log without errors.
// Usage: pnpm run build && node bench/logs-summary.mjs [--lines 1000000] [--runs 5] [--app mix|chatty]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readPidFile, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    app: { type: 'string', default: 'mix' },
  },
});
const lines = Number(values.lines);
if (values.app !== 'mix' && values.app !== 'chatty')
  throw new Error(`--app: mix or chatty, not ${values.app}`);
const isMix = values.app === 'mix';
const runs = Number(values.runs);
const repo = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');
const { createClient } = await import(pathToFileURL(join(repo, 'packages/client/dist/index.js')).href);

const home = mkdtempSync(join(tmpdir(), 'velos-logs-summary-'));
const env = { ...process.env, VELOS_HOME: home };
const velos = (args, extra = {}) =>
  execFileSync(process.execPath, [VELOS_BIN, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
let pid = null;
let appPid = null;
try {
  if (isMix)
    velos(['start', join(repo, 'fixtures/log-mix.js'), '--name', 'mix'], { COUNT: String(lines), STAY: '1' });
  // `line N`, no error at all: what the summary costs on a log without errors
  else
    velos(['start', join(repo, 'fixtures/chatty.js'), '--name', 'mix', '--no-autorestart'], {
      COUNT: String(lines),
      RATE: '0',
    });
  pid = readPidFile(join(home, 'velos.pid'));
  const captured = () => {
    const [info] = JSON.parse(velos(['describe', 'mix', '--json']));
    appPid = info.pid;
    return info.logLines.out + info.logLines.err;
  };
  await waitFor(() => captured() >= lines, {
    timeoutMs: 300_000,
    intervalMs: 500,
    what: `${lines} lines captured`,
  });
  const cli = [];
  let output = '';
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    output = velos(['logs', 'mix', '--summary']);
    cli.push(performance.now() - started);
  }
  const client = createClient({ home, timeoutMs: 60_000 });
  const daemon = [];
  const cpu = [];
  let result;
  for (let run = 0; run < runs; run += 1) {
    const cpuBefore = readCpuSeconds(pid);
    const started = performance.now();
    result = await client.analyzeLogs({ target: 'mix', view: 'summary' });
    daemon.push(performance.now() - started);
    cpu.push((readCpuSeconds(pid) - cpuBefore) * 1000);
  }
  await client.close();
  const fmt = (values) => values.map((v) => v.toFixed(0)).join(', ');
  console.log(
    `velos logs mix --summary on ${lines.toLocaleString('en-US')} captured lines (node ${process.version})`,
  );
  console.log(`  CLI wall time, median of ${runs}: ${median(cli).toFixed(0)} ms (runs: ${fmt(cli)})`);
  console.log(
    `  logs.analyze in the daemon, median of ${runs}: ${median(daemon).toFixed(0)} ms (runs: ${fmt(daemon)})`,
  );
  console.log(
    `  daemon CPU per logs.analyze, median of ${runs}: ${median(cpu).toFixed(0)} ms (runs: ${fmt(cpu)})`,
  );
  console.log(
    `  load average at the end: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `  lines read ${result.scanned.lines.toLocaleString('en-US')}, analysed ${result.analyzedLines.toLocaleString('en-US')} (sample rate ${result.sampleRate})`,
  );
  console.log(
    isMix
      ? '  top patterns (share of lines; the fixture writes 35 / 20 / 15 / 10 / 8 / 7 / 5 %):'
      : '  top patterns (share of lines):',
  );
  for (const pattern of result.summary.top) {
    console.log(
      `    ${((pattern.count / result.summary.lines) * 100).toFixed(1).padStart(5)}%  ${pattern.template}`,
    );
  }
  console.log(`\n${output}`);
} finally {
  try {
    velos(['kill']);
  } catch {
    // stopped below by pid
  }
  await stopPids([pid, appPid].filter((each) => each !== null));
  rmSync(home, { recursive: true, force: true });
}
