#!/usr/bin/env node
// Soak (issue #15): a real Velos daemon under a steady mixed load for a long time; does it leak?
//   50 apps: 10 crash-looping (40 lines a life), 8 flooding their logs (size-rotated), 2 cluster apps (2 instances each),
//   2 "churn" apps deleted and started again, the rest quiet tickers; restarts, reloads, flushes,
//   one-shot logs/list/describe calls; 4 `velos logs --follow` and 2 `velos events --follow` CLI
//   followers (one of them replaced every minute).
// The apps print enough for every bounded buffer of the daemon (the ring of 1000 recent lines per
// process, the event ring) to be full within the first half, so that the second half is steady.
// Samples the daemon's RSS (/proc/PID/status), open fds (/proc/PID/fd) and active timers and handles
// (`velos metrics`: daemon.activeResources). Reported over the second half of the run (the first is
// the warm-up): the RSS slope (least squares, MB/min, and the growth it makes over the run in %),
// and the fd and timer counts (median of its first and last quarter). Target: each within 5%.
// Usage: pnpm run build && node bench/soak.mjs [--minutes 10] [--json out.json] [--keep]
//   --minutes 60 for the one-hour run, --minutes 1 for a quick check of the scenario itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './lib/cluster-app.mjs';
import { collectEnvironment, currentLoad } from './lib/environment.mjs';
import { runChecked } from './lib/exec.mjs';
import { isAlive, readPidFile, readRssBytes, stopPids } from './lib/proc.mjs';
import { isFlat, secondHalfTrend } from './lib/soak-analysis.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(ROOT, 'apps/cli/bin/velos.js');
const FIXTURES = join(ROOT, 'fixtures');
const HTTP_APP = join(ROOT, 'bench/fixtures/http-app.cjs');
const CRASH_BURST = join(ROOT, 'bench/fixtures/crash-burst.cjs');
const MB = 1e6;
const TARGET_PERCENT = 5;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const runMs = Number(values.minutes) * 60_000;
if (!(runMs > 0)) throw new Error(`--minutes: expected a positive number, got ${values.minutes}`);
const sampleEveryMs = runMs <= 120_000 ? 2000 : 5000;
const { createClient } = await import(pathToFileURL(join(ROOT, 'packages/client/dist/index.js')).href);

const home = mkdtempSync(join(tmpdir(), 'velos-soak-'));
const env = { ...process.env, VELOS_HOME: home };
const velos = (args, timeoutMs = 120_000) =>
  runChecked(process.execPath, [VELOS_BIN, ...args], { env, timeoutMs });
const followers = [];
const counters = {
  skippedTurns: 0,
  actions: 0,
  actionErrors: 0,
  errorSamples: [],
  followerBytes: 0,
  followersReplaced: 0,
};
let daemonPid = null;
let client = null;

try {
  const config = join(home, 'soak.json');
  writeFileSync(config, `${JSON.stringify({ apps: await soakApps() }, null, 2)}\n`);
  await velos(['start', config], 300_000);
  daemonPid = readPidFile(join(home, 'velos.pid'));
  client = createClient({ home, timeoutMs: 60_000 });
  for (const name of ['flood-0', 'flood-1', 'loop-0', 'tick-0'])
    followers.push(follow(['logs', name, '--follow']));
  for (let i = 0; i < 2; i += 1) followers.push(follow(['events', '--follow']));

  const started = Date.now();
  const samples = [];
  const schedule = [
    { everyMs: 10_000, run: (n) => act('restart', { target: `tick-${n % 20}` }) },
    { everyMs: 30_000, run: (n) => act('reload', { target: `web-${n % 2}` }) },
    { everyMs: 20_000, run: (n) => act('logs', { target: `flood-${n % 8}`, lines: 200 }) },
    { everyMs: 5_000, run: () => act('list', undefined) },
    { everyMs: 15_000, run: (n) => act('describe', { target: `loop-${n % 10}` }) },
    { everyMs: 60_000, run: (n) => act('flush', { target: `flood-${n % 8}` }) },
    { everyMs: 30_000, run: (n) => churn(`churn-${n % 2}`) },
    { everyMs: 60_000, run: () => replaceFollower() },
  ];
  // each task and the sampling run on their own: a slow action (the machine is shared) delays
  // neither the other actions nor the samples; a task whose previous run is not done skips a turn
  const tasks = schedule.map((task) => ({ ...task, next: task.everyMs, n: 0, running: null }));
  const running = new Set();
  let nextSample = 0;
  while (Date.now() - started < runMs) {
    const elapsed = Date.now() - started;
    if (!isAlive(daemonPid)) throw new Error(`the daemon (pid ${daemonPid}) died after ${elapsed} ms`);
    if (elapsed >= nextSample) {
      nextSample += sampleEveryMs;
      const taking = sample(elapsed).then((taken) => samples.push(taken));
      running.add(taking);
      void taking.finally(() => running.delete(taking));
    }
    for (const task of tasks) {
      if (elapsed < task.next) continue;
      task.next += task.everyMs;
      if (task.running) {
        counters.skippedTurns += 1;
        continue;
      }
      task.n += 1;
      task.running = task.run(task.n).finally(() => {
        task.running = null;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.all([...running, ...tasks.map((task) => task.running)]);
  samples.sort((a, b) => a.tMs - b.tMs);
  samples.push(await sample(Date.now() - started));
  const report = summarize(samples, Date.now() - started);
  printReport(report);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ ...report, samples }, null, 2)}\n`);
} finally {
  for (const follower of followers) follower.stop();
  await client?.close().catch(() => undefined);
  await velos(['kill']).catch(() => undefined);
  if (daemonPid !== null) await stopPids([daemonPid]);
  await stopPids(followers.map((follower) => follower.pid).filter(Boolean));
  if (values.keep) process.stderr.write(`kept ${home}\n`);
  else rmSync(home, { recursive: true, force: true });
}

/** The 50 apps of the soak, in the config file's snake_case. */
async function soakApps() {
  const apps = [];
  const forever = { autorestart: true, max_restarts: 1_000_000_000 };
  for (let i = 0; i < 10; i += 1) {
    apps.push({
      name: `loop-${i}`,
      script: CRASH_BURST,
      args: [String(1500 + i * 100)],
      ...forever,
      restart_delay: 100,
      min_uptime: 0,
    });
  }
  for (let i = 0; i < 8; i += 1) {
    apps.push({
      name: `flood-${i}`,
      script: join(FIXTURES, 'chatty.js'),
      env: { RATE: '1000', PAD: '60', COUNT: '0', STREAM: i % 2 ? 'err' : 'out' },
      log_max_size: '1M',
      log_retain: 3,
      ...forever,
    });
  }
  for (let i = 0; i < 2; i += 1) {
    apps.push({
      name: `web-${i}`,
      script: HTTP_APP,
      exec_mode: 'cluster',
      instances: 2,
      env: { PORT: String(await freePort()) },
      ...forever,
    });
  }
  for (let i = 0; i < 2; i += 1)
    apps.push({ name: `churn-${i}`, script: join(FIXTURES, 'ticker.js'), env: { TICK_MS: '500' } });
  for (let i = 0; apps.length < 50; i += 1) {
    apps.push({
      name: `tick-${i}`,
      script: join(FIXTURES, 'ticker.js'),
      env: { TICK_MS: String(150 + i * 5) },
      ...forever,
    });
  }
  return apps;
}

async function act(method, params) {
  counters.actions += 1;
  try {
    await client.request(method, params);
  } catch (error) {
    counters.actionErrors += 1;
    if (counters.errorSamples.length < 10)
      counters.errorSamples.push(`${method}: ${error.code ?? ''} ${error.message}`);
  }
}

async function churn(name) {
  counters.actions += 1;
  try {
    await velos(['delete', name]);
    await velos(['start', join(FIXTURES, 'ticker.js'), '--name', name]);
  } catch (error) {
    counters.actionErrors += 1;
    if (counters.errorSamples.length < 10) counters.errorSamples.push(`churn ${name}: ${error.message}`);
  }
}

/** A CLI follower whose output is counted and thrown away. */
function follow(args) {
  const child = spawn(process.execPath, [VELOS_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.on('data', (chunk) => {
    counters.followerBytes += chunk.length;
  });
  return {
    pid: child.pid,
    args,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

async function replaceFollower() {
  const old = followers.shift();
  old.stop();
  await stopPids([old.pid]);
  followers.push(follow(old.args));
  counters.followersReplaced += 1;
}

async function sample(tMs) {
  const rss = readRssBytes(daemonPid);
  let fds = null;
  try {
    fds = readdirSync(`/proc/${daemonPid}/fd`).length;
  } catch {
    // the daemon is gone: the loop notices
  }
  const metrics = await client.request('metrics', undefined).catch(() => null);
  const resources = metrics?.daemon.activeResources ?? {};
  const handles = Object.values(resources).reduce((sum, count) => sum + count, 0);
  const processes = metrics?.processes ?? [];
  return {
    tMs,
    rssMb: rss === null ? null : rss / MB,
    heapMb: metrics ? metrics.daemon.heapUsedBytes / MB : null,
    externalMb: metrics?.daemon.externalBytes === undefined ? null : metrics.daemon.externalBytes / MB,
    fds,
    timers: resources.Timeout ?? 0,
    handles,
    restarts: processes.reduce((sum, p) => sum + (p.restarts ?? 0), 0),
    load1: currentLoad()[0],
  };
}

function summarize(samples, elapsedMs) {
  const trend = (key) => secondHalfTrend(samples, key, elapsedMs);
  const last = samples.at(-1);
  return {
    environment: { ...collectEnvironment(), cpus: cpus().length },
    minutes: elapsedMs / 60_000,
    samples: samples.length,
    rss: trend('rssMb'),
    heap: trend('heapMb'),
    external: trend('externalMb'),
    fds: trend('fds'),
    timers: trend('timers'),
    handles: trend('handles'),
    restartsSeen: last.restarts,
    loadMedian: secondHalfTrend(samples, 'load1', 0).median,
    ...counters,
  };
}

function printReport(report) {
  const runMs = report.minutes * 60_000;
  const pct = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}%`;
  const rss = report.rss;
  console.log(
    `soak: ${report.minutes.toFixed(1)} min, ${report.samples} samples, load average (1 min, median of the second half) ${report.loadMedian}`,
  );
  console.log(
    `  daemon RSS  median ${rss.median.toFixed(1)} MB (min ${rss.min.toFixed(1)}, max ${rss.max.toFixed(1)}), slope ${rss.slopePerMin.toFixed(3)} MB/min = ${pct(rss.runPercent)} over the run: ${Math.abs(rss.runPercent) <= TARGET_PERCENT ? 'ok' : 'OVER TARGET'}`,
  );
  console.log(
    `  heap used   median ${report.heap.median.toFixed(1)} MB, slope ${report.heap.slopePerMin.toFixed(3)} MB/min = ${pct(report.heap.runPercent)} over the run`,
  );
  console.log(
    `  external    median ${report.external.median.toFixed(1)} MB (Buffers outside the heap), slope ${report.external.slopePerMin.toFixed(3)} MB/min`,
  );
  for (const [label, key] of [
    ['open fds', 'fds'],
    ['timers', 'timers'],
    ['handles', 'handles'],
  ]) {
    const t = report[key];
    const growth = (t.slopePerMin * runMs) / 60_000;
    const error = (t.slopeErrorPerMin * runMs) / 60_000;
    console.log(
      `  ${label.padEnd(11)} median ${t.median} (first quarter ${t.early}, last ${t.late}, min ${t.min}, max ${t.max}), fitted growth over the run ${growth.toFixed(1)} ± ${error.toFixed(1)}: ${isFlat(t, runMs, { percent: TARGET_PERCENT }) ? 'flat' : 'GROWING'}`,
    );
  }
  console.log(
    `  restarts ${report.restartsSeen}, actions ${report.actions} (${report.actionErrors} failed, ${report.skippedTurns} turns skipped while the previous run was slow), followers replaced ${report.followersReplaced}, follower output ${(report.followerBytes / MB).toFixed(1)} MB`,
  );
  for (const line of report.errorSamples) console.log(`    ${line}`);
}
