// Scenario 3: time to start 50 apps from one config file until all run, vs 50 `node app.js &` from a shell.
import { stopPids } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import {
  appList,
  confirmListed,
  countMarkers,
  FIXTURES,
  floorPids,
  forEachManager,
  freshDir,
  readMarkers,
  spawnFloor,
  trackCommand,
} from '../lib/scenario-kit.mjs';
import { settleWithin, waitFor } from '../lib/wait.mjs';

/**
 * From the start command until every app is listed online with the PID whose code wrote its ready
 * marker (fixtures/ready-marker.cjs); floor: the same 50 programs backgrounded by one `sh -c`.
 */
export const startMany = {
  name: 'start',
  title: 'Start 50 apps from one config file until all run',
  async run(ctx) {
    const count = ctx.quick ? 20 : 50;
    const errors = {};
    const samples = { floor: [], velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      samples.floor.push(await shellFloor(ctx, count));
      await forEachManager(ctx, run, errors, async (manager) => {
        samples[manager.name].push(await startWithManager(ctx, manager, count));
      });
    }
    return {
      rows: [
        makeRow({
          metric: `start ${count} apps until all online and their code ran`,
          unit: 'ms',
          samples,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.3, text: '<= 1.3x floor' },
        }),
      ],
      errors,
      notes: [
        `floor: one sh -c running \`node ready-marker.cjs &\` x${count} until all ${count} markers exist`,
        'managers: from spawning `start <config>` until the command has exited and all markers exist, then the list must show each app online with the marker PID (if not yet, until it does)',
      ],
    };
  },
};

async function startWithManager(ctx, manager, count) {
  const markerDir = freshDir(ctx, `start-${manager.name}`);
  const apps = appList(ctx, {
    prefix: 'start',
    count,
    script: FIXTURES.readyMarker,
    env: (name) => ({ READY_DIR: markerDir, READY_NAME: name }),
  });
  const config = manager.writeConfig(freshDir(ctx, 'start-config'), apps);
  await manager.ensureDaemon();
  await manager.deleteAll();
  const started = performance.now();
  const command = trackCommand(manager.startConfig(config));
  await waitFor(
    () => {
      if (command.error) throw command.error;
      return countMarkers(markerDir) >= count;
    },
    { timeoutMs: 300_000, intervalMs: 5, what: `${count} ready markers` },
  );
  const markersAt = performance.now();
  await command.done;
  if (command.error) throw command.error;
  const markers = readMarkers(markerDir);
  const expected = new Map(apps.map((app) => [app.name, markers.get(app.name)?.pid]));
  const end = await confirmListed(manager, expected, Math.max(markersAt, command.at));
  await manager.deleteAll();
  return end - started;
}

/**
 * One shell backgrounding `count` programs, timed until every one has written its marker; with
 * `nodeFirst`, each is preceded by a `node -e 0` the shell waits for (what a CLI that is a Node
 * process costs each start at the least).
 */
export async function shellFloor(ctx, count, prefix = 'start', { nodeFirst = false } = {}) {
  const markerDir = freshDir(ctx, `${prefix}-floor${nodeFirst ? '-node' : ''}`);
  const node = quote(process.execPath);
  const first = nodeFirst ? `${node} -e 0\n` : '';
  const script = Array.from(
    { length: count },
    (_, i) =>
      `${first}READY_NAME=${prefix}-${i} ${node} ${quote(FIXTURES.readyMarker)} >/dev/null 2>&1 &\necho $!`,
  ).join('\n');
  const started = performance.now();
  const shell = spawnFloor(ctx, '/bin/sh', ['-c', script], {
    env: { READY_DIR: markerDir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let echoed = '';
  shell.stdout.on('data', (chunk) => {
    echoed += chunk;
  });
  const closed = new Promise((resolve) => shell.on('close', resolve));
  try {
    await waitFor(() => countMarkers(markerDir) >= count, {
      timeoutMs: 120_000,
      intervalMs: 5,
      what: `${count} floor markers`,
    });
    return performance.now() - started;
  } finally {
    await settleWithin(closed, 10_000);
    const pids = [
      ...echoed.split('\n').filter(Boolean).map(Number),
      ...[...readMarkers(markerDir).values()].map((m) => m.pid),
    ];
    for (const pid of pids) floorPids.add(pid);
    await stopPids(pids);
    for (const pid of pids) floorPids.delete(pid);
  }
}

function quote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
