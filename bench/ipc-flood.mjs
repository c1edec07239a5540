#!/usr/bin/env node
// What hostile IPC clients cost a real Velos daemon (session 31), one daemon per load, --runs rounds each:
// - partial: 40 connections each announce a 16 MiB frame and send 16 MiB - 1 (issue #8). Per flood: the
//   daemon's CPU (user + system, from /proc) until the last attacker is refused or done, and until the
//   daemon's RSS is back within 10 % of before and the daemon quiet (its memory release included), the
//   bytes it read (rchar of /proc/<pid>/io), its peak RSS; the BUSY refusals.
// - big-list: a 4.4 MB `list` frame of 122 maps x 4 096 distinct keys (under every payload limit), with a
//   ping every 20 ms on another connection. Per frame: the time to its answer, the slowest ping, the CPU.
// Usage: pnpm run build && node bench/ipc-flood.mjs [--runs 7] [--only partial,big-list] [--repo <checkout>]
// --repo measures another built checkout (its CLI), e.g. the commit before a change.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readPidFile, readRssBytes, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    connections: { type: 'string', default: '40' },
    only: { type: 'string', default: 'partial,big-list' },
    repo: { type: 'string' },
  },
});
const runs = Number(values.runs);
const repo = values.repo ?? fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');

const readBytes = (pid) => Number(/^rchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);

/** A frame header announcing `length` payload bytes. */
function frameHeader(length) {
  const head = Buffer.from([0x56, 0x45, 0x01, 0, 0, 0, 0]);
  head.writeUInt32LE(length, 3);
  return head;
}

// --- a minimal MessagePack writer: enough for the requests below (maps, strings, small integers) ---
function packString(text) {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < 32) return Buffer.concat([Buffer.from([0xa0 | bytes.length]), bytes]);
  if (bytes.length < 256) return Buffer.concat([Buffer.from([0xd9, bytes.length]), bytes]);
  const head = Buffer.from([0xda, 0, 0]);
  head.writeUInt16BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}
function packUint(value) {
  if (value < 128) return Buffer.from([value]);
  const head = Buffer.from([0xce, 0, 0, 0, 0]);
  head.writeUInt32BE(value, 1);
  return head;
}
function mapHeader(entries) {
  if (entries < 16) return Buffer.from([0x80 | entries]);
  const head = Buffer.from([0xde, 0, 0]);
  head.writeUInt16BE(entries, 1);
  return head;
}
function arrayHeader(items) {
  if (items < 16) return Buffer.from([0x90 | items]);
  const head = Buffer.from([0xdc, 0, 0]);
  head.writeUInt16BE(items, 1);
  return head;
}
function requestFrame(id, cmd, payload) {
  const body = Buffer.concat([
    mapHeader(3),
    packString('id'),
    packUint(id),
    packString('cmd'),
    packString(cmd),
    packString('payload'),
    payload,
  ]);
  return Buffer.concat([frameHeader(body.length), body]);
}

/** `list` with a payload of 122 maps of 4 096 distinct keys each (null values): 4.4 MB, under every limit. */
function bigListFrame(id) {
  const parts = [arrayHeader(122)];
  for (let m = 0; m < 122; m += 1) {
    parts.push(mapHeader(4096));
    for (let k = 0; k < 4096; k += 1) parts.push(packString(`k${m}_${k}`), Buffer.from([0xc0]));
  }
  return requestFrame(id, 'list', Buffer.concat(parts));
}

/** A connection that reads answer frames and tells each answer's id and the first bytes of its status. */
function openRaw(home) {
  return new Promise((resolve, reject) => {
    const socket = connect(join(home, 'velos.sock'));
    const conn = { socket, answers: [], closed: false, onAnswer: () => undefined };
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 7) {
        const length = pending.readUInt32LE(3);
        if (pending.length < 7 + length) break;
        const body = pending.subarray(7, 7 + length);
        pending = pending.subarray(7 + length);
        conn.answers.push(body);
        conn.onAnswer(body);
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      conn.closed = true;
      conn.onAnswer(null);
    });
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
  });
}

/** Sends a ping and resolves with its round trip in ms. */
function ping(conn, id) {
  const started = performance.now();
  return new Promise((resolve) => {
    conn.onAnswer = () => resolve(performance.now() - started);
    conn.socket.write(requestFrame(id, 'ping', mapHeader(0)));
  });
}

/** The daemon's CPU seconds once it has used none for 400 ms (at most 15 s). */
async function quietCpu(pid) {
  let last = readCpuSeconds(pid);
  let lastChange = performance.now();
  await waitFor(
    () => {
      const now = readCpuSeconds(pid);
      if (now !== last) {
        last = now;
        lastChange = performance.now();
      }
      return performance.now() - lastChange >= 400;
    },
    { timeoutMs: 15_000, intervalMs: 50, what: 'the daemon to be quiet' },
  ).catch(() => undefined);
  return last;
}

async function withDaemon(run) {
  const home = mkdtempSync(join(tmpdir(), 'velos-bench-flood-'));
  const env = { ...process.env, VELOS_HOME: home, VELOS_IPC_FRAME_TIMEOUT_MS: '300000' };
  execFileSync(process.execPath, [VELOS_BIN, 'list'], { env, stdio: 'ignore' });
  const pid = readPidFile(join(home, 'velos.pid'));
  try {
    await quietCpu(pid);
    return await run(home, pid);
  } finally {
    await stopPids([pid]);
    rmSync(home, { recursive: true, force: true });
  }
}

async function partialFlood(home, pid, count) {
  const head = frameHeader(MAX_FRAME_BYTES);
  const body = Buffer.alloc(MAX_FRAME_BYTES - 1, 0x61);
  const attackers = await Promise.all(Array.from({ length: count }, () => openRaw(home)));
  const cpu0 = readCpuSeconds(pid);
  const read0 = readBytes(pid);
  const rss0 = readRssBytes(pid);
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, readRssBytes(pid) ?? 0);
  }, 10);
  await Promise.all(
    attackers.map(
      (attacker) =>
        new Promise((resolve) => {
          attacker.onAnswer = () => resolve();
          attacker.socket.write(head);
          attacker.socket.write(body, () => resolve());
        }),
    ),
  );
  const cpuFlood = readCpuSeconds(pid) - cpu0;
  const read = readBytes(pid) - read0;
  const refused = attackers.filter((a) => a.answers.length > 0).length;
  const checker = await openRaw(home);
  const pingMs = await ping(checker, 1);
  checker.socket.destroy();
  for (const attacker of attackers) attacker.socket.destroy();
  clearInterval(sampler);
  // the dropped frames are collected a second after the last connection closes (memory-release.ts)
  const settleStarted = performance.now();
  await waitFor(() => readRssBytes(pid) <= rss0 * 1.1, { timeoutMs: 10_000, what: 'RSS back' }).catch(
    () => undefined,
  );
  const settleMs = performance.now() - settleStarted;
  const cpuTotal = (await quietCpu(pid)) - cpu0;
  const afterMb = readRssBytes(pid) / 1e6;
  return { cpuFlood, cpuTotal, readMiB: read / MiB, peakMb: peak / 1e6, afterMb, settleMs, refused, pingMs };
}

async function bigList(home, pid, frame) {
  const pinger = await openRaw(home);
  const victim = await openRaw(home);
  const cpu0 = readCpuSeconds(pid);
  const started = performance.now();
  let answeredMs = null;
  victim.onAnswer = () => {
    answeredMs = performance.now() - started;
  };
  victim.socket.write(frame);
  let slowest = 0;
  let pingId = 1;
  while (answeredMs === null && performance.now() - started < 60_000) {
    slowest = Math.max(slowest, await ping(pinger, pingId++));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cpu = (await quietCpu(pid)) - cpu0;
  const answer = victim.answers[0]?.toString('latin1') ?? '';
  const code = /(INVALID_ARGUMENT|PROTOCOL_ERROR|FRAME_TOO_LARGE|BUSY|INTERNAL)/.exec(answer)?.[1] ?? 'ok';
  pinger.socket.destroy();
  victim.socket.destroy();
  return { answeredMs, slowestPingMs: slowest, cpu, code, alive: readCpuSeconds(pid) !== null };
}

const only = new Set(values.only.split(','));
const fmt = (list, key, digits = 2) => median(list.map((r) => r[key])).toFixed(digits);
const spread = (list, key, digits = 2) => list.map((r) => r[key].toFixed(digits)).join(', ');
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

if (only.has('partial')) {
  const count = Number(values.connections);
  const floods = await withDaemon(async (home, pid) => {
    // a first small flood pages in the code of this path (as the fuzz test does)
    await partialFlood(home, pid, 2);
    const list = [];
    for (let i = 0; i < runs; i += 1) {
      const result = await partialFlood(home, pid, count);
      process.stderr.write(`partial flood ${i + 1}/${runs}: ${JSON.stringify(result)}\n`);
      list.push(result);
    }
    return list;
  });
  console.log(
    `partial frames, ${count} connections x (16 MiB - 1) of a 16 MiB frame, median of ${runs} floods: ` +
      `daemon CPU ${fmt(floods, 'cpuFlood')} s until refused (${spread(floods, 'cpuFlood')}), ` +
      `${fmt(floods, 'cpuTotal')} s until quiet (${spread(floods, 'cpuTotal')}); ` +
      `read ${fmt(floods, 'readMiB', 0)} MiB (${spread(floods, 'readMiB', 0)}); ` +
      `RSS peak ${fmt(floods, 'peakMb', 0)} MB, ${fmt(floods, 'afterMb', 1)} MB after ` +
      `(back within 10 % in ${fmt(floods, 'settleMs', 0)} ms); refused ${fmt(floods, 'refused', 0)}/${count}; ` +
      `ping after ${fmt(floods, 'pingMs', 0)} ms`,
  );
}

if (only.has('big-list')) {
  const frame = bigListFrame(7);
  const results = await withDaemon(async (home, pid) => {
    const list = [];
    for (let i = 0; i < runs; i += 1) {
      const result = await bigList(home, pid, frame);
      process.stderr.write(`big list ${i + 1}/${runs}: ${JSON.stringify(result)}\n`);
      list.push(result);
    }
    return list;
  });
  console.log(
    `list of 122 maps x 4 096 keys (${(frame.length / 1e6).toFixed(1)} MB), median of ${runs}: ` +
      `answered (${results[0].code}) in ${fmt(results, 'answeredMs', 0)} ms (${spread(results, 'answeredMs', 0)}), ` +
      `slowest ping ${fmt(results, 'slowestPingMs', 0)} ms, daemon CPU ${fmt(results, 'cpu')} s`,
  );
}
