import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { busEvents, cleanupHomes, createHome, FIXTURES, listState, velosOk, waitFor } from './helpers.js';

afterEach(cleanupHomes);

const SILENT = join(FIXTURES, 'silent.js');

/** Writes (or rewrites) `s.toml` in the home's project directory with one app, `srv`, and returns its path. */
function writeSrv(home: string, instances: number, extra = '', script = SILENT): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 's.toml');
  writeFileSync(path, `[[apps]]\nname = "srv"\nscript = "${script}"\ninstances = ${instances}\n${extra}`);
  return path;
}

/** The pids of the online instances of `name`, by instance id, once it has exactly `count` of them. */
async function pidsOf(home: string, name: string, count: number): Promise<Map<number, number>> {
  return waitFor(
    async () => {
      const rows = (await listState(home)).filter((row) => row.name === name);
      if (rows.length !== count || !rows.every((row) => row.status === 'online' && row.pid)) return undefined;
      return new Map(rows.map((row) => [row.id, row.pid!]));
    },
    { message: `${count} online instances of ${name}` },
  );
}

async function reload(home: string, file: string): Promise<Record<string, unknown>> {
  const result = await velosOk(['config', 'reload', file, '--json'], { home });
  return JSON.parse(result.stdout).files[0];
}

/**
 * A home with a short reload grace whose `srv` (3 instances from the file) was started and then scaled
 * to 1 at run time; the file, and the pid of the instance that stayed.
 */
async function scaledToOne(
  home: string,
  extra = '',
  script = SILENT,
): Promise<{ file: string; one: Map<number, number> }> {
  writeFileSync(join(home, 'config.toml'), '[reload]\ngrace = "300ms"\n');
  const file = writeSrv(home, 3, extra, script);
  await velosOk(['start', file], { home });
  await pidsOf(home, 'srv', 3);
  await velosOk(['scale', 'srv', '1'], { home });
  return { file, one: await pidsOf(home, 'srv', 1) };
}

describe('velos scale of an app linked to a config file (CFG-2, SUP-5)', () => {
  it('a reload of the unchanged file keeps the scaled count and every pid; a new instances value in the file scales, survivors untouched', async () => {
    const home = createHome();
    const { file, one } = await scaledToOne(home);
    const text = await velosOk(['config', 'reload', file], { home });
    expect(text.stdout).toBe(`${file}: no change; 1 unchanged\n`);
    expect(await pidsOf(home, 'srv', 1)).toEqual(one);

    const shown = await velosOk(['config', 'show', 'srv'], { home });
    expect(shown.stdout).toContain('# instances = 1 set at run time by velos scale (the file gives 3)');
    expect(shown.stdout).toMatch(/^instances = 1$/m);

    await velosOk(['scale', 'srv', '2'], { home });
    const two = await pidsOf(home, 'srv', 2);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: [], unchanged: ['srv'] });
    expect(await pidsOf(home, 'srv', 2)).toEqual(two);

    // the file's own count changed: it applies, by adding instances beside the two that keep running
    writeSrv(home, 4);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: ['srv'], unchanged: [] });
    const four = await pidsOf(home, 'srv', 4);
    for (const [id, pid] of two) expect(four.get(id)).toBe(pid);
    const shownAfter = await velosOk(['config', 'show', 'srv'], { home });
    expect(shownAfter.stdout).not.toContain('set at run time');
    const applied = (await busEvents(home, ['config.applied'])).at(-1)!;
    expect(applied.fields).toMatchObject({ changed: 0, scaled: 1, scaledNames: 'srv' });

    // fewer in the file: the highest instances go, the others keep their pids
    writeSrv(home, 2);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: ['srv'] });
    const down = await pidsOf(home, 'srv', 2);
    for (const [id, pid] of down) expect(four.get(id)).toBe(pid);
  });

  it('an edit of another key with the scaled count kept: no restart for the count, the policy key in place', async () => {
    const home = createHome();
    const file = writeSrv(home, 3);
    await velosOk(['start', file, '--watch-config'], { home });
    await pidsOf(home, 'srv', 3);
    await velosOk(['scale', 'srv', '-1'], { home });
    const scaled = await pidsOf(home, 'srv', 2);

    // a watched save: the daemon reloads by itself
    writeSrv(home, 3, 'kill_timeout = "7s"\n');
    const applied = await waitFor(
      async () =>
        (await busEvents(home, ['config.applied'])).find((event) => event.fields?.updatedNames === 'srv'),
      { message: 'config.applied with srv updated in place' },
    );
    expect(applied.fields).toMatchObject({ changed: 0, scaled: 0 });
    expect(await pidsOf(home, 'srv', 2)).toEqual(scaled);
    const spec = JSON.parse((await velosOk(['config', 'show', 'srv', '--json'], { home })).stdout);
    expect(spec).toMatchObject({ instances: 2, killTimeoutMs: 7000 });
  });

  it('keeps the run-time count over a daemon restart (state.json), a startOrRestart and a startOrReload of the file', async () => {
    const home = createHome();
    const { file } = await scaledToOne(home);
    await velosOk(['kill'], { home });
    await velosOk(['ping'], { home });
    const restored = await pidsOf(home, 'srv', 1);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: [], unchanged: ['srv'] });
    expect(await pidsOf(home, 'srv', 1)).toEqual(restored);
    // the file's spec again, its unchanged instances aside (startOrRestart gave the file's 3 again,
    // while startOrReload kept 1; PM2 takes a file's instances in neither)
    await velosOk(['startOrRestart', file], { home });
    const restarted = await pidsOf(home, 'srv', 1);
    expect([...restarted.values()]).not.toEqual([...restored.values()]);
    await velosOk(['startOrReload', file], { home });
    await pidsOf(home, 'srv', 1);
    const shown = await velosOk(['config', 'show', 'srv'], { home });
    expect(shown.stdout).toContain('# instances = 1 set at run time by velos scale (the file gives 3)');
  });

  it('a cluster app (a shared port): the reload of the unchanged file keeps its scaled workers; a new count in the file adds workers beside them', async () => {
    const home = createHome();
    const cluster = `exec_mode = "cluster"\nenv = { PORT = "${await freePort()}" }\n`;
    const server = join(FIXTURES, 'cluster-server.js');
    const { file, one } = await scaledToOne(home, cluster, server);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: [], unchanged: ['srv'] });
    expect(await pidsOf(home, 'srv', 1)).toEqual(one);

    writeSrv(home, 2, cluster, server);
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: ['srv'] });
    const two = await pidsOf(home, 'srv', 2);
    for (const [id, pid] of one) expect(two.get(id)).toBe(pid);
  });

  it('config set instances after a run-time scale: a scale too (same pids), then the app own count over the file', async () => {
    const home = createHome();
    const { file, one } = await scaledToOne(home);

    await velosOk(['config', 'set', 'srv', 'instances=2'], { home });
    const two = await pidsOf(home, 'srv', 2);
    for (const [id, pid] of one) expect(two.get(id)).toBe(pid);
    const shown = await velosOk(['config', 'show', 'srv'], { home });
    expect(shown.stdout).toContain('# set at run time over the file: instances');
    expect(shown.stdout).not.toContain('by velos scale');
    expect(await reload(home, file)).toMatchObject({ changed: [], scaled: [], unchanged: ['srv'] });
    expect(await pidsOf(home, 'srv', 2)).toEqual(two);
  });
});
