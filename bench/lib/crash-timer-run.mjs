// One crash-timer.cjs app under a manager, restarted until its times file holds enough gaps.
import { join } from 'node:path';
import { appList, FIXTURES, freshDir } from './scenario-kit.mjs';
import { waitFor } from './wait.mjs';

/**
 * Starts fixtures crash-timer.cjs (exits 1 after `crashAfterMs`) under `manager` with autorestart,
 * restart_delay 0, min_uptime 100 ms and max_restarts 1000; waits until `gapsOf(timesFile)` has `gaps`
 * entries, deletes the app and returns the first `gaps` of them.
 */
export async function crashTimerGaps(ctx, manager, run, { prefix, gaps, crashAfterMs, gapsOf }) {
  const timesFile = join(freshDir(ctx, prefix), 'times.log');
  const [app] = appList(ctx, {
    prefix,
    from: run,
    count: 1,
    script: FIXTURES.crashTimer,
    env: () => ({ TIMES_FILE: timesFile, CRASH_MS: String(crashAfterMs) }),
    autorestart: true,
    restartDelayMs: 0,
    minUptimeMs: 100,
    maxRestarts: 1000,
  });
  await manager.ensureDaemon();
  await manager.deleteAll();
  await manager.startConfig(manager.writeConfig(freshDir(ctx, `${prefix}-config`), [app]));
  await waitFor(() => gapsOf(timesFile).length >= gaps, {
    timeoutMs: 120_000,
    intervalMs: 50,
    what: `${gaps} restarts of ${app.name}`,
  });
  await manager.deleteAll();
  return gapsOf(timesFile).slice(0, gaps);
}
