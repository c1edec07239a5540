#!/usr/bin/env node
// Capture throughput while a `velos logs -f` reads nothing: one app (fixtures/chatty.js, COUNT lines of
// PAD+~12 bytes at full speed) is captured into its log file with no follower, then with a follower whose
// stdout is a pipe nobody reads (its socket backs up: the daemon queues, drops and counts its items).
// MiB/s = the app's bytes / (last byte in the file − the app's first write). Each pass gets a fresh
// VELOS_HOME and daemon; modes alternate run by run; medians of all runs.
// Usage: node bench/follow-stalled.mjs [--lines 1000000] [--pad 100] [--runs 3]
//          [--velos apps/cli/bin/velos.js] [--velos /other/checkout/apps/cli/bin/velos.js]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopPids } from './lib/proc.mjs';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    pad: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    velos: { type: 'string', multiple: true },
  },
});
const lines = Number(values.lines);
const pad = Number(values.pad);
const runs = Number(values.runs);
const builds = (values.velos ?? [fileURLToPath(new URL('../apps/cli/bin/velos.js', import.meta.url))]).map(
  (path) => resolve(path),
);
const chatty = fileURLToPath(new URL('../fixtures/chatty.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'velos-bench-stalled-'));
/** A pass that has not captured everything by then is reported as failed. */
const PASS_DEADLINE_MS = 300_000;

/** Bytes chatty.js prints for `count` lines with `padding` characters of padding. */
function expectedBytes(count, padding) {
  let total = 0;
  for (let n = 1; n <= count; n += 1) total += 5 + String(n).length + (padding > 0 ? 1 + padding : 0) + 1;
  return total;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls `velos health` until the daemon holds `count` IPC connections (the asking one included). */
async function waitForConnections(velos, count, deadlineMs = 10_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const health = JSON.parse(velos(['health', '--json']).toString());
    if ((health.components.find((c) => c.name === 'ipc')?.value ?? 0) >= count) return;
    if (Date.now() > until) throw new Error(`the follower did not connect within ${deadlineMs} ms`);
    await sleep(50);
  }
}

async function pass(bin, isStalled) {
  const home = mkdtempSync(join(root, 'home-'));
  const env = { ...process.env, VELOS_HOME: home };
  const velos = (args, extra = {}) =>
    execFileSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, stdio: 'pipe' });
  velos(['ping']);
  const daemon = Number(readFileSync(join(home, 'velos.pid'), 'utf8'));
  const pids = [];
  try {
    if (isStalled) {
      // stdout is a pipe this script never reads: full after 64 KiB, then the CLI stops reading its socket
      const follower = spawn(process.execPath, [bin, 'logs', 'all', '-f', '--raw', '--lines', '0'], {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      pids.push(follower.pid);
      // the follow is open once the daemon counts its connection beside the health check's own
      await waitForConnections(velos, 2);
    }
    const startFile = join(home, 'first-write');
    const total = expectedBytes(lines, pad);
    // the app's environment is the CLI's: COUNT lines at full speed, then it stays (no restart to time)
    velos(['start', chatty, '--name', 'flood', '--no-autorestart'], {
      COUNT: String(lines),
      RATE: '0',
      PAD: String(pad),
      STAY: '1',
      START_FILE: startFile,
    });
    const log = join(home, 'logs', 'flood-out.log');
    const deadline = Date.now() + PASS_DEADLINE_MS;
    let firstAt = null;
    while (Date.now() < deadline) {
      if (firstAt === null && existsSync(startFile))
        firstAt = Number(readFileSync(startFile, 'utf8')) || null;
      const size = existsSync(log) ? statSync(log).size : 0;
      if (size >= total && firstAt !== null) {
        const seconds = (statSync(log).mtimeMs - firstAt) / 1000;
        return total / 1024 / 1024 / seconds;
      }
      await sleep(20);
    }
    return null;
  } finally {
    await stopPids(pids);
    try {
      velos(['kill']);
    } catch {
      // the daemon did not answer: stopped by pid below
    }
    await stopPids([daemon]);
    rmSync(home, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)];
}

const results = new Map();
for (let run = 0; run < runs; run += 1) {
  for (const bin of builds) {
    for (const isStalled of [false, true]) {
      const key = `${bin} ${isStalled ? 'stalled follower' : 'no follower'}`;
      const rate = await pass(bin, isStalled);
      results.set(key, [...(results.get(key) ?? []), rate]);
      console.error(`${key}: ${rate === null ? 'failed' : `${rate.toFixed(1)} MiB/s`}`);
    }
  }
}
console.log(
  `capture of ${lines} lines (${(expectedBytes(lines, pad) / 1024 / 1024).toFixed(0)} MiB), medians of ${runs} runs:`,
);
for (const [key, rates] of results) {
  const value = median(rates);
  console.log(
    `  ${key}: ${value === null ? 'failed' : `${value.toFixed(1)} MiB/s`} (${rates.map((r) => (r === null ? '-' : r.toFixed(1))).join(', ')})`,
  );
}
rmSync(root, { recursive: true, force: true });
