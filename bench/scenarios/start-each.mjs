// Issue 17: 50 apps started by one `start <script>` call each, run one after another by a shell loop.
import { makeRow } from '../lib/report.mjs';
import {
  appEnv,
  confirmListed,
  countMarkers,
  FIXTURES,
  forEachManager,
  freshDir,
  readMarkers,
  spawnFloor,
  trackCommand,
} from '../lib/scenario-kit.mjs';
import { waitFor } from '../lib/wait.mjs';
import { shellFloor } from './start-many.mjs';

/**
 * A user's script: `for i in …; do READY_NAME=each-$i <manager> start ready-marker.cjs --name each-$i; done`,
 * from spawning the shell until it has exited and every app's code wrote its ready marker (and the list
 * shows each one online with that PID); floor: the same programs backgrounded by one `sh -c`; a second
 * row puts each manager against the same shell running `node -e 0` before each program.
 */
export const startEach = {
  name: 'start-each',
  title: 'Start 50 apps with one `start <script>` call each (a shell loop)',
  async run(ctx) {
    const count = ctx.quick ? 20 : 50;
    const errors = {};
    const samples = { floor: [], velos: [], pm2: [] };
    const nodeFirst = [];
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      samples.floor.push(await shellFloor(ctx, count, 'each'));
      nodeFirst.push(await shellFloor(ctx, count, 'each', { nodeFirst: true }));
      await forEachManager(ctx, run, errors, async (manager) => {
        samples[manager.name].push(await startEachWithManager(ctx, manager, count));
      });
    }
    return {
      rows: [
        makeRow({
          metric: `${count} start calls in a shell loop until all online and their code ran`,
          unit: 'ms',
          samples,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 2, text: '<= 2x floor' },
        }),
        makeRow({
          metric: `${count} start calls, floor: \`node -e 0\` before each program`,
          unit: 'ms',
          samples: { ...samples, floor: nodeFirst },
          base: 'floor',
        }),
      ],
      errors,
      notes: [
        `floor: one sh -c running \`node ready-marker.cjs &\` x${count} until all ${count} markers exist`,
        `second floor: the same with \`node -e 0\` run (and waited for) before each program: the least a manager whose CLI is a Node process can take`,
        `managers: one sh -c running \`<manager> start ready-marker.cjs --name each-<i>\` x${count} in sequence, until it has exited and all markers exist, then until the list shows each app online with the marker PID`,
      ],
    };
  },
};

async function startEachWithManager(ctx, manager, count) {
  const markerDir = freshDir(ctx, `each-${manager.name}`);
  await manager.ensureDaemon();
  await manager.deleteAll();
  const [file, args] = manager.command(['start', FIXTURES.readyMarker]);
  const command = [file, ...args].map(quote).join(' ');
  const script = Array.from(
    { length: count },
    (_, i) => `READY_NAME=each-${i} ${command} --name each-${i} >/dev/null || exit 1`,
  ).join('\n');
  const started = performance.now();
  const shell = spawnFloor(ctx, '/bin/sh', ['-c', script], {
    env: { ...manager.env, ...appEnv(ctx, { READY_DIR: markerDir }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  shell.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const command$ = trackCommand(
    new Promise((resolve, reject) =>
      shell.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`start loop exited ${code}: ${stderr.trim().slice(-300)}`)),
      ),
    ),
  );
  await waitFor(
    () => {
      if (command$.error) throw command$.error;
      return command$.at !== null && countMarkers(markerDir) >= count;
    },
    { timeoutMs: 300_000, intervalMs: 5, what: `${count} ready markers and the loop's exit` },
  );
  const markersAt = performance.now();
  const markers = readMarkers(markerDir);
  const expected = new Map(
    Array.from({ length: count }, (_, i) => [`each-${i}`, markers.get(`each-${i}`)?.pid]),
  );
  const end = await confirmListed(manager, expected, markersAt);
  await manager.deleteAll();
  return end - started;
}

function quote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
