#!/usr/bin/env node
// Issue #14: what the opt-in IPC channel of fork-mode Node apps (wait_ready, shutdown_with_message)
// costs: N apps started one by one without and with --shutdown-with-message, the daemon's RSS after,
// and the wall time of the N starts. node bench/fork-ipc.mjs [--apps 20] [--runs 5]; medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'apps/cli/bin/velos.js');
const app = join(root, 'fixtures/silent.js');
const { values } = parseArgs({
  options: { apps: { type: 'string', default: '20' }, runs: { type: 'string', default: '5' } },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One run: a fresh daemon, N starts; returns the starts' wall time and the daemon's RSS in MB. */
function run(flags) {
  const home = mkdtempSync(join(tmpdir(), 'velos-bench-ipc-'));
  const env = { ...process.env, VELOS_HOME: home };
  const velos = (args) => {
    const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`velos ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  try {
    velos(['ping']);
    const started = process.hrtime.bigint();
    for (let i = 0; i < Number(values.apps); i++) velos(['start', app, '--name', `app${i}`, ...flags]);
    const startMs = Number(process.hrtime.bigint() - started) / 1e6;
    const pid = JSON.parse(velos(['ping', '--json'])).pid;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
    return { startMs, rssMb: rss };
  } finally {
    spawnSync(process.execPath, [bin, 'kill'], { env });
    rmSync(home, { recursive: true, force: true });
  }
}

const rows = {};
for (const [label, flags] of [
  ['no channel', []],
  ['--shutdown-with-message', ['--shutdown-with-message']],
]) {
  const runs = Array.from({ length: Number(values.runs) }, () => run(flags));
  rows[label] = {
    startsMs: Number(median(runs.map((r) => r.startMs)).toFixed(0)),
    daemonRssMb: Number(median(runs.map((r) => r.rssMb)).toFixed(1)),
  };
}
console.log(JSON.stringify({ apps: Number(values.apps), runs: Number(values.runs), medians: rows }));
