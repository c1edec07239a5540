#!/usr/bin/env node
// Chaos: SIGKILL the daemon during a log flood (docs/chaos.md). Each round floods LINES numbered lines
// (default 1M, test/chaos/fixtures/flood.js) through one app and SIGKILLs the daemon KILLS times (default
// 3) while it runs; the next `velos list` starts a daemon that re-adopts the app and reads its FIFO again.
// Then every line of the log is checked: lines lost (and in how many gaps), duplicated, torn; and the
// time from each kill to the first line the new daemon wrote. Medians over ROUNDS rounds (default 5).
// Usage: pnpm run build && node bench/chaos-flood.mjs [--lines 1000000] [--kills 3] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isAlive, readPidFile, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { VELOS_BIN, velosMissingReason } from './lib/velos-driver.mjs';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    kills: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
  },
});
const LINES = Number(values.lines);
const KILLS = Number(values.kills);
const ROUNDS = Number(values.rounds);
const FLOOD = fileURLToPath(new URL('../test/chaos/fixtures/flood.js', import.meta.url));
const FLOOD_LINE = /^flood (\d+) x+$/;
/** About the bytes of the whole flood (a line of a middle number times the count). */
const FLOOD_BYTES = `flood ${Math.round(LINES / 2)} ${'x'.repeat(20)}\n`.length * LINES;

const missing = velosMissingReason();
if (missing) {
  console.error(`chaos-flood: ${missing}`);
  process.exit(1);
}

const rounds = [];
for (let round = 1; round <= ROUNDS; round += 1) rounds.push(await runRound(round));

const lost = rounds.map((r) => r.lost);
const recover = rounds.flatMap((r) => r.recoverMs);
console.log(
  JSON.stringify(
    {
      scenario: 'chaos-flood',
      lines: LINES,
      killsPerRound: KILLS,
      rounds: ROUNDS,
      lostLinesMedian: median(lost),
      lostLinesMax: Math.max(...lost),
      lostBytesMaxPerKill: Math.max(...rounds.map((r) => r.maxGapBytes)),
      duplicatesTotal: rounds.reduce((sum, r) => sum + r.duplicates, 0),
      tornLinesTotal: rounds.reduce((sum, r) => sum + r.torn, 0),
      recoverMsMedian: median(recover),
      recoverMsMax: Math.max(...recover),
      perRound: rounds,
    },
    null,
    2,
  ),
);

async function runRound(round) {
  const home = mkdtempSync(join(tmpdir(), 'velos-bench-chaos-'));
  const env = { ...process.env, VELOS_HOME: home, LINES: String(LINES) };
  const velos = (...args) => execFileSync(process.execPath, [VELOS_BIN, ...args], { env, encoding: 'utf8' });
  const log = join(home, 'logs', 'flood-out.log');
  const pids = new Set();
  try {
    velos('start', FLOOD, '--name', 'flood');
    const recoverMs = [];
    for (let kill = 1; kill <= KILLS; kill += 1) {
      // Kill at an even share of the flood's bytes in the file.
      const target = FLOOD_BYTES * (kill / (KILLS + 1));
      await until(() => sizeOf(log) >= target, 120_000);
      const daemon = readPidFile(join(home, 'velos.pid'));
      for (const row of JSON.parse(velos('list', '--json'))) if (row.pid) pids.add(row.pid);
      process.kill(daemon, 'SIGKILL');
      await until(() => !isAlive(daemon), 10_000);
      const size = sizeOf(log);
      const killedAt = performance.now();
      velos('list', '--json');
      await until(() => sizeOf(log) > size || isDone(log), 60_000);
      recoverMs.push(Math.round(performance.now() - killedAt));
    }
    await until(() => isDone(log), 300_000);
    const result = { round, ...check(readFileSync(log, 'utf8').split('\n'), LINES), recoverMs };
    console.error(`round ${round}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    try {
      velos('kill');
    } catch {
      // the daemon is gone already
    }
    await stopPids([...pids]);
    rmSync(home, { recursive: true, force: true });
  }
}

function check(lines, total) {
  const marks = new Uint8Array(total + 1);
  let duplicates = 0;
  let torn = 0;
  for (const line of lines) {
    const n = FLOOD_LINE.exec(line)?.[1];
    if (n === undefined) {
      if (line !== '' && !line.startsWith('flood done')) torn += 1;
      continue;
    }
    if (marks[Number(n)]) duplicates += 1;
    marks[Number(n)] = 1;
  }
  let lost = 0;
  let gaps = 0;
  let gap = 0;
  let maxGap = 0;
  for (let n = 1; n <= total; n += 1) {
    if (marks[n]) {
      gap = 0;
      continue;
    }
    lost += 1;
    if (gap === 0) gaps += 1;
    gap += 1;
    maxGap = Math.max(maxGap, gap);
  }
  const lineBytes = `flood ${total} ${'x'.repeat(20)}\n`.length;
  return { lost, gaps, duplicates, torn, maxGapBytes: maxGap * lineBytes };
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function isDone(path) {
  const size = sizeOf(path);
  if (size === 0) return false;
  const tail = Buffer.alloc(Math.min(64, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.toString('utf8').includes(`flood done ${LINES}`);
}

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`chaos-flood: timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
