// Scenario 5: from a crash (the app's exit timestamp) until the restarted app's code runs again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crashTimerGaps } from '../lib/crash-timer-run.mjs';
import { stopPids } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { FIXTURES, forEachManager, freshDir, spawnFloor } from '../lib/scenario-kit.mjs';
import { epochMs, waitFor } from '../lib/wait.mjs';

const CRASH_AFTER_MS = 300;
const FLOOR_CRASH_AFTER_MS = 100;

/**
 * fixtures crash-timer.cjs logs its first-code and exit timestamps; the gap from an exit to the next
 * start is the manager's restart cost. Floor: spawn timestamp to first-code timestamp of a bare node.
 */
export const crashRestart = {
  name: 'crash',
  title: 'Crash until the app code runs again',
  async run(ctx) {
    const gapsPerRun = ctx.quick ? 3 : 5;
    const errors = {};
    const samples = { floor: [], velos: [], pm2: [] };
    const exitSeen = { floor: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      for (let i = 0; i < gapsPerRun; i += 1) {
        const bare = await bareNodeTimes(ctx);
        samples.floor.push(bare.firstCode);
        exitSeen.floor.push(bare.exitSeen);
      }
      await forEachManager(ctx, run, errors, async (manager) => {
        samples[manager.name].push(...(await crashGaps(ctx, manager, run, gapsPerRun)));
      });
    }
    return {
      rows: [
        makeRow({
          metric: 'exit until the next start runs code',
          unit: 'ms',
          samples,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.2, text: '<= 1.2x floor' },
        }),
        makeRow({
          metric: 'bare node: exit timestamp until the parent sees the exit',
          unit: 'ms',
          samples: exitSeen,
        }),
      ],
      errors,
      notes: [
        `app exits 1 after ${CRASH_AFTER_MS} ms; autorestart, restart_delay 0, min_uptime 100 ms, max_restarts 1000; ${gapsPerRun} gaps per run`,
        'floor: harness timestamp just before spawn() of a bare `node crash-timer.cjs` to its first-code timestamp',
        "every manager's gap also holds the dying process's own teardown, shown by the bare-node exit row (not in the floor)",
      ],
    };
  },
};

function crashGaps(ctx, manager, run, gaps) {
  return crashTimerGaps(ctx, manager, run, {
    prefix: 'crash',
    gaps,
    crashAfterMs: CRASH_AFTER_MS,
    gapsOf: restartGaps,
  });
}

/** Gaps (ms) between each `exit` line and the next `start` line of another PID in a times file. */
export function restartGaps(file) {
  if (!existsSync(file)) return [];
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, at, pid] = line.split(' ');
      return { kind, at: Number(at), pid: Number(pid) };
    });
  const gaps = [];
  events.forEach((event, i) => {
    if (event.kind !== 'exit') return;
    const next = events.slice(i + 1).find((e) => e.kind === 'start' && e.pid !== event.pid);
    if (next) gaps.push(next.at - event.at);
  });
  return gaps;
}

/**
 * A bare `node crash-timer.cjs`: `firstCode` = harness timestamp just before spawn() to the first-code
 * timestamp; `exitSeen` = the exit timestamp (written just before process.exit) to the parent's exit event.
 */
async function bareNodeTimes(ctx) {
  const timesFile = join(freshDir(ctx, 'crash-floor'), 'times.log');
  const spawnedAt = epochMs();
  const child = spawnFloor(ctx, process.execPath, [FIXTURES.crashTimer], {
    env: { TIMES_FILE: timesFile, CRASH_MS: String(FLOOR_CRASH_AFTER_MS) },
  });
  let exitSeenAt = null;
  child.on('exit', () => {
    exitSeenAt = epochMs();
  });
  try {
    const events = await waitFor(
      () => {
        const lines = existsSync(timesFile) ? readFileSync(timesFile, 'utf8').split('\n') : [];
        return exitSeenAt !== null && lines.length >= 3 ? lines : null;
      },
      { timeoutMs: 30_000, intervalMs: 2, what: 'the floor app to start and exit' },
    );
    const at = (line) => Number(line.split(' ')[1]);
    return { firstCode: at(events[0]) - spawnedAt, exitSeen: exitSeenAt - at(events[1]) };
  } finally {
    await stopPids([child.pid]);
  }
}
