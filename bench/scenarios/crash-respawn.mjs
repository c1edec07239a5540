// Issue 17: from a crash (the app's exit timestamp) until the next process of the app exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crashTimerGaps } from '../lib/crash-timer-run.mjs';
import { makeRow } from '../lib/report.mjs';
import { FIXTURES, forEachManager, freshDir, spawnFloor } from '../lib/scenario-kit.mjs';
import { settleWithin } from '../lib/wait.mjs';

const CRASH_AFTER_MS = 300;
const RESPAWN_PARENT = fileURLToPath(new URL('../fixtures/respawn-parent.cjs', import.meta.url));

/**
 * fixtures/crash-timer.cjs logs its exit timestamp and, in the next process, `performance.timeOrigin`
 * (when that node process began: it exists) and its first-code timestamp. Floor: the same program in a
 * shell loop, `while …; do node crash-timer.cjs; done`; a second row puts each manager against a bare
 * Node parent instead (fixtures/respawn-parent.cjs: `child_process.spawn` again on each `exit`), the
 * least any manager written in Node can do.
 */
export const crashRespawn = {
  name: 'respawn',
  title: 'Crash until the next process exists',
  async run(ctx) {
    const gapsPerRun = ctx.quick ? 3 : 5;
    const errors = {};
    const exists = { floor: [], velos: [], pm2: [] };
    const runs = { floor: [], velos: [], pm2: [] };
    const nodeParent = [];
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      const floor = await shellLoop(ctx, gapsPerRun);
      exists.floor.push(...floor.map((gap) => gap.exists));
      runs.floor.push(...floor.map((gap) => gap.runs));
      nodeParent.push(...(await nodeParentLoop(ctx, gapsPerRun)).map((gap) => gap.exists));
      await forEachManager(ctx, run, errors, async (manager) => {
        const gaps = await managerGaps(ctx, manager, run, gapsPerRun);
        exists[manager.name].push(...gaps.map((gap) => gap.exists));
        runs[manager.name].push(...gaps.map((gap) => gap.runs));
      });
    }
    return {
      rows: [
        makeRow({
          metric: 'exit until the next process exists',
          unit: 'ms',
          samples: exists,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.3, text: '<= 1.3x floor' },
        }),
        makeRow({
          metric: 'exit until the next process runs code',
          unit: 'ms',
          samples: runs,
          base: 'floor',
        }),
        makeRow({
          metric: 'exit until the next process exists, floor: a bare Node parent',
          unit: 'ms',
          samples: { ...exists, floor: nodeParent },
          base: 'floor',
        }),
      ],
      errors,
      notes: [
        `app exits 1 after ${CRASH_AFTER_MS} ms; managers: autorestart, restart_delay 0, min_uptime 100 ms, max_restarts 1000; ${gapsPerRun} gaps per run`,
        'floor: `while [ $i -lt N ]; do node crash-timer.cjs; …; done` in one sh; "exists" is the next process\'s performance.timeOrigin',
        'bare Node parent: bench/fixtures/respawn-parent.cjs, child_process.spawn (detached, stdout/stderr piped and dropped) again on each exit',
      ],
    };
  },
};

function managerGaps(ctx, manager, run, gaps) {
  return crashTimerGaps(ctx, manager, run, {
    prefix: 'respawn',
    gaps,
    crashAfterMs: CRASH_AFTER_MS,
    gapsOf: respawnGaps,
  });
}

/** The same program restarted by a shell loop `gaps` times. */
async function shellLoop(ctx, gaps) {
  const timesFile = join(freshDir(ctx, 'respawn-floor'), 'times.log');
  const node = quote(process.execPath);
  const script = `i=0; while [ $i -le ${gaps} ]; do ${node} ${quote(FIXTURES.crashTimer)}; i=$((i+1)); done`;
  const shell = spawnFloor(ctx, '/bin/sh', ['-c', script], {
    env: { TIMES_FILE: timesFile, CRASH_MS: String(CRASH_AFTER_MS) },
  });
  const closed = new Promise((resolve) => shell.on('close', resolve));
  await settleWithin(closed, 60_000);
  const found = respawnGaps(timesFile);
  if (found.length < gaps) throw new Error(`the shell loop logged ${found.length} of ${gaps} restarts`);
  return found.slice(0, gaps);
}

/** The same program restarted by a bare Node parent (fixtures/respawn-parent.cjs) `gaps` times. */
async function nodeParentLoop(ctx, gaps) {
  const timesFile = join(freshDir(ctx, 'respawn-node-parent'), 'times.log');
  const parent = spawnFloor(ctx, process.execPath, [RESPAWN_PARENT, FIXTURES.crashTimer, String(gaps + 1)], {
    env: { TIMES_FILE: timesFile, CRASH_MS: String(CRASH_AFTER_MS) },
  });
  const closed = new Promise((resolve) => parent.on('close', resolve));
  await settleWithin(closed, 60_000);
  const found = respawnGaps(timesFile);
  if (found.length < gaps) throw new Error(`the bare Node parent logged ${found.length} of ${gaps} restarts`);
  return found.slice(0, gaps);
}

/** For each `exit` line, the gaps (ms) to the next other PID's process start and first code. */
export function respawnGaps(file) {
  if (!existsSync(file)) return [];
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, at, pid, origin] = line.split(' ');
      return { kind, at: Number(at), pid: Number(pid), origin: Number(origin) };
    });
  const gaps = [];
  events.forEach((event, i) => {
    if (event.kind !== 'exit') return;
    const next = events.slice(i + 1).find((e) => e.kind === 'start' && e.pid !== event.pid);
    if (next) gaps.push({ exists: next.origin - event.at, runs: next.at - event.at });
  });
  return gaps;
}

function quote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
