// Issue #9: what 20 apps crash-looping for a minute cost the daemon in memory (events, restarts, logs).
import { readRssBytes } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { appList, FIXTURES, forEachManager, freshDir } from '../lib/scenario-kit.mjs';

const MB = 1e6;
const APPS = 20;
const CRASH_AFTER_MS = 200;
const WARM_UP_MS = 5000;

/**
 * 20 apps that exit with code 1 after 200 ms, restarted without delay and without a restart limit;
 * daemon RSS is read once the loop has run 5 s, then after the whole period (60 s, 20 s with --quick).
 * The growth between the two is what the loop costs; restarts per second show the load was the same.
 */
export const crashLoopRss = {
  name: 'crashloop',
  title: 'Daemon RSS growth while 20 apps crash-loop',
  async run(ctx) {
    const periodMs = ctx.quick ? 20_000 : 60_000;
    const errors = {};
    const growth = { velos: [], pm2: [] };
    const peak = { velos: [], pm2: [] };
    const rate = { velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      await forEachManager(ctx, run, errors, async (manager) => {
        await manager.shutdown();
        const pid = await manager.ensureDaemon();
        const apps = appList(ctx, {
          prefix: 'loop',
          count: APPS,
          script: FIXTURES.crashAfter,
          args: [String(CRASH_AFTER_MS)],
          autorestart: true,
          restartDelayMs: 0,
          minUptimeMs: 0,
          maxRestarts: 1_000_000,
        });
        await manager.startConfig(manager.writeConfig(freshDir(ctx, 'loop'), apps));
        await sleep(WARM_UP_MS);
        const restartsBefore = await totalRestarts(manager);
        const warm = readRssBytes(pid) ?? 0;
        let highest = warm;
        const startedAt = Date.now();
        while (Date.now() - startedAt < periodMs) {
          await sleep(1000);
          highest = Math.max(highest, readRssBytes(pid) ?? 0);
        }
        const end = readRssBytes(pid) ?? 0;
        const restarts = (await totalRestarts(manager)) - restartsBefore;
        growth[manager.name].push((end - warm) / MB);
        peak[manager.name].push(highest / MB);
        rate[manager.name].push(restarts / ((Date.now() - startedAt) / 1000));
        await manager.deleteAll();
        await manager.shutdown();
      });
    }
    return {
      rows: [
        makeRow({
          metric: `daemon RSS growth, ${APPS} apps crash-looping ${periodMs / 1000} s`,
          unit: 'MB',
          samples: growth,
          base: 'pm2',
          target: { kind: 'max', value: 5, text: '<= 5 MB' },
        }),
        makeRow({ metric: 'daemon RSS peak during the loop', unit: 'MB', samples: peak, base: 'pm2' }),
        makeRow({ metric: 'restarts per second (load)', unit: '/s', samples: rate, base: 'pm2' }),
      ],
      errors,
      notes: [
        `crashloop: fixtures/crash-after.js ${CRASH_AFTER_MS} ms, restart_delay 0, min_uptime 0, no restart limit;`,
        `crashloop: growth = RSS after the period minus RSS after a ${WARM_UP_MS / 1000} s warm-up (MB = 10^6 bytes)`,
      ],
    };
  },
};

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function totalRestarts(manager) {
  return (await manager.list()).reduce((sum, row) => sum + (row.restarts ?? 0), 0);
}
