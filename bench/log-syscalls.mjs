// Daemon CPU and read() calls per captured line, one write() per line (issue 17): each build's daemon
// (a fresh VELOS_HOME), APPS apps of fixtures/line-per-write.js writing LINES lines of 100 bytes
// each; CPU (utime + stime from /proc) and read/write system calls (syscr/syscw of /proc/<pid>/task/*/io, the
// daemon's threads only) from `start` until every log is complete; with --strace, a second pass under `strace -c`
// of the daemon's threads counts read() alone (strace slows the daemon so much that it reads far
// bigger chunks: the /proc counts are the real ones). Builds alternate run by run; medians.
// With --every-ms N each app writes a line every N ms instead of all at once (a steady rate: the case
// where the read pauses decide how often the daemon wakes up).
// Usage: node bench/log-syscalls.mjs [--apps 1] [--lines 1000000] [--every-ms 0] [--runs 5] [--strace]
//          [--velos apps/cli/bin/velos.js] [--velos /other/checkout/apps/cli/bin/velos.js]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkPaddedLines } from './lib/line-checker.mjs';
import { readCpuSeconds, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '1' },
    lines: { type: 'string', default: '1000000' },
    'every-ms': { type: 'string', default: '0' },
    runs: { type: 'string', default: '5' },
    strace: { type: 'boolean', default: false },
    velos: { type: 'string', multiple: true },
  },
});
const apps = Number(values.apps);
const lines = Number(values.lines);
const everyMs = Number(values['every-ms']);
const runs = Number(values.runs);
const builds = (values.velos ?? [fileURLToPath(new URL('../apps/cli/bin/velos.js', import.meta.url))]).map(
  (path) => resolve(path),
);
const fixture = fileURLToPath(new URL('../fixtures/line-per-write.js', import.meta.url));
const LINE_BYTES = 100;
const root = mkdtempSync(join(tmpdir(), 'velos-bench-syscalls-'));

/** One pass: a fresh daemon of `bin`, the load, the daemon's CPU (and read() calls under strace). */
async function pass(bin, withStrace) {
  const home = mkdtempSync(join(root, 'home-'));
  const env = { ...process.env, VELOS_HOME: home };
  const velos = (...args) => execFileSync(process.execPath, [bin, ...args], { env, stdio: 'pipe' });
  velos('ping');
  const daemon = Number(readFileSync(join(home, 'velos.pid'), 'utf8'));
  const list = Array.from({ length: apps }, (_, i) => ({
    name: `l${i}`,
    script: fixture,
    autorestart: false,
    env: { COUNT: String(lines), LINE_BYTES: String(LINE_BYTES), EVERY_MS: String(everyMs) },
  }));
  const config = join(home, 'velos.json');
  // warm-up: the daemon loads the code of `start` and of log capture on first use, not measured here
  const warm = join(home, 'warm.json');
  writeFileSync(warm, JSON.stringify({ apps: [{ ...list[0], name: 'warm', env: { COUNT: '1000' } }] }));
  velos('start', warm);
  await waitFor(() => sizeOf(join(home, 'logs', 'warm-out.log')) >= 1000 * LINE_BYTES, {
    timeoutMs: 60_000,
    what: 'the warm-up app',
  });
  velos('delete', 'warm');
  writeFileSync(config, JSON.stringify({ apps: list }));
  let tracer = null;
  const summary = join(home, 'strace.txt');
  try {
    if (withStrace) {
      const tids = readdirSync(`/proc/${daemon}/task`).join(',');
      tracer = spawn('strace', ['-c', '-o', summary, '-p', tids], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 500));
    }
    const before = readCpuSeconds(daemon);
    const ioBefore = readIo(daemon);
    velos('start', config);
    const logs = list.map((app) => join(home, 'logs', `${app.name}-out.log`));
    await waitFor(() => logs.every((path) => sizeOf(path) >= lines * LINE_BYTES), {
      timeoutMs: 600_000,
      intervalMs: 20,
      what: 'the logs to be complete',
    });
    const cpu = readCpuSeconds(daemon) - before;
    const ioAfter = readIo(daemon);
    const syscr = ioAfter.syscr - ioBefore.syscr;
    const syscw = ioAfter.syscw - ioBefore.syscw;
    let reads = null;
    if (tracer) {
      tracer.kill('SIGINT');
      await new Promise((r) => tracer.once('exit', r));
      tracer = null;
      const row = readFileSync(summary, 'utf8')
        .split('\n')
        .find((line) => /\sread$/.test(line));
      reads = row ? Number(row.trim().split(/\s+/)[3]) : 0;
    }
    const bad = logs
      .map((path) => checkPaddedLines(readFileSync(path), lines, LINE_BYTES))
      .reduce((sum, c) => sum + c.lost + c.duplicated + c.torn + c.outOfOrder, 0);
    return { cpu, reads, bad, syscr, syscw };
  } finally {
    if (tracer) tracer.kill('SIGINT');
    try {
      velos('kill');
    } catch {
      // already gone
    }
    await stopPids([daemon]);
  }
}

/**
 * The read and write system call counters of a process: the sum over its threads (`/proc/<pid>/io`
 * would add the counters of every child it reaped, the apps' own writes included).
 */
function readIo(pid) {
  const total = { syscr: 0, syscw: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8');
      total.syscr += Number(/^syscr: (\d+)/m.exec(text)?.[1] ?? 0);
      total.syscw += Number(/^syscw: (\d+)/m.exec(text)?.[1] ?? 0);
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const results = builds.map(() => ({ cpu: [], reads: [], syscr: [], syscw: [], bad: 0 }));
try {
  for (let run = 0; run < runs; run += 1) {
    for (const [i, bin] of builds.entries()) {
      const plain = await pass(bin, false);
      results[i].cpu.push(plain.cpu);
      results[i].syscr.push(plain.syscr);
      results[i].syscw.push(plain.syscw);
      results[i].bad += plain.bad;
      if (values.strace) {
        const traced = await pass(bin, true);
        results[i].reads.push(traced.reads);
        results[i].bad += traced.bad;
      }
      process.stderr.write(`run ${run + 1} ${bin}: ${plain.cpu.toFixed(2)} s\n`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(
  `${apps} app(s) x ${lines} lines of ${LINE_BYTES} bytes, one write() per line${everyMs > 0 ? `, one every ${everyMs} ms` : ''}, node ${process.version}`,
);
for (const [i, bin] of builds.entries()) {
  const r = results[i];
  const reads = r.reads.length > 0 ? `, under strace read() ${median(r.reads)} (${r.reads.join(', ')})` : '';
  console.log(
    `${bin}: daemon CPU ${median(r.cpu).toFixed(2)} s (${r.cpu.map((v) => v.toFixed(2)).join(', ')}), read syscalls ${median(r.syscr)} (${r.syscr.join(', ')}), write syscalls ${median(r.syscw)}${reads}, bad lines ${r.bad}`,
  );
}
