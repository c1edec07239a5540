// Scenario 2: resident memory of the daemon idle, with 10 and with 100 apps; and of one app under each.

import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readRssBytes, readSettledRss, stopPids } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import { appList, FIXTURES, forEachManager, freshDir, spawnFloor } from '../lib/scenario-kit.mjs';
import { median } from '../lib/stats.mjs';

const MB = 1e6;
/** How long a daemon gets without commands before its "idle" figure: Velos collects 3 s after the last request, at most every 10 s. */
const IDLE_WAIT_MS = 12_000;
const BARE_PARENT = fileURLToPath(new URL('../fixtures/bare-parent-rss.cjs', import.meta.url));
/** The Velos daemon's memory flags (apps/cli/src/context.ts), given to the bare Node parent too. */
const DAEMON_MEMORY_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=512', '--expose-gc'];

/** VmRSS of the daemon PID after a ping, with 10 and with 100 silent.js apps (fresh daemon each run). */
export const daemonRss = {
  name: 'rss',
  title: 'Daemon RSS idle, with 10 and with 100 apps',
  async run(ctx) {
    const small = 10;
    const large = ctx.quick ? 30 : 100;
    const errors = {};
    const idle = { velos: [], pm2: [] };
    const idleLater = { velos: [], pm2: [] };
    const withSmall = { velos: [], pm2: [] };
    const withSmallLater = { velos: [], pm2: [] };
    const withLarge = { velos: [], pm2: [] };
    const perApp = { floor: [], velos: [], pm2: [] };
    const bareParentPerApp = [];
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      perApp.floor.push(await bareAppRss(ctx));
      bareParentPerApp.push(await bareParentGrowth(ctx, small));
      await forEachManager(ctx, run, errors, async (manager) => {
        await manager.shutdown();
        const pid = await manager.ensureDaemon();
        idle[manager.name].push((await readSettledRss(pid)) / MB);
        await delay(IDLE_WAIT_MS);
        idleLater[manager.name].push((await readSettledRss(pid)) / MB);

        const first = appList(ctx, { prefix: 'rss', count: small, script: FIXTURES.silent });
        await manager.startConfig(manager.writeConfig(freshDir(ctx, 'rss-a'), first));
        const pids = await manager.waitOnline(first.map((app) => app.name));
        await manager.list();
        withSmall[manager.name].push((await readSettledRss(pid)) / MB);
        await delay(IDLE_WAIT_MS);
        withSmallLater[manager.name].push((await readSettledRss(pid)) / MB);
        perApp[manager.name].push(median([...pids.values()].map((p) => readRssBytes(p) ?? 0)) / MB);

        const rest = appList(ctx, {
          prefix: 'rss',
          from: small,
          count: large - small,
          script: FIXTURES.silent,
        });
        await manager.startConfig(manager.writeConfig(freshDir(ctx, 'rss-b'), rest));
        await manager.waitOnline(
          [...first, ...rest].map((app) => app.name),
          { timeoutMs: 300_000 },
        );
        await manager.list();
        withLarge[manager.name].push((await readSettledRss(pid)) / MB);
        await manager.deleteAll();
      });
    }
    const growth = perAppGrowth(idleLater, withSmallLater, small);
    return {
      rows: [
        makeRow({
          metric: 'daemon RSS idle',
          unit: 'MB',
          samples: idle,
          base: 'pm2',
          target: { kind: 'max', value: 50, text: '<= 50 MB' },
        }),
        makeRow({ metric: `daemon RSS, ${small} apps`, unit: 'MB', samples: withSmall, base: 'pm2' }),
        makeRow({
          metric: `daemon RSS idle, ${IDLE_WAIT_MS / 1000} s without commands`,
          unit: 'MB',
          samples: idleLater,
          base: 'pm2',
          target: { kind: 'max', value: 45, text: '<= 45 MB (issue 17, Node 20)' },
        }),
        makeRow({
          metric: `daemon RSS, ${small} apps, ${IDLE_WAIT_MS / 1000} s without commands`,
          unit: 'MB',
          samples: withSmallLater,
          base: 'pm2',
        }),
        makeRow({
          metric: `daemon RSS per app, idle → ${small} apps, ${IDLE_WAIT_MS / 1000} s without commands`,
          unit: 'MB',
          samples: growth,
          base: 'pm2',
          target: { kind: 'max', value: 0.1, text: '<= 0.1 MB (issue 17)' },
        }),
        makeRow({
          metric: `daemon RSS per app, idle → ${small} apps, floor: a bare Node parent`,
          unit: 'MB',
          samples: { ...growth, floor: bareParentPerApp },
          // no ratio: on Node 20 the bare parent's growth is ~0
          base: null,
        }),
        makeRow({
          metric: `daemon RSS, ${large} apps`,
          unit: 'MB',
          samples: withLarge,
          base: 'pm2',
          target: large === 100 ? { kind: 'max', value: 70, text: '<= 70 MB' } : null,
        }),
        makeRow({ metric: 'RSS of one silent.js app', unit: 'MB', samples: perApp, base: 'floor' }),
      ],
      errors,
      notes: [
        'MB = 10^6 bytes of VmRSS; a fresh daemon per run, measured once RSS settles (<1% change in 250 ms)',
        'app RSS floor: bare `node fixtures/silent.js`; under a manager: median over the 10 apps',
        `bare Node parent: bench/fixtures/bare-parent-rss.cjs with the daemon's memory flags, ${small} children of silent.js with their output piped and read, each figure after ${IDLE_WAIT_MS / 1000} s without work (a full collection 3 s into it)`,
        `"without commands": the same daemon measured again after ${IDLE_WAIT_MS / 1000} s in which it got no command (a daemon that has been idle a while; Velos gives back what start-up and a burst of requests left behind 3 s after the last request)`,
      ],
    };
  },
};

/** Per run: (RSS with `count` apps − idle RSS) / `count`, for each manager. */
function perAppGrowth(idle, withApps, count) {
  const growth = {};
  for (const name of Object.keys(idle)) {
    growth[name] = idle[name].map((mb, run) => (withApps[name][run] - mb) / count).filter(Number.isFinite);
  }
  return growth;
}

/** (RSS with `count` children − idle RSS) / `count` of a bare Node parent (fixtures/bare-parent-rss.cjs), in MB. */
async function bareParentGrowth(ctx, count) {
  const args = [...DAEMON_MEMORY_FLAGS, BARE_PARENT, FIXTURES.silent, String(count), String(IDLE_WAIT_MS)];
  const child = spawnFloor(ctx, process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the bare Node parent exited ${code}`);
  const { idle, withChildren } = JSON.parse(output);
  return (withChildren - idle) / count / MB;
}

/** RSS of a bare `node fixtures/silent.js`, the floor for one supervised app. */
async function bareAppRss(ctx) {
  const child = spawnFloor(ctx, process.execPath, [FIXTURES.silent]);
  try {
    return (await readSettledRss(child.pid)) / MB;
  } finally {
    await stopPids([child.pid]);
  }
}
