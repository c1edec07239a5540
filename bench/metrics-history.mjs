#!/usr/bin/env node
// OBS-7 metrics history: fills 24 h of samples at the daemon's real resolution (one every 2 s) for APPS
// processes (default 100) straight into the store, in a fresh node process per run, and reports the memory
// the store holds (heap + arrayBuffers after a GC, less the same before), the arrays' own bytes, the time of
// one `metrics.history` query of every process (full answer and 60 points), its msgpack size, and the time to
// write and read the history file. Medians of RUNS runs (default 5). Budget: 24 h for 100 apps <= 10 MB.
// Usage: pnpm run build && node bench/metrics-history.mjs [--apps 100] [--runs 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
    child: { type: 'boolean', default: false },
  },
});
const apps = Number(values.apps);
const repo = fileURLToPath(new URL('..', import.meta.url));
const INTERVAL_MS = 2000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;

if (values.child) {
  console.log(JSON.stringify(await measureOnce()));
} else {
  const runs = [];
  for (let i = 0; i < Number(values.runs); i += 1) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', '--apps', String(apps)],
      { encoding: 'utf8' },
    );
    runs.push(JSON.parse(out));
  }
  const med = (key) => median(runs.map((run) => run[key]));
  const result = {
    apps,
    runs: runs.length,
    heldMB: round(med('heldBytes') / MB),
    arrayBytesMB: round(med('arrayBytes') / MB),
    budgetMB: 10,
    fillMs: Math.round(med('fillMs')),
    queryAllMs: round(med('queryAllMs')),
    queryAllPoints: med('queryAllPoints'),
    answerMB: round(med('answerBytes') / MB),
    query60Ms: round(med('query60Ms')),
    fileMB: round(med('fileBytes') / MB),
    writeFileMs: round(med('writeFileMs')),
    readFileMs: round(med('readFileMs')),
  };
  console.log(JSON.stringify(result, null, 2));
  if (result.heldMB > result.budgetMB) process.exitCode = 1;
}

async function measureOnce() {
  const supervisor = await import(
    pathToFileURL(join(repo, 'packages/supervisor/dist/metrics-history.js')).href
  );
  const { encodeFrame } = await import(pathToFileURL(join(repo, 'packages/core/dist/codec.js')).href);
  const { HistoryStore, writeHistoryFile, readHistoryFile } = supervisor;
  const held = () => {
    globalThis.gc();
    globalThis.gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  const labels = Array.from({ length: apps }, (_, id) => ({
    id,
    name: `app-${id}`,
    instance: 0,
    namespace: 'default',
  }));
  const now = Date.now();
  const start = now - DAY_MS;
  const before = held();
  const store = new HistoryStore(INTERVAL_MS);
  const filling = performance.now();
  const lines = new Float64Array(apps);
  for (let at = start, tick = 0; at <= now; at += INTERVAL_MS, tick += 1) {
    for (let id = 0; id < apps; id += 1) {
      lines[id] += (id % 7) * 3 + (tick % 5);
      store.add(id, labels[id].name, at, {
        isRunning: true,
        cpu: 5 + 5 * Math.sin(tick / 300 + id),
        memory: 50 * MB + ((tick * 4096 + id * 65536) % (20 * MB)),
        restarts: Math.floor(tick / 10_000),
        logLines: lines[id],
      });
    }
  }
  const fillMs = performance.now() - filling;
  const heldBytes = held() - before;
  const timed = (fn) => {
    const t0 = performance.now();
    const value = fn();
    return { value, ms: performance.now() - t0 };
  };
  const all = timed(() => store.query(labels, {}, now));
  const answerBytes = encodeFrame({ id: 1, ok: true, result: { history: all.value } }).length;
  const queryAllPoints = all.value.reduce((sum, history) => sum + history.t.length, 0);
  const sixty = timed(() => store.query(labels, { points: 60 }, now));
  const home = mkdtempSync(join(tmpdir(), 'velos-history-bench-'));
  try {
    const path = join(home, 'metrics-history.bin');
    const write = timed(() => writeHistoryFile(path, store, now));
    const read = timed(() => readHistoryFile(path, new HistoryStore(INTERVAL_MS), () => true));
    return {
      heldBytes,
      arrayBytes: store.byteLength(),
      fillMs,
      queryAllMs: all.ms,
      queryAllPoints,
      answerBytes,
      query60Ms: sixty.ms,
      fileBytes: statSync(path).size,
      writeFileMs: write.ms,
      readFileMs: read.ms,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function round(value) {
  return Math.round(value * 100) / 100;
}
