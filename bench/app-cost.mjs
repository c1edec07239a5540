#!/usr/bin/env node
// What the daemon costs idle and per supervised app (issue 17), and A/B of daemon flags or env.
//   node bench/app-cost.mjs [--runs 5] [--apps 10,100] [--wait 12] [--node PATH] [--variant 'name=ENV=1 --flag'] [--heap]
//   node bench/app-cost.mjs --crashloop 60 [--heap]   20 apps crash-looping: RSS growth (and heap by constructor)
// Each variant is a set of node flags given to the CLI (the CLI passes its execArgv on to the daemon it
// starts) and environment entries (the daemon inherits the CLI's environment). Variants run interleaved,
// a fresh daemon per run, and the table shows medians. Each figure is taken after --wait seconds without
// commands (as bench/scenarios/daemon-rss.mjs's "12 s without commands" rows; 0: as soon as RSS settles).
// cpu@N: the daemon's CPU ms per second during that quiet time with N apps (the monitor's sampling, mostly). `bin=<path>` in a variant runs another build's CLI. --heap adds a V8 heap breakdown per app: heap
// snapshots (--heapsnapshot-signal) at the first and last app count, summed by constructor name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeSnapshot } from './lib/heap-summary.mjs';
import { readCpuSeconds, readPidFile, readRssBytes, readSettledRss, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { VELOS_BIN } from './lib/velos-driver.mjs';
import { waitFor } from './lib/wait.mjs';

const MB = 1e6;
const SILENT = new URL('../fixtures/silent.js', import.meta.url).pathname;
const CRASH_AFTER = new URL('../fixtures/crash-after.js', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    apps: { type: 'string', default: '10,100' },
    node: { type: 'string', default: process.execPath },
    variant: { type: 'string', multiple: true, default: [] },
    heap: { type: 'boolean', default: false },
    crashloop: { type: 'string' },
    wait: { type: 'string', default: '12' },
  },
});
const runs = Number(opts.runs);
const waitMs = Number(opts.wait) * 1000;
const counts = opts.apps.split(',').filter(Boolean).map(Number);
const variants = (opts.variant.length > 0 ? opts.variant : ['default=']).map(parseVariant);
const root = mkdtempSync(join(tmpdir(), 'velos-app-cost-'));
const log = (text) => process.stderr.write(`${text}\n`);
const results = new Map(variants.map((v) => [v.name, []]));
const daemons = new Set();
process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));

try {
  for (let run = 0; run < runs; run += 1) {
    const order = run % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      log(
        `run ${run + 1}/${runs} ${variant.name} (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
      );
      const withHeap = opts.heap && run === 0;
      results
        .get(variant.name)
        .push(opts.crashloop ? await crashLoop(variant, withHeap) : await measure(variant, withHeap));
    }
  }
  if (opts.crashloop) printCrashLoop();
  else print();
} finally {
  await cleanup();
}

/** `name=ENV=v --flag bin=<velos.js> …` → { name, env, flags, bin } (bin: another build's CLI, for A/B). */
function parseVariant(text) {
  const at = text.indexOf('=');
  const name = at < 0 ? text : text.slice(0, at);
  const env = {};
  const flags = [];
  let bin = VELOS_BIN;
  for (const word of (at < 0 ? '' : text.slice(at + 1)).split(/\s+/).filter(Boolean)) {
    if (word.startsWith('bin=')) bin = word.slice(4);
    else if (word.startsWith('-')) flags.push(word);
    else env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  return { name, env, flags, bin };
}

/** A new home for a daemon of `variant` and a function that runs the CLI on it. */
function daemonOf(variant, withHeap) {
  const home = mkdtempSync(join(root, 'home-'));
  const env = { ...process.env, ...variant.env, VELOS_HOME: home };
  const flags = withHeap ? [...variant.flags, '--heapsnapshot-signal=SIGUSR2'] : variant.flags;
  const velos = (...args) => {
    const result = spawnSync(opts.node, [...flags, variant.bin, ...args], {
      env,
      encoding: 'utf8',
      cwd: home,
    });
    if (result.status !== 0) throw new Error(`velos ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  return { env, flags, home, velos };
}

/** One fresh daemon of `variant`: idle RSS and smaps, then RSS with each app count. */
async function measure(variant, withHeap) {
  const { home, velos } = daemonOf(variant, withHeap);
  velos('ping');
  const pid = readPidFile(join(home, 'velos.pid'));
  daemons.add(pid);
  const sample = {
    idle: await readQuietRss(pid),
    smaps: smaps(pid),
    apps: {},
    appSmaps: {},
    cpu: {},
    heap: {},
  };
  if (withHeap) sample.heap[0] = await snapshot(pid, home);
  let started = 0;
  for (const count of counts) {
    const apps = Array.from({ length: count - started }, (_, i) => ({
      name: `cost-${started + i}`,
      script: SILENT,
    }));
    const dir = mkdtempSync(join(root, 'cfg-'));
    writeFileSync(join(dir, 'velos.json'), JSON.stringify({ apps }));
    velos('start', join(dir, 'velos.json'));
    started = count;
    await waitFor(
      () => JSON.parse(velos('list', '--json')).filter((p) => p.status === 'online').length === count,
      {
        timeoutMs: 300_000,
        intervalMs: 500,
        what: `${count} apps online`,
      },
    );
    const cpuBefore = readCpuSeconds(pid);
    const quietFrom = Date.now();
    sample.apps[count] = await readQuietRss(pid);
    sample.cpu[count] = ((readCpuSeconds(pid) - cpuBefore) * 1000) / ((Date.now() - quietFrom) / 1000);
    sample.appSmaps[count] = smaps(pid);
    if (withHeap) sample.heap[count] = await snapshot(pid, home);
  }
  if (counts.length > 0) velos('delete', 'all');
  velos('kill');
  await stopPids([pid]);
  daemons.delete(pid);
  return sample;
}

/** RSS in MB after `--wait` s without commands (settled). */
async function readQuietRss(pid) {
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  return (await readSettledRss(pid, { timeoutMs: 10_000 })) / MB;
}

/** A fresh daemon of `variant` with 20 apps that crash after 200 ms: RSS after 5 s and after the period. */
async function crashLoop(variant, withHeap) {
  const { home, velos } = daemonOf(variant, withHeap);
  velos('ping');
  const pid = readPidFile(join(home, 'velos.pid'));
  daemons.add(pid);
  const apps = Array.from({ length: 20 }, (_, i) => ({
    name: `loop-${i}`,
    script: CRASH_AFTER,
    args: ['200'],
    restart_delay: 0,
    min_uptime: 0,
    max_restarts: 1_000_000,
  }));
  const dir = mkdtempSync(join(root, 'cfg-'));
  writeFileSync(join(dir, 'velos.json'), JSON.stringify({ apps }));
  velos('start', join(dir, 'velos.json'));
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const restarts = () => JSON.parse(velos('list', '--json')).reduce((sum, p) => sum + (p.restarts ?? 0), 0);
  const sample = { heap: {}, warm: readRssBytes(pid) / MB, restarts: restarts() };
  if (withHeap) sample.heap[0] = await snapshot(pid, home);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, Number(opts.crashloop) * 1000));
  sample.end = readRssBytes(pid) / MB;
  sample.rate = (restarts() - sample.restarts) / ((Date.now() - started) / 1000);
  if (withHeap) sample.heap[1] = await snapshot(pid, home);
  velos('delete', 'all');
  velos('kill');
  await stopPids([pid]);
  daemons.delete(pid);
  return sample;
}

function printCrashLoop() {
  for (const [name, samples] of results) {
    const growth = median(samples.map((s) => s.end - s.warm));
    const rate = median(samples.map((s) => s.rate));
    console.log(
      `${name}: RSS growth ${growth.toFixed(2)} MB over ${opts.crashloop} s at ${rate.toFixed(1)} restarts/s`,
    );
    console.log(`  samples: ${samples.map((s) => `${s.warm.toFixed(1)}→${s.end.toFixed(1)}`).join(' ')}`);
    const heap = samples.find((s) => Object.keys(s.heap).length > 0)?.heap;
    if (heap) printHeap(heap, 'the loop');
  }
}

/** /proc/<pid>/smaps_rollup: resident anonymous and file-backed memory in MB. */
function smaps(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { anon: kb('Anonymous') / MB, file: (kb('Rss') - kb('Anonymous')) / MB };
}

/** Takes a heap snapshot of the daemon (SIGUSR2) and returns its summary by constructor. */
async function snapshot(pid, home) {
  const before = new Set(readdirSync(home));
  process.kill(pid, 'SIGUSR2');
  const file = await waitFor(
    () => {
      const made = readdirSync(home).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      if (!made) return null;
      try {
        return JSON.parse(readFileSync(join(home, made), 'utf8')) && made;
      } catch {
        return null; // still being written
      }
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'heap snapshot' },
  );
  const summary = summarizeSnapshot(JSON.parse(readFileSync(join(home, file), 'utf8')));
  rmSync(join(home, file));
  return summary;
}

function print() {
  const fmt = (n) => n.toFixed(2).padStart(7);
  const header = [
    'variant',
    'idle',
    'anon',
    'file',
    ...counts.map((c) => `${c} apps`),
    ...counts.map((c) => `/app@${c}`),
    ...counts.map((c) => `anon/@${c}`),
    ...counts.map((c) => `file/@${c}`),
    ...counts.map((c) => `cpu@${c}`),
  ];
  console.log(header.map((h) => h.padStart(10)).join(''));
  for (const [name, samples] of results) {
    const idle = median(samples.map((s) => s.idle));
    const row = [
      idle,
      median(samples.map((s) => s.smaps.anon)),
      median(samples.map((s) => s.smaps.file)),
      ...counts.map((c) => median(samples.map((s) => s.apps[c]))),
      ...counts.map((c) => median(samples.map((s) => (s.apps[c] - s.idle) / c))),
      ...counts.map((c) => median(samples.map((s) => (s.appSmaps[c].anon - s.smaps.anon) / c))),
      ...counts.map((c) => median(samples.map((s) => (s.appSmaps[c].file - s.smaps.file) / c))),
      ...counts.map((c) => median(samples.map((s) => s.cpu[c]))),
    ];
    console.log(`${name.padStart(10)}${row.map((v) => fmt(v).padStart(10)).join('')}`);
    console.log(`${''.padStart(10)} idle samples: ${samples.map((s) => s.idle.toFixed(1)).join(' ')}`);
    for (const c of counts) {
      const perApp = samples.map((s) => ((s.apps[c] - s.idle) / c).toFixed(2));
      console.log(`${''.padStart(10)} /app@${c} samples: ${perApp.join(' ')}`);
    }
    const heap = samples.find((s) => Object.keys(s.heap).length > 0)?.heap;
    if (heap) printHeap(heap);
  }
}

/** Per-app heap growth between the first and the last snapshot, by constructor (bytes per app). */
function printHeap(heap, over) {
  const keys = Object.keys(heap).map(Number);
  const from = heap[Math.min(...keys)];
  const to = heap[Math.max(...keys)];
  const apps = over ? 1 : Math.max(...keys) - Math.min(...keys);
  const rows = Object.keys({ ...from.byName, ...to.byName })
    .map((name) => [
      name,
      ((to.byName[name]?.size ?? 0) - (from.byName[name]?.size ?? 0)) / apps,
      ((to.byName[name]?.count ?? 0) - (from.byName[name]?.count ?? 0)) / apps,
    ])
    .sort((a, b) => b[1] - a[1]);
  const what = over ?? `per app (${Math.min(...keys)} → ${Math.max(...keys)} apps)`;
  console.log(`  V8 heap ${what}: ${((to.total - from.total) / apps / 1000).toFixed(1)} kB self size`);
  for (const [name, size, count] of rows.slice(0, 25))
    console.log(`    ${(size / 1000).toFixed(2).padStart(7)} kB ${count.toFixed(1).padStart(6)} × ${name}`);
}

async function cleanup() {
  await stopPids([...daemons]);
  rmSync(root, { recursive: true, force: true });
}
