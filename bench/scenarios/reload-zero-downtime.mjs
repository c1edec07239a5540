// Scenario: `reload <app>` five times on a 4-instance cluster app under a fixed-rate HTTP load.

import { freePort, startClusterApp, waitInstances, waitSent, waitServed } from '../lib/cluster-app.mjs';
import { startLoad } from '../lib/http-load.mjs';
import { makeRow } from '../lib/report.mjs';
import { appEnv, floorPids, forEachManager } from '../lib/scenario-kit.mjs';
import { median } from '../lib/stats.mjs';
import { epochMs } from '../lib/wait.mjs';

const INSTANCES = 4;
const RELOADS = 5;
const RATE = 600;
const FRESH_SHARE = 0.2;
/** Requests sent before the first reload and after the last one (one second of load each). */
const MARGIN_REQUESTS = RATE;

/**
 * fixtures http-app.cjs (no signal handling) as 4 cluster instances under a 600 req/s load, 20 % of
 * the requests on fresh connections; `reload` issued 5 times, each time once the previous reload's
 * new PIDs are listed online and have answered. Every failed request counts.
 */
export const reloadZeroDowntime = {
  name: 'reload',
  title: 'Zero-downtime reload of a 4-instance cluster app under HTTP load',
  async run(ctx) {
    const errors = {};
    const runs = { velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      await forEachManager(ctx, run, errors, async (manager) => {
        const result = await reloadUnderLoad(ctx, manager, run);
        runs[manager.name].push(result);
        ctx.log(
          `  ${manager.label}: ${result.failed} failed of ${result.sent} (${formatKinds(result.errors)}), ` +
            `${result.okRate.toFixed(0)} req/s, p99 ${result.latencyMs.p99?.toFixed(1)} ms, ` +
            `reloads ${result.reloadMs.map((ms) => ms.toFixed(0)).join('/')} ms, ` +
            `${result.slowRequests} answers >= 100 ms (${result.slowDuringReloads} while a reload ran)`,
        );
      });
    }
    const per = (pick) => ({ velos: runs.velos.map(pick), pm2: runs.pm2.map(pick) });
    const reloadMs = {
      velos: runs.velos.flatMap((r) => r.reloadMs),
      pm2: runs.pm2.flatMap((r) => r.reloadMs),
    };
    return {
      rows: [
        makeRow({
          metric: `failed requests during ${RELOADS} reloads, worst run`,
          unit: 'count',
          samples: per((r) => r.failed),
          aggregate: 'max',
          target: { kind: 'zero', text: '0' },
        }),
        makeRow({ metric: 'failed requests, median run', unit: 'count', samples: per((r) => r.failed) }),
        makeRow({ metric: 'requests sent per run', unit: 'count', samples: per((r) => r.sent) }),
        makeRow({
          metric: 'achieved rate (successful responses per second)',
          unit: 'req/s',
          samples: per((r) => r.okRate),
          target: { kind: 'min', value: 500, text: '>= 500 req/s' },
        }),
        makeRow({ metric: 'latency p50', unit: 'ms', samples: per((r) => r.latencyMs.p50), base: 'pm2' }),
        makeRow({ metric: 'latency p99', unit: 'ms', samples: per((r) => r.latencyMs.p99), base: 'pm2' }),
        makeRow({ metric: 'reload command wall time', unit: 'ms', samples: reloadMs, base: 'pm2' }),
        makeRow({
          metric: `worker PIDs that answered (${INSTANCES} + ${INSTANCES}x${RELOADS} expected)`,
          unit: 'count',
          samples: per((r) => r.pids),
        }),
      ],
      errors,
      runs,
      notes: [
        `fixtures http-app.cjs, ${INSTANCES} cluster instances, manager defaults otherwise; load ${RATE} req/s fixed-rate from its own process, ${FRESH_SHARE * 100} % on fresh connections, the rest keep-alive (at most 64 sockets), 5 s timeout`,
        `${RELOADS} reloads per run, each issued once the previous one's new PIDs are listed online and have answered; ${MARGIN_REQUESTS} requests before the first and after the last`,
        'latency is measured from the scheduled send time (no coordinated omission), successful requests only',
        ...['velos', 'pm2']
          .filter((side) => runs[side].length > 0)
          .map((side) => `${side} failures by kind, all runs: ${formatKinds(sumKinds(runs[side]))}`),
        ...['velos', 'pm2']
          .filter((side) => runs[side].length > 0)
          .map(
            (side) =>
              `${side} scheduler lag p99 (median run): ${median(runs[side].map((r) => r.lagP99)).toFixed(1)} ms`,
          ),
      ],
    };
  },
};

async function reloadUnderLoad(ctx, manager, run) {
  const name = `reload-${run}`;
  const port = await freePort();
  let pids = await startClusterApp(ctx, manager, { name, port, instances: INSTANCES });
  const load = await startLoad({
    url: `http://127.0.0.1:${port}/`,
    rate: RATE,
    freshShare: FRESH_SHARE,
    env: appEnv(ctx),
  });
  floorPids.add(load.pid);
  try {
    await waitServed(load, pids);
    let snapshot = await waitSent(load, { sent: 0 }, MARGIN_REQUESTS);
    const reloadMs = [];
    const reloadWindows = [];
    for (let i = 0; i < RELOADS; i += 1) {
      const started = performance.now();
      const startedEpoch = epochMs();
      await manager.run(['reload', name], { timeoutMs: 120_000 });
      reloadMs.push(performance.now() - started);
      reloadWindows.push([startedEpoch, epochMs()]);
      pids = await waitInstances(manager, name, INSTANCES, { exclude: new Set(pids) });
      snapshot = await waitServed(load, pids);
    }
    await waitSent(load, snapshot, MARGIN_REQUESTS);
    const result = await load.stop();
    return {
      sent: result.sent,
      failed: result.failed,
      errors: result.errors,
      resetOnReused: result.resetOnReused,
      okRate: result.okRate,
      latencyMs: result.latencyMs,
      lagP99: result.lagMs.p99,
      pids: result.pids.length,
      reloadMs,
      reloadWindows: reloadWindows.map(([from, to]) => [
        round(from - result.startedAt),
        round(to - result.startedAt),
      ]),
      slowRequests: result.slowSamples.length,
      slowDuringReloads: result.slowSamples.filter((sample) =>
        reloadWindows.some(([from, to]) => sample.at >= from && sample.at <= to),
      ).length,
      firstErrors: result.errorSamples
        .slice(0, 20)
        .map((sample) => ({ ...sample, at: round(sample.at - result.startedAt) })),
    };
  } finally {
    load.kill();
    floorPids.delete(load.pid);
    await manager.deleteAll();
  }
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

function sumKinds(results) {
  const total = {};
  for (const result of results)
    for (const [kind, count] of Object.entries(result.errors)) total[kind] = (total[kind] ?? 0) + count;
  total['of which reset on a reused keep-alive socket'] = results.reduce(
    (sum, r) => sum + r.resetOnReused,
    0,
  );
  return total;
}

function formatKinds(kinds) {
  const parts = Object.entries(kinds).filter(([, count]) => count > 0);
  return parts.length ? parts.map(([kind, count]) => `${kind} ${count}`).join(', ') : 'none';
}
