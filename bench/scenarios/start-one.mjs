// Issue 17: wall time of one `velos start <script>` / `pm2 start <script>` call, interleaved with `node -e 0`.
import { runChecked } from '../lib/exec.mjs';
import { makeRow } from '../lib/report.mjs';
import { appEnv, FIXTURES, forEachManager } from '../lib/scenario-kit.mjs';
import { rotate } from '../lib/stats.mjs';

/**
 * `start <script> --name <n>` as a user types it (the daemon already runs, no app of that name), spawn
 * to exit, against `node -e 0`; the app is deleted after each call, untimed.
 */
export const startOne = {
  name: 'start-one',
  title: 'One `start <script>` call (one app)',
  async run(ctx) {
    const iterations = ctx.quick ? 6 : Math.max(10, ctx.runs * 3);
    const errors = {};
    const samples = { floor: [] };
    const ready = [];
    await forEachManager(ctx, 0, errors, async (manager) => {
      await manager.ensureDaemon();
      await manager.deleteAll();
      ready.push(manager);
      samples[manager.name] = [];
    });
    const env = (manager) => ({ ...manager.env, ...appEnv(ctx) });
    const floor = { key: 'floor', argv: [process.execPath, ['-e', '0']], env: process.env };
    // one warm-up of each (page cache, compile cache), not counted
    await runChecked(...floor.argv, { env: floor.env });
    for (const manager of ready) await startAndDelete(manager, 'start-one-warm', env(manager));
    for (let i = 0; i < iterations; i += 1) {
      for (const side of rotate(['floor', ...ready], i)) {
        try {
          if (side === 'floor') samples.floor.push((await runChecked(...floor.argv, { env: floor.env })).ms);
          else samples[side.name].push(await startAndDelete(side, `start-one-${i}`, env(side)));
        } catch (error) {
          if (side === 'floor') throw error;
          errors[side.name] ??= error.message;
        }
      }
    }
    return {
      rows: [
        makeRow({
          metric: `one start <script> call, wall time, median of ${iterations}`,
          unit: 'ms',
          samples,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.4, text: '<= 1.4x floor' },
        }),
      ],
      errors,
      notes: [
        'floor: node -e 0; managers: `start fixtures/silent.js --name <n>` with the daemon running, spawn to exit (the command prints its table)',
      ],
    };
  },
};

/** Times one start call; then deletes every app (untimed) so each call starts into the same state. */
async function startAndDelete(manager, name, env) {
  const [file, args] = manager.command(['start', FIXTURES.silent, '--name', name]);
  const result = await runChecked(file, args, { env });
  await manager.deleteAll();
  return result.ms;
}
