// Scenario 6: `restart <app>` issued until a new PID is online and its code ran.
import { makeRow } from '../lib/report.mjs';
import {
  appList,
  confirmListed,
  FIXTURES,
  forEachManager,
  freshDir,
  readMarkers,
  trackCommand,
} from '../lib/scenario-kit.mjs';
import { waitFor } from '../lib/wait.mjs';

/** From spawning `restart <name>` until the command exited, the new PID wrote its marker and is listed online. */
export const restartCommand = {
  name: 'restart',
  title: 'restart command until the new PID runs',
  async run(ctx) {
    const restartsPerRun = ctx.quick ? 2 : 3;
    const errors = {};
    const samples = { velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      await forEachManager(ctx, run, errors, async (manager) => {
        samples[manager.name].push(...(await timeRestarts(ctx, manager, run, restartsPerRun)));
      });
    }
    return {
      rows: [
        makeRow({ metric: 'restart until the new PID runs and is online', unit: 'ms', samples, base: 'pm2' }),
      ],
      errors,
      notes: [
        `${restartsPerRun} restarts per run of fixtures ready-marker.cjs (exits on SIGTERM at once)`,
        'from spawning `restart <name>` until the command exited and the new PID wrote its marker; then the list must show that PID online (if not yet, until it does)',
      ],
    };
  },
};

async function timeRestarts(ctx, manager, run, restarts) {
  const markerDir = freshDir(ctx, 'restart');
  const [app] = appList(ctx, {
    prefix: 'restart',
    from: run,
    count: 1,
    script: FIXTURES.readyMarker,
    env: (name) => ({ READY_DIR: markerDir, READY_NAME: name }),
  });
  await manager.ensureDaemon();
  await manager.deleteAll();
  await manager.startConfig(manager.writeConfig(freshDir(ctx, 'restart-config'), [app]));
  await manager.waitOnline([app.name]);
  const markerPid = () => readMarkers(markerDir).get(app.name)?.pid ?? null;
  await waitFor(markerPid, { timeoutMs: 30_000, intervalMs: 5, what: `${app.name} to write its marker` });
  const times = [];
  for (let i = 0; i < restarts; i += 1) {
    const oldPid = markerPid();
    const started = performance.now();
    const command = trackCommand(manager.restart(app.name));
    const newPid = await waitFor(
      () => {
        if (command.error) throw command.error;
        const pid = markerPid();
        return command.at !== null && pid !== oldPid ? pid : null;
      },
      { timeoutMs: 60_000, intervalMs: 5, what: `${app.name} to run in a new PID` },
    );
    const observedAt = performance.now();
    times.push((await confirmListed(manager, new Map([[app.name, newPid]]), observedAt)) - started);
  }
  await manager.deleteAll();
  return times;
}
