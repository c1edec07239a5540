// Scenario: a cluster worker crashes under HTTP load; how long until a fresh worker of its instance serves.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLUSTER_FLOOR,
  freePort,
  getJson,
  startClusterApp,
  waitInstances,
  waitServed,
} from '../lib/cluster-app.mjs';
import { startLoad } from '../lib/http-load.mjs';
import { stopPids } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { appEnv, floorPids, forEachManager, freshDir, spawnFloor } from '../lib/scenario-kit.mjs';
import { waitFor } from '../lib/wait.mjs';

const INSTANCES = 4;
const RATE = 500;
const FRESH_SHARE = 0.5;

/**
 * fixtures http-app.cjs as 4 cluster instances under a 500 req/s load (half on fresh connections, which
 * the cluster primary deals out to the workers); GET /crash makes the worker that gets it answer, log
 * its exit time and exit 1. Measured: from that exit time until the load is first answered by a new
 * PID of the same instance, and until that PID logged `listening`. Floor: a bare Node cluster primary
 * that re-forks at once (fixtures cluster-floor.cjs).
 */
export const clusterCrash = {
  name: 'cluster-crash',
  title: 'Cluster worker crash until a fresh worker serves the port',
  async run(ctx) {
    const crashesPerRun = ctx.quick ? 2 : 5;
    const errors = {};
    const served = { floor: [], velos: [], pm2: [] };
    const listening = { floor: [], velos: [], pm2: [] };
    const failed = { floor: [], velos: [], pm2: [] };
    const record = (side, gaps) => {
      served[side].push(...gaps.map((gap) => gap.servedMs));
      listening[side].push(...gaps.map((gap) => gap.listeningMs));
      failed[side].push(...gaps.map((gap) => gap.failed));
      ctx.log(
        `  ${side}: ${gaps.map((gap) => `${gap.servedMs.toFixed(0)} ms/${gap.failed} failed`).join(', ')}`,
      );
    };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      const floor = async () => {
        try {
          record('floor', await floorCrashes(ctx, run, crashesPerRun));
        } catch (error) {
          errors.floor ??= error instanceof Error ? error.message : String(error);
          ctx.log(`  floor: ${errors.floor}`);
        }
      };
      // The floor goes first in even runs and last in odd ones, like the managers' rotation.
      if (run % 2 === 0) await floor();
      await forEachManager(ctx, run, errors, async (manager) => {
        record(manager.name, await managerCrashes(ctx, manager, run, crashesPerRun));
      });
      if (run % 2 === 1) await floor();
    }
    return {
      rows: [
        makeRow({
          metric: 'worker exit until a new PID of its instance answers the load',
          unit: 'ms',
          samples: served,
          base: 'floor',
        }),
        makeRow({
          metric: 'worker exit until the new worker is listening',
          unit: 'ms',
          samples: listening,
          base: 'floor',
        }),
        makeRow({ metric: 'failed requests per crash', unit: 'count', samples: failed }),
        makeRow({
          metric: 'failed requests per crash, worst',
          unit: 'count',
          samples: failed,
          aggregate: 'max',
        }),
      ],
      errors,
      notes: [
        `${crashesPerRun} crashes per run; load ${RATE} req/s fixed-rate from its own process, ${FRESH_SHARE * 100} % on fresh connections (so a new worker gets one about every ${((INSTANCES * 1000) / (RATE * FRESH_SHARE)).toFixed(0)} ms), the rest keep-alive`,
        'exit and listening times are written by the worker itself (fixtures http-app.cjs); "answers" is when the load generator got the response',
        'failed requests per crash: those that failed from just before GET /crash until the new worker answered (keep-alive sockets of the dead worker reset)',
        'floor: fixtures cluster-floor.cjs, a bare Node cluster primary that forks a new worker of the instance on its exit event',
      ],
    };
  },
};

async function managerCrashes(ctx, manager, run, crashes) {
  const name = `crash-${run}`;
  const port = await freePort();
  const timesFile = join(freshDir(ctx, 'cluster-crash'), 'times.log');
  const pids = await startClusterApp(ctx, manager, {
    name,
    port,
    instances: INSTANCES,
    env: { TIMES_FILE: timesFile },
  });
  try {
    return await crashUnderLoad(ctx, { port, timesFile, pids, crashes }, () =>
      waitInstances(manager, name, INSTANCES),
    );
  } finally {
    await manager.deleteAll();
  }
}

async function floorCrashes(ctx, run, crashes) {
  const port = await freePort();
  const timesFile = join(freshDir(ctx, 'cluster-crash-floor'), 'times.log');
  const primary = spawnFloor(ctx, process.execPath, [CLUSTER_FLOOR], {
    env: { PORT: String(port), TIMES_FILE: timesFile, INSTANCES: String(INSTANCES) },
  });
  try {
    const pids = await waitFor(() => listeningPids(timesFile, INSTANCES), {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: `${INSTANCES} floor workers listening (run ${run + 1})`,
    });
    return await crashUnderLoad(ctx, { port, timesFile, pids, crashes }, () =>
      waitFor(() => listeningPids(timesFile, INSTANCES), { timeoutMs: 60_000, what: 'floor workers' }),
    );
  } finally {
    await stopPids([primary.pid]);
  }
}

/**
 * Runs the load, waits until `pids` answered it, then `crashes` times: GET /crash, the crashed worker's
 * exit time, the first answer from a new PID of its instance and that PID's listening time; after each,
 * `settled()` must resolve (all instances up again) before the next crash.
 */
async function crashUnderLoad(ctx, { port, timesFile, pids, crashes }, settled) {
  const load = await startLoad({
    url: `http://127.0.0.1:${port}/`,
    rate: RATE,
    freshShare: FRESH_SHARE,
    env: appEnv(ctx),
  });
  floorPids.add(load.pid);
  try {
    let before = await waitServed(load, pids);
    const gaps = [];
    for (let i = 0; i < crashes; i += 1) {
      const known = new Set(before.pids.map((entry) => entry.pid));
      const crashed = await getJson(port, '/crash');
      const exitAt = await waitFor(() => timesOf(timesFile, 'exit').get(crashed.pid), {
        timeoutMs: 10_000,
        intervalMs: 5,
        what: `worker ${crashed.pid} to log its exit`,
      });
      const fresh = await waitFor(
        async () => {
          const snapshot = await load.snapshot();
          const entry = snapshot.pids.find(
            (e) => !known.has(e.pid) && e.pid !== crashed.pid && e.instance === crashed.instance,
          );
          return entry ? { entry, snapshot } : null;
        },
        { timeoutMs: 60_000, intervalMs: 10, what: `a new worker of instance ${crashed.instance} to answer` },
      );
      const listeningAt = timesOf(timesFile, 'listening').get(fresh.entry.pid);
      if (listeningAt === undefined)
        throw new Error(`worker ${fresh.entry.pid} answered but logged no listening time`);
      gaps.push({
        servedMs: fresh.entry.firstAt - exitAt,
        listeningMs: listeningAt - exitAt,
        failed: fresh.snapshot.failed - before.failed,
      });
      await settled();
      before = await load.snapshot();
    }
    await load.stop();
    return gaps;
  } finally {
    load.kill();
    floorPids.delete(load.pid);
  }
}

/** Map pid → epoch ms of the `kind` lines (`exit` or `listening`) in a times file. */
function timesOf(file, kind) {
  const times = new Map();
  if (!existsSync(file)) return times;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [what, at, pid] = line.split(' ');
    if (what === kind) times.set(Number(pid), Number(at));
  }
  return times;
}

/** PIDs of the workers that logged `listening` and no `exit`, when there are `count` of them. */
function listeningPids(file, count) {
  const exited = timesOf(file, 'exit');
  const live = [...timesOf(file, 'listening').keys()].filter((pid) => !exited.has(pid));
  return live.length >= count ? live : null;
}
