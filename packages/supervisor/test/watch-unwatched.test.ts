import fs, { mkdirSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { createAppWatcher } from '../src/watch/app-watcher.js';
import { appSpec, FIXTURES, Harness, waitFor } from './helpers.js';

const harness = new Harness();
const realWatch = fs.watch;
/** Paths whose fs.watch throws ENOSPC, as Linux does once fs.inotify.max_user_watches is reached. */
const full = new Set<string>();

// the seam: fs.watch of this worker, which chokidar and the root guard call (a full inotify table
// cannot be had without root, and would take every other watcher of the machine down with it)
fs.watch = ((path: fs.PathLike, ...rest: unknown[]) => {
  if (full.has(String(path))) {
    const error = new Error(`ENOSPC: System limit for number of file watchers reached, watch '${path}'`);
    throw Object.assign(error, { code: 'ENOSPC', errno: -28, syscall: 'watch', path: String(path) });
  }
  return (realWatch as (...args: unknown[]) => fs.FSWatcher)(path, ...rest);
}) as typeof fs.watch;
syncBuiltinESMExports();

afterEach(async () => {
  full.clear();
  await harness.cleanup();
});

describe('watch mode when a watched path cannot be watched (ENOSPC)', () => {
  it('says so in list, describe and an event, not "watching"', async () => {
    const home = harness.home();
    const project = join(home, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'main.js'), '// v1\n');
    full.add(project);
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await supervisor.start([
      appSpec(home, { name: 'web', script: join(FIXTURES, 'silent.js'), cwd: project, watch: [project] }),
    ]);
    const row = await waitFor(async () => (await supervisor.list()).find((p) => p.watchError !== undefined), {
      what: 'the watch failure to be listed',
    });
    expect(row.watchError).toMatch(
      new RegExp(`^not watched: ${project}: ENOSPC: .*raise fs\\.inotify\\.max_user_watches\\)$`),
    );
    const [detail] = await supervisor.describe('web');
    expect(detail?.watchError).toBe(row.watchError);
    const { events } = await supervisor.events({ kinds: ['process.watch_failed'] });
    expect(events).toEqual([
      expect.objectContaining({
        app: 'web',
        severity: 'warning',
        fields: { path: project, code: 'ENOSPC', paths: 1 },
      }),
    ]);
    expect(lines).toContain(`web: watch: ${row.watchError}`);
    expect(lines).toContain(`web: watching ${project} (${row.watchError})`);
    // a stop closes the watcher: nothing is claimed of it then
    await supervisor.stop('web');
    expect((await supervisor.list())[0]?.watchError).toBeUndefined();
  });

  it('tries again, and tells once the path is watched', async () => {
    const home = harness.home();
    const src = join(home, 'src');
    mkdirSync(src);
    full.add(src);
    const told: string[][] = [];
    const batches: string[][] = [];
    const watcher = createAppWatcher(
      {
        paths: [src],
        ignore: [],
        cwd: home,
        ownLogFiles: [],
        velosDirs: [],
        delayMs: 50,
        unwatchedRetryMs: 100,
      },
      {
        onChanges: (paths) => batches.push(paths),
        onReady: () => undefined,
        onError: () => undefined,
        onUnwatched: (unwatched) => told.push([...unwatched.keys()]),
      },
    );
    try {
      await waitFor(() => told.length === 1, { what: 'the path to be told unwatched' });
      expect(told).toEqual([[src]]);
      full.clear();
      await waitFor(() => told.length === 2, { what: 'the path to be told watched' });
      expect(told[1]).toEqual([]);
      // a retry is no change of the app's files
      expect(batches).toEqual([]);
      writeFileSync(join(src, 'a.js'), '1\n');
      await waitFor(() => batches.length === 1, { what: 'a change of the path watched again' });
    } finally {
      await watcher.close();
    }
  });
});
