// Scenario `log-lines`: daemon CPU per captured line when apps write one line per write() (console.log
// style), 1 app × 1M lines and 10 apps × 100k lines of 100 bytes, with a loss check; floor: `cat`.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPaddedLines, paddedLinesBytes } from '../lib/line-checker.mjs';
import { readCpuSeconds } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { appList, forEachManager, freshDir, spawnFloor, trackCommand } from '../lib/scenario-kit.mjs';
import { waitFor } from '../lib/wait.mjs';

const LINE_PER_WRITE = fileURLToPath(new URL('../../fixtures/line-per-write.js', import.meta.url));
const LINE_BYTES = 100;
/** A log that stops growing for this long is taken as final (lines were lost). */
const STALL_MS = 15_000;

/**
 * Two loads, each in every run: one app writing `lines` lines, then ten apps writing `lines / 10`
 * each at once, every line of LINE_BYTES bytes with its own write(). Measured: the daemon's CPU
 * (utime + stime from /proc) from spawning `start <config>` until every log holds every byte, and
 * that wall time; every line is checked (lost, duplicated, torn, out of order). Floor: each app piped
 * into `cat > file`, the CPU of the `cat`s (as their shell's `times` reports it).
 */
export const logLines = {
  name: 'log-lines',
  title: 'Log capture, one write() per line: daemon CPU per line',
  async run(ctx) {
    const total = ctx.quick ? 200_000 : 1_000_000;
    const loads = [
      { apps: 1, lines: total },
      { apps: 10, lines: total / 10 },
      // a steady rate, as most apps log: ten apps, a line a millisecond each for 5 s (2 s with --quick)
      { apps: 10, lines: ctx.quick ? 2000 : 5000, everyMs: 1 },
    ];
    const errors = {};
    const rows = [];
    const samples = loads.map(() => ({
      cpu: { floor: [], velos: [], pm2: [] },
      ms: { floor: [], velos: [], pm2: [] },
      bad: { floor: [], velos: [], pm2: [] },
    }));
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      for (const [index, load] of loads.entries()) {
        const s = samples[index];
        const floor = await catFloor(ctx, load);
        s.cpu.floor.push(floor.cpuSeconds);
        s.ms.floor.push(floor.ms);
        s.bad.floor.push(floor.bad);
        await forEachManager(ctx, run, errors, async (manager) => {
          const result = await throughManager(ctx, manager, load, `${run}-${index}`);
          s.cpu[manager.name].push(result.cpuSeconds);
          s.ms[manager.name].push(result.ms);
          s.bad[manager.name].push(result.bad);
        });
      }
    }
    for (const [index, load] of loads.entries()) {
      const rate = load.everyMs ? `, one every ${load.everyMs} ms` : '';
      const what = `${load.apps} app${load.apps > 1 ? 's' : ''} x ${load.lines / 1000}k lines, 1 write/line${rate}`;
      // issue 17's targets are for the floods; the steady rate is measured beside them
      const target = load.everyMs ? null : load.apps === 1 ? 0.5 : 0.3;
      rows.push(
        makeRow({
          metric: `${what}: daemon CPU`,
          unit: 's',
          samples: samples[index].cpu,
          base: 'pm2',
          target: target === null ? null : { kind: 'max', value: target, text: `<= ${target} s` },
        }),
        makeRow({
          metric: `${what}: start -> all lines in the logs`,
          unit: 'ms',
          samples: samples[index].ms,
        }),
        makeRow({
          metric: `${what}: lines lost, duplicated, torn or out of order (worst run)`,
          unit: 'count',
          samples: samples[index].bad,
          aggregate: 'max',
          target: { kind: 'zero', text: '0' },
        }),
      );
    }
    return {
      rows,
      errors,
      notes: [
        `apps: fixtures/line-per-write.js, ${LINE_BYTES}-byte lines, one console.log() per line (all at once, or one every N ms); daemon CPU = utime+stime of the daemon PID from spawning \`start\` until every log is complete; floor: the same apps piped into \`cat > file\`, CPU of the cats`,
      ],
    };
  },
};

/** The environment of fixtures/line-per-write.js for a load. */
function loadEnv(load) {
  return { COUNT: String(load.lines), LINE_BYTES: String(LINE_BYTES), EVERY_MS: String(load.everyMs ?? 0) };
}

async function throughManager(ctx, manager, load, tag) {
  const dir = freshDir(ctx, 'log-lines');
  const apps = appList(ctx, {
    prefix: `lines-${tag}`,
    count: load.apps,
    script: LINE_PER_WRITE,
    autorestart: false,
    env: () => loadEnv(load),
  });
  const config = manager.writeConfig(dir, apps);
  const daemon = await manager.ensureDaemon();
  await manager.deleteAll();
  const logs = apps.map((app) => manager.outLogPath(app.name));
  const bytes = paddedLinesBytes(load.lines, LINE_BYTES);
  const cpuBefore = readCpuSeconds(daemon);
  const started = performance.now();
  const command = trackCommand(manager.startConfig(config));
  await waitForLogs(logs, bytes, () => command.error);
  const ms = performance.now() - started;
  const cpuAfter = readCpuSeconds(daemon);
  await command.done;
  if (command.error) throw command.error;
  if (cpuBefore === null || cpuAfter === null) throw new Error(`${manager.label} daemon ${daemon} is gone`);
  const bad = logs.map((path) => badLines(readFileSync(path), load.lines)).reduce((a, b) => a + b, 0);
  await manager.deleteAll();
  return { ms, cpuSeconds: Math.round((cpuAfter - cpuBefore) * 1000) / 1000, bad };
}

/** Each app piped into `sh -c 'cat > file; times'`: the cats' CPU seconds, wall time, bad lines. */
async function catFloor(ctx, load) {
  const dir = freshDir(ctx, 'log-lines-floor');
  const started = performance.now();
  const runs = Array.from({ length: load.apps }, (_, i) => {
    const file = join(dir, `out-${i}.log`);
    // the pipeline's last part is a subshell whose `times` reports its children: the cat alone
    const shell = spawnFloor(
      ctx,
      'sh',
      ['-c', '"$0" "$1" | { cat > "$2"; times; }', process.execPath, LINE_PER_WRITE, file],
      {
        env: loadEnv(load),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    shell.stdout.on('data', (chunk) => {
      output += chunk;
    });
    return new Promise((resolve, reject) => {
      shell.once('error', reject);
      shell.once('exit', () => {
        // `times`: the shell's user and system time, then its children's (the cat)
        const children = output.trim().split('\n').at(-1).split(/\s+/);
        resolve({ file, cpuSeconds: children.reduce((sum, t) => sum + parseTimes(t), 0) });
      });
    });
  });
  const done = await Promise.all(runs);
  const ms = performance.now() - started;
  const bad = done.map(({ file }) => badLines(readFileSync(file), load.lines)).reduce((a, b) => a + b, 0);
  return { ms, cpuSeconds: done.reduce((sum, r) => sum + r.cpuSeconds, 0), bad };
}

function parseTimes(text) {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
}

function badLines(buffer, count) {
  const check = checkPaddedLines(buffer, count, LINE_BYTES);
  return check.lost + check.duplicated + check.torn + check.outOfOrder;
}

async function waitForLogs(paths, bytes, failure) {
  let lastTotal = -1;
  let lastGrowth = performance.now();
  await waitFor(
    () => {
      const error = failure();
      if (error) throw error;
      const sizes = paths.map(sizeOf);
      if (sizes.every((size) => size >= bytes)) return true;
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total !== lastTotal) {
        lastTotal = total;
        lastGrowth = performance.now();
      }
      return performance.now() - lastGrowth > STALL_MS;
    },
    { timeoutMs: 600_000, intervalMs: 10, what: `${paths.length} logs to reach ${bytes} bytes each` },
  );
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
