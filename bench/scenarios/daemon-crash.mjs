// Scenario: the manager's daemon is SIGKILLed while a cluster app serves under HTTP load (#15).
import { freePort, startClusterApp, waitAnswering, waitInstances, waitServed } from '../lib/cluster-app.mjs';
import { startLoad } from '../lib/http-load.mjs';
import { isAlive } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { appEnv, floorPids, forEachManager } from '../lib/scenario-kit.mjs';
import { waitFor } from '../lib/wait.mjs';

const INSTANCES = 4;
const RATE = 500;
const FRESH_SHARE = 0.5;

/**
 * fixtures http-app.cjs as 4 cluster instances under a 500 req/s load (half on fresh connections);
 * the daemon is SIGKILLed, then the command that brings the apps back runs at once: `velos list` (any
 * command starts a daemon, which re-adopts what the dead one ran), `pm2 resurrect` (PM2's way back
 * after its daemon died, from a `pm2 save` made before the kill). Measured: failed requests from the
 * kill until every instance is listed online and the load was answered by each; that time; and how
 * many of the 4 worker PIDs are still the same afterwards. No floor: without a manager nothing dies.
 */
export const daemonCrash = {
  name: 'daemon-crash',
  title: 'Daemon SIGKILLed under a 4-instance cluster app serving HTTP',
  async run(ctx) {
    const errors = {};
    const failed = { velos: [], pm2: [] };
    const back = { velos: [], pm2: [] };
    const kept = { velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      await forEachManager(ctx, run, errors, async (manager) => {
        const result = await crashOnce(ctx, manager, run);
        failed[manager.name].push(result.failed);
        back[manager.name].push(result.backMs);
        kept[manager.name].push(result.kept);
        ctx.log(
          `  ${manager.label}: ${result.failed} failed of ${result.sent} (${result.kinds}), back in ${result.backMs.toFixed(0)} ms, ${result.kept}/${INSTANCES} PIDs kept`,
        );
      });
    }
    return {
      rows: [
        makeRow({
          metric: 'failed requests, kill until all instances serve again',
          unit: 'count',
          samples: failed,
        }),
        makeRow({
          metric: 'kill until every instance is online and answered the load',
          unit: 'ms',
          samples: back,
        }),
        makeRow({ metric: 'worker PIDs kept (of 4)', unit: 'count', samples: kept }),
      ],
      errors,
      notes: [
        `load ${RATE} req/s fixed-rate from its own process, ${FRESH_SHARE * 100} % on fresh connections, the rest keep-alive`,
        'the recovery command runs right after the kill: velos list (a new daemon re-adopts the primary and its workers), pm2 resurrect (after pm2 save)',
        'PM2 runs cluster workers as children of its daemon: they exit with it, and resurrect starts new ones',
      ],
    };
  },
};

async function crashOnce(ctx, manager, run) {
  const name = `dcrash-${run}`;
  const port = await freePort();
  const pids = await startClusterApp(ctx, manager, { name, port, instances: INSTANCES });
  if (manager.name === 'pm2') await manager.run(['save']);
  const load = await startLoad({
    url: `http://127.0.0.1:${port}/`,
    rate: RATE,
    freshShare: FRESH_SHARE,
    env: appEnv(ctx),
  });
  floorPids.add(load.pid);
  try {
    const before = await waitServed(load, pids);
    const daemon = manager.daemonPid();
    if (daemon === null) throw new Error(`${manager.label}: no daemon pid file`);
    const killedAt = performance.now();
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), { timeoutMs: 10_000, intervalMs: 5, what: 'the daemon to die' });
    await manager.run(manager.name === 'pm2' ? ['resurrect'] : ['list'], { timeoutMs: 120_000 });
    const after = await waitInstances(manager, name, INSTANCES);
    await waitAnswering(port);
    await waitServed(load, after, { timeoutMs: 60_000 });
    const backMs = performance.now() - killedAt;
    // stop() waits for the requests in flight: one sent before the kill and timed out counts too
    const result = await load.stop();
    const kinds = Object.entries(result.errors)
      .map(([kind, count]) => [kind, count - before.errors[kind]])
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return {
      failed: result.failed - before.failed,
      sent: result.sent,
      kinds: kinds || 'none',
      backMs,
      kept: after.filter((pid) => pids.includes(pid)).length,
    };
  } finally {
    load.kill();
    floorPids.delete(load.pid);
    await manager.deleteAll();
  }
}
