#!/usr/bin/env node
// Partial frames against a real Velos daemon (issue #8): N connections each announce a 16 MiB frame and
// send all of it but the last byte, three rounds; the daemon's RSS before, at peak and after they close.
// Usage: pnpm run build && node bench/ipc-partial-frames.mjs [--connections 40] [--rounds 3] [--runs 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readPidFile, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';

const VELOS = fileURLToPath(new URL('../apps/cli/bin/velos.js', import.meta.url));
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
  },
});

const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function flood(home, count) {
  const head = Buffer.from([0x56, 0x45, 0x01, 0, 0, 0, 0]);
  head.writeUInt32LE(MAX_FRAME_BYTES, 3);
  const body = Buffer.alloc(MAX_FRAME_BYTES - 1, 0x61);
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const socket = connect(join(home, 'velos.sock'));
          let refused = false;
          socket.on('data', () => {
            refused = true;
          });
          socket.on('error', () => undefined);
          socket.once('connect', () => {
            socket.write(head);
            socket.write(body, () => resolve({ socket, refused: () => refused }));
          });
          socket.once('close', () => resolve({ socket, refused: () => refused }));
        }),
    ),
  );
}

async function run() {
  const home = mkdtempSync(join(tmpdir(), 'velos-bench-pf-'));
  execFileSync(process.execPath, [VELOS, 'list'], { env: { ...process.env, VELOS_HOME: home } });
  const pid = readPidFile(join(home, 'velos.pid'));
  try {
    await sleep(1000);
    const before = rssMb(pid);
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 10);
    let refused = 0;
    for (let round = 0; round < Number(values.rounds); round += 1) {
      const sockets = await flood(home, Number(values.connections));
      refused += sockets.filter((s) => s.refused()).length;
      execFileSync(process.execPath, [VELOS, 'list'], { env: { ...process.env, VELOS_HOME: home } });
      for (const { socket } of sockets) socket.destroy();
      await sleep(500);
    }
    clearInterval(timer);
    await sleep(2000);
    return { before, peak, after: rssMb(pid), refused };
  } finally {
    await stopPids([pid]);
    rmSync(home, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < Number(values.runs); i += 1) results.push(await run());
const pick = (key) => median(results.map((r) => r[key])).toFixed(1);
console.log(
  `${values.connections} connections x 16 MiB - 1 of a 16 MiB frame, ${values.rounds} rounds, median of ${results.length} runs: ` +
    `RSS before ${pick('before')} MB, peak ${pick('peak')} MB, after ${pick('after')} MB, refused ${pick('refused')}`,
);
