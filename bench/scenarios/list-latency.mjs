// Scenario 1: wall time of the list command with 10 apps running, interleaved with the `node -e 0` floor.
import { runChecked } from '../lib/exec.mjs';
import { makeRow } from '../lib/report.mjs';
import { appList, FIXTURES, forEachManager, freshDir } from '../lib/scenario-kit.mjs';
import { rotate } from '../lib/stats.mjs';

const APPS = 10;

/** `velos list --json` vs `pm2 jlist` vs `node -e 0`, at least 20 interleaved runs of each. */
export const listLatency = {
  name: 'list',
  title: `CLI list latency with ${APPS} apps running`,
  async run(ctx) {
    const iterations = ctx.quick ? 10 : Math.max(20, ctx.runs * 6);
    const errors = {};
    const samples = { floor: [] };
    const ready = [];
    const apps = appList(ctx, { prefix: 'list', count: APPS, script: FIXTURES.silent });
    try {
      await forEachManager(ctx, 0, errors, async (manager) => {
        await manager.ensureDaemon();
        await manager.deleteAll();
        await manager.startConfig(manager.writeConfig(freshDir(ctx, `list-${manager.name}`), apps));
        await manager.waitOnline(apps.map((app) => app.name));
        ready.push(manager);
        samples[manager.name] = [];
      });
      const commands = [
        { key: 'floor', argv: [process.execPath, ['-e', '0']], env: process.env },
        ...ready.map((m) => ({ key: m.name, argv: m.command(m.listArgs), env: m.env, manager: m })),
      ];
      for (const command of commands) await runChecked(...command.argv, { env: command.env });
      for (let i = 0; i < iterations; i += 1) {
        for (const command of rotate(commands, i)) {
          const result = await runChecked(...command.argv, { env: command.env });
          if (command.manager) {
            const rows = command.manager.parseList(result.stdout);
            if (rows.length !== APPS) throw new Error(`${command.manager.label} listed ${rows.length} apps`);
          }
          samples[command.key].push(result.ms);
        }
      }
    } finally {
      for (const manager of ready) await manager.deleteAll().catch(() => {});
    }
    return {
      rows: [
        makeRow({
          metric: `list wall time, ${APPS} apps, median of ${iterations}`,
          unit: 'ms',
          samples,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.5, text: '<= 1.5x floor' },
        }),
      ],
      errors,
      notes: [
        `floor: node -e 0; Velos: velos list --json; PM2: pm2 jlist; ${iterations} interleaved runs each`,
      ],
    };
  },
};
