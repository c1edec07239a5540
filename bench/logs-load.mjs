#!/usr/bin/env node
// Concurrent `logs` loads against a real Velos daemon (issue #8): its peak RSS and the answers served.
//   huge-line: an app printed one 50 MB line (kept as 24 lines of 2 MiB); 12 connections ask at once
//              for `logs {lines: 1000}`.
//   big-log:   an app wrote a 61 MB log (5000 lines of 12.2 KB); 6 connections each send 60 pipelined
//              `logs {lines: 5000}` and read their answers.
// A fresh daemon (started by the built CLI, with its usual heap flags) per load and run; peak RSS is
// the daemon's VmHWM, reset (clear_refs) once the app's output is captured, so it is the load's own;
// RSS before is read then, RSS after once it settles after the clients closed.
// Usage: pnpm run build && node bench/logs-load.mjs [--runs 3] [--only huge-line,big-log] [--repo <checkout>]
// --repo measures another built checkout (its CLI and client), e.g. the commit before a change.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isAlive, readPidFile, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const MB = 1e6;

const LOADS = {
  'huge-line': {
    title: '12 concurrent logs {lines:1000}, one 50 MB line (24 x 2 MiB)',
    app: { script: 'long-line.js', env: { LONG_BYTES: '50000000', STAY: '1' }, lines: 25 },
    connections: 12,
    perConnection: 1,
    lines: 1000,
  },
  'big-log': {
    title: '6 connections x 60 pipelined logs {lines:5000}, 61 MB log',
    app: { script: 'chatty.js', env: { COUNT: '5000', RATE: '0', PAD: '12200', STAY: '1' }, lines: 5000 },
    connections: 6,
    perConnection: 60,
    lines: 5000,
  },
};

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: Object.keys(LOADS).join(',') },
    repo: { type: 'string' },
  },
});
const runs = Number(values.runs);
const repo = values.repo ?? fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');
const { createClient } = await import(pathToFileURL(join(repo, 'packages/client/dist/index.js')).href);

const results = [];
for (const name of values.only.split(',')) {
  const load = LOADS[name];
  if (!load) throw new Error(`unknown load ${name}; known: ${Object.keys(LOADS).join(', ')}`);
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    process.stderr.write(`${name}: run ${run + 1}/${runs}\n`);
    samples.push(await runLoad(load));
  }
  results.push({ name, title: load.title, samples });
}

for (const { name, title, samples } of results) {
  const med = (key) => median(samples.map((sample) => sample[key]));
  console.log(`\n${name}: ${title} (${samples.length} runs, medians)`);
  console.log(
    `  daemon peak RSS during the load  ${med('peakRssMb').toFixed(1)} MB (runs: ${samples.map((s) => s.peakRssMb.toFixed(1)).join(', ')})`,
  );
  console.log(
    `  daemon RSS before / after        ${med('beforeRssMb').toFixed(1)} / ${med('afterRssMb').toFixed(1)} MB (after: ${samples.map((s) => s.afterRssMb.toFixed(1)).join(', ')})`,
  );
  console.log(
    `  answers served                   ${med('served')} of ${samples[0].asked} (cut with a notice: ${med('cut')})`,
  );
  console.log(
    `  errors / connections lost        ${med('errors')} (${[...new Set(samples.flatMap((s) => s.errorCodes))].join(', ') || 'none'})`,
  );
  console.log(`  answer size (median)             ${(med('answerBytes') / MB).toFixed(2)} MB`);
  console.log(`  wall time                        ${(med('wallMs') / 1000).toFixed(2)} s`);
  console.log(`  daemon alive after every run     ${samples.every((s) => s.isAlive)}`);
}

async function runLoad(load) {
  const home = mkdtempSync(join(tmpdir(), 'velos-logs-load-'));
  const env = { ...process.env, VELOS_HOME: home, ...load.app.env };
  const velos = (args) => execFileSync(process.execPath, [VELOS_BIN, ...args], { env, encoding: 'utf8' });
  let pid = null;
  let appPid = null;
  try {
    velos(['start', join(FIXTURES, load.app.script), '--name', 'loud']);
    pid = readPidFile(join(home, 'velos.pid'));
    appPid = JSON.parse(velos(['describe', 'loud', '--json']))[0].pid;
    await waitFor(() => JSON.parse(velos(['describe', 'loud', '--json']))[0].logLines.out >= load.app.lines, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the app output captured',
    });
    const beforeRssMb = rssMb(pid);
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const clients = Array.from({ length: load.connections }, () =>
      createClient({ home, timeoutMs: 300_000 }),
    );
    const started = performance.now();
    const outcomes = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: load.perConnection }, () =>
          client.request('logs', { target: 'loud', lines: load.lines }).then(
            (result) => ({ ok: true, result }),
            (error) => ({ ok: false, code: error.code ?? error.message }),
          ),
        ),
      ),
    );
    const wallMs = performance.now() - started;
    const peakRssMb = isAlive(pid) ? (peakRssKb(pid) * 1024) / MB : Number.NaN;
    await Promise.all(clients.map((client) => client.close()));
    const afterRssMb = isAlive(pid) ? await settledRssMb(pid) : Number.NaN;
    const served = outcomes.filter((outcome) => outcome.ok);
    return {
      asked: outcomes.length,
      served: served.length,
      cut: served.filter((outcome) => outcome.result.cut).length,
      errors: outcomes.length - served.length,
      errorCodes: [...new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.code))],
      answerBytes: median(
        served.map((outcome) => outcome.result.lines.reduce((sum, line) => sum + line.line.length, 0)),
      ),
      peakRssMb,
      beforeRssMb,
      afterRssMb,
      wallMs,
      isAlive: isAlive(pid),
    };
  } finally {
    try {
      velos(['kill']);
    } catch {
      // a daemon that died is stopped below by pid
    }
    await stopPids([pid, appPid].filter((each) => each !== null));
    rmSync(home, { recursive: true, force: true });
  }
}

/** VmRSS of a process in MB (10^6 bytes). */
function rssMb(pid) {
  return (Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024) / MB;
}

/**
 * VmRSS once two readings 500 ms apart agree within 0.5 MB (at most 10 s), from 2 s after the clients
 * closed (the daemon collects what large answers left a second after the last one): what the load left.
 */
async function settledRssMb(pid) {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  let last = rssMb(pid);
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = rssMb(pid);
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

/** VmHWM (peak resident set) of a process in kB. */
function peakRssKb(pid) {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]);
}
