import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  FIXTURES,
  onlineRows,
  rowsNamed,
  sharedHome,
  velosOk,
} from './helpers.js';

afterEach(cleanupHomes);

/** The restart counts (`restart_time` of `jlist`) of every process, by id. */
async function counts(home: string, names: string[]): Promise<number[]> {
  const rows = (await Promise.all(names.map((name) => rowsNamed(home, name)))).flat();
  return rows.sort((a, b) => a.id - b.id).map((row) => row.restarts);
}

// What PM2 7.0.4 counted in `restart_time`, read off a real run: a restart of a running process, fork
// or cluster, by name or through its process file; never a start (or restart) of a stopped one.
// One daemon for both tests: each counts only its own apps (by name), and deletes them at its end.
describe('PM2 restart_time', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('does not count the start again of a stopped process, by start or restart', async () => {
    const home = shared();
    const cwd = FIXTURES;
    await velosOk(['start', 'silent.js', '--name', 'a'], { home, cwd });
    await onlineRows(home, 'a', 1);
    await velosOk(['stop', 'a'], { home });
    await velosOk(['start', 'a'], { home });
    await onlineRows(home, 'a', 1);
    expect(await counts(home, ['a'])).toEqual([0]);

    await velosOk(['restart', 'a'], { home });
    expect(await counts(home, ['a'])).toEqual([1]);
    await velosOk(['stop', 'a'], { home });
    await velosOk(['restart', 'a'], { home });
    await onlineRows(home, 'a', 1);
    expect(await counts(home, ['a'])).toEqual([1]);
    await deleteApps(home, ['a']);
  });

  it('counts a restart through a process file for fork and cluster apps alike, once', async () => {
    const home = shared();
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [
  { name: 'f', script: ${JSON.stringify(join(FIXTURES, 'silent.js'))} },
  { name: 'k', script: ${JSON.stringify(join(FIXTURES, 'cluster-server.js'))}, exec_mode: 'cluster', instances: 2 },
] };\n`,
    );
    const names = ['f', 'k'];
    await velosOk(['start', file], { home });
    await onlineRows(home, 'k', 2);
    await velosOk(['restart', file], { home });
    await onlineRows(home, 'k', 2);
    expect(await counts(home, names)).toEqual([1, 1, 1]);
    // `start` of the file while its apps run restarts them too
    await velosOk(['start', file], { home });
    await onlineRows(home, 'k', 2);
    await onlineRows(home, 'f', 1);
    expect(await counts(home, names)).toEqual([2, 2, 2]);
    // stopped first: the file's restart starts them again, uncounted
    await velosOk(['stop', file], { home });
    await velosOk(['restart', file], { home });
    await onlineRows(home, 'k', 2);
    await onlineRows(home, 'f', 1);
    expect(await counts(home, names)).toEqual([2, 2, 2]);
    await deleteApps(home, names);
  });
});
