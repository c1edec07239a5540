#!/usr/bin/env node
// How long a line takes from the app's write() to `velos logs -f`'s output (issue 17: ≤ 50 ms), while the
// daemon paces its pipe reads. APPS apps of fixtures/stamped-lines.js print their time every EVERY_MS ms
// (quiet apps: their pipes sit at the longest read pause); one `velos logs -f --raw` follows them all and
// each line's latency is the follower's clock when it reads the line minus the time in it. Each build gets
// a fresh VELOS_HOME and daemon; builds alternate run by run; percentiles over all lines of all runs.
// Usage: node bench/follow-latency.mjs [--apps 10] [--every-ms 100] [--seconds 10] [--runs 3]
//          [--velos apps/cli/bin/velos.js] [--velos /other/checkout/apps/cli/bin/velos.js]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopPids } from './lib/proc.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '10' },
    'every-ms': { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    velos: { type: 'string', multiple: true },
  },
});
const apps = Number(values.apps);
const everyMs = Number(values['every-ms']);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const builds = (values.velos ?? [fileURLToPath(new URL('../apps/cli/bin/velos.js', import.meta.url))]).map(
  (path) => resolve(path),
);
const fixture = fileURLToPath(new URL('../fixtures/stamped-lines.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'velos-bench-follow-'));
/** Lines of the first second are left out: the apps and the follower are still starting. */
const WARM_UP_MS = 1000;

async function pass(bin) {
  const home = mkdtempSync(join(root, 'home-'));
  const env = { ...process.env, VELOS_HOME: home };
  const velos = (...args) => execFileSync(process.execPath, [bin, ...args], { env, stdio: 'pipe' });
  velos('ping');
  const daemon = Number(readFileSync(join(home, 'velos.pid'), 'utf8'));
  const config = join(home, 'velos.json');
  const list = Array.from({ length: apps }, (_, i) => ({
    name: `f${i}`,
    script: fixture,
    autorestart: false,
    // they end by themselves a little after the pass, even if the daemon could not stop them
    env: { EVERY_MS: String(everyMs), COUNT: String(Math.ceil(((seconds + 5) * 1000) / everyMs)) },
  }));
  writeFileSync(config, JSON.stringify({ apps: list }));
  const latencies = [];
  const follower = spawn(process.execPath, [bin, 'logs', 'all', '-f', '--raw', '--lines', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const startedAt = Date.now();
    const lines = createInterface({ input: follower.stdout });
    lines.on('line', (line) => {
      const now = performance.timeOrigin + performance.now();
      const match = /^stamp \d+ (\d+\.\d+)$/.exec(line);
      if (match && now - startedAt > WARM_UP_MS) latencies.push(now - Number(match[1]));
    });
    velos('start', config);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return latencies;
  } finally {
    follower.kill('SIGTERM');
    try {
      velos('kill');
    } catch {
      // already gone
    }
    await stopPids([daemon, ...(follower.pid ? [follower.pid] : [])]);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const results = builds.map(() => []);
try {
  for (let run = 0; run < runs; run += 1) {
    for (const [i, bin] of builds.entries()) results[i].push(...(await pass(bin)));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(`${apps} apps, a line every ${everyMs} ms each, ${seconds} s x ${runs} runs; latency in ms`);
for (const [i, bin] of builds.entries()) {
  const sorted = results[i].sort((a, b) => a - b);
  const show = (p) => percentile(sorted, p).toFixed(1);
  console.log(
    `${bin}: ${sorted.length} lines  p50 ${show(50)}  p90 ${show(90)}  p99 ${show(99)}  max ${sorted.at(-1).toFixed(1)}`,
  );
}
