import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  busEvents,
  cleanupHomes,
  createHome,
  FIXTURES,
  type ListRow,
  listState,
  readPidFile,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

const SILENT = join(FIXTURES, 'silent.js');

/** Writes (or rewrites) `two.toml` in the home's project directory with these apps and returns its path. */
function writeApps(home: string, apps: Record<string, string>): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'two.toml');
  const text = Object.entries(apps)
    .map(([name, extra]) => `[[apps]]\nname = "${name}"\nscript = "${SILENT}"\n${extra}\n`)
    .join('\n');
  writeFileSync(path, text);
  return path;
}

/** Pids of the online processes by name, once exactly the named apps are online. */
async function onlinePids(home: string, names: string[]): Promise<Record<string, number>> {
  return waitFor(
    async () => {
      const rows = await listState(home);
      const byName = new Map(rows.map((row: ListRow) => [row.name, row]));
      if (rows.length !== names.length || !names.every((name) => byName.get(name)?.status === 'online'))
        return undefined;
      return Object.fromEntries(names.map((name) => [name, byName.get(name)!.pid!]));
    },
    { message: `${names.join(', ')} online, and only them` },
  );
}

describe('velos start <file> --only stays with the link (CFG-2)', () => {
  it('reloads of the unchanged or edited file leave the apps --only left out alone, across a daemon restart too', async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), '[reload]\ngrace = "300ms"\n');
    const file = writeApps(home, { one: '', two: '' });
    await velosOk(['start', file, '--only', 'one'], { home });
    const before = await onlinePids(home, ['one']);

    const text = await velosOk(['config', 'reload'], { home });
    expect(text.stdout).toContain(`${file}: no change; 1 unchanged; left out (not in --only): two`);
    expect(await onlinePids(home, ['one'])).toEqual(before);

    const shown = await velosOk(['config', 'show', 'one'], { home });
    expect(shown.stdout).toContain('# --only one: reloads of the file take these apps only');

    // an edit of a left-out app, and a new app: neither is started; a change of the selected one applies
    writeApps(home, { one: 'kill_timeout = "7s"', two: 'kill_timeout = "2s"', three: '' });
    const edited = JSON.parse((await velosOk(['config', 'reload', file, '--json'], { home })).stdout);
    expect(edited.files[0]).toMatchObject({ added: [], updated: ['one'], leftOut: ['two', 'three'] });
    expect(await onlinePids(home, ['one'])).toEqual(before);

    // the selection is kept in state.json with the link
    await velosOk(['kill'], { home });
    await velosOk(['ping'], { home });
    const restored = await onlinePids(home, ['one']);
    const appliedOf = async (): Promise<VelosEvent[]> =>
      (await busEvents(home, ['config.applied'])).filter((event) => event.fields?.file === file);
    const seen = (await appliedOf()).length;
    process.kill(readPidFile(home)!, 'SIGHUP');
    const applied = await waitFor(async () => (await appliedOf())[seen], {
      message: 'config.applied of two.toml after SIGHUP',
    });
    expect(applied.fields).toMatchObject({ added: 0, removed: 0 });
    expect(await onlinePids(home, ['one'])).toEqual(restored);
  });

  it('a watched file: a save reloads the selected apps only; a second --only start widens the selection', async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), '[reload]\ngrace = "300ms"\n');
    const file = writeApps(home, { one: '', two: '' });
    await velosOk(['start', file, '--only', 'one', '--watch-config'], { home });
    const before = await onlinePids(home, ['one']);

    writeApps(home, { one: 'kill_timeout = "7s"', two: 'kill_timeout = "7s"' });
    const applied = await waitFor(
      async () =>
        (await busEvents(home, ['config.applied'])).find((event) => event.fields?.updatedNames === 'one'),
      { message: 'config.applied of the watched save, one updated in place' },
    );
    expect(applied.fields).toMatchObject({ added: 0, addedNames: '' });
    expect(await onlinePids(home, ['one'])).toEqual(before);

    await velosOk(['start', file, '--only', 'two'], { home });
    const both = await onlinePids(home, ['one', 'two']);
    const reload = JSON.parse((await velosOk(['config', 'reload', file, '--json'], { home })).stdout);
    expect(reload.files[0]).toMatchObject({ added: [], changed: [], unchanged: ['one', 'two'] });
    expect(reload.files[0].leftOut).toBeUndefined();
    expect(await onlinePids(home, ['one', 'two'])).toEqual(both);
  });
});
