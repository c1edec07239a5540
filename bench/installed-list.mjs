#!/usr/bin/env node
// The installed CLI's `velos list` against `node -e 0`: packs the workspace (build it first), installs the
// tarballs with npm into a temporary directory outside the workspace (or uses --dir, an existing install),
// starts APPS idle apps under a temporary VELOS_HOME and times interleaved runs of each command.
// usage: node bench/installed-list.mjs [--runs N] [--apps N] [--dir <install dir>] [--json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanEnv, installTarballs, packAll } from '../scripts/lib/pack-install.mjs';
import { runChecked } from './lib/exec.mjs';
import { median, rotate } from './lib/stats.mjs';

const TARGET_RATIO = 1.5;
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    apps: { type: 'string', default: '10' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Math.max(5, Number(opts.runs));
const appCount = Number(opts.apps);
const log = (message) => process.stderr.write(`${message}\n`);

const work = mkdtempSync(join(tmpdir(), 'velos-bench-installed-'));
const appDir = opts.dir ?? join(work, 'app');
const home = join(work, 'home');
// the installed bin's `#!/usr/bin/env node` finds the node running this script, as the floor uses
const env = cleanEnv({
  VELOS_HOME: home,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
});
const velosBin = join(appDir, 'node_modules', '.bin', 'velos');
const appPids = [];
const velos = (...args) => runChecked(velosBin, args, { env, cwd: appDir });

try {
  if (opts.dir === undefined) {
    const started = performance.now();
    const tarballs = await packAll(join(work, 'tgz'));
    await installTarballs([...tarballs.values()], appDir);
    log(
      `packed and installed ${tarballs.size} packages in ${Math.round((performance.now() - started) / 1000)} s`,
    );
  }
  writeFileSync(join(appDir, 'idle.js'), 'setInterval(() => {}, 60_000);\n');
  for (let i = 0; i < appCount; i += 1) await velos('start', 'idle.js', '--name', `idle-${i}`);
  await waitOnline(appCount);

  const commands = [
    { key: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
    { key: 'velos list', file: velosBin, args: ['list'] },
    { key: 'velos list --json', file: velosBin, args: ['list', '--json'] },
  ];
  const samples = Object.fromEntries(commands.map((command) => [command.key, []]));
  for (const command of commands) await runChecked(command.file, command.args, { env, cwd: appDir });
  for (let i = 0; i < runs; i += 1) {
    for (const command of rotate(commands, i)) {
      const result = await runChecked(command.file, command.args, { env, cwd: appDir });
      samples[command.key].push(result.ms);
    }
  }
  report(samples);
} finally {
  await velos('kill').catch(() => {});
  stopProcesses();
  rmSync(work, { recursive: true, force: true });
}

function report(samples) {
  const floor = median(samples['node -e 0']);
  const rows = Object.entries(samples).map(([key, values]) => ({
    command: key,
    medianMs: Math.round(median(values) * 10) / 10,
    ratio: Math.round((median(values) / floor) * 100) / 100,
  }));
  const listRatio = rows.find((row) => row.command === 'velos list').ratio;
  const result = {
    node: process.version,
    apps: appCount,
    runs,
    rows,
    target: `velos list <= ${TARGET_RATIO}x node -e 0`,
    meetsTarget: listRatio <= TARGET_RATIO,
  };
  if (opts.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `installed velos, ${appCount} apps, Node ${process.version}, medians of ${runs} interleaved runs`,
  );
  for (const row of rows)
    console.log(`  ${row.command.padEnd(18)} ${String(row.medianMs).padStart(7)} ms  ${row.ratio}x`);
  console.log(`  target ${result.target}: ${result.meetsTarget ? 'met' : 'NOT met'}`);
}

async function waitOnline(count) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const rows = JSON.parse((await velos('list', '--json')).stdout);
    const online = rows.filter((row) => row.status === 'online' && row.pid);
    if (online.length === count) {
      appPids.push(...online.map((row) => row.pid));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the ${count} apps were not all online within 30 s`);
}

/** Kills by pid what `velos kill` may have left (when it failed): the daemon and the apps. */
function stopProcesses() {
  let daemonPid = 0;
  try {
    daemonPid = Number(readFileSync(join(home, 'velos.pid'), 'utf8'));
  } catch {
    // no pid file: the daemon is gone
  }
  for (const pid of [daemonPid, ...appPids].filter((pid) => pid > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
}
