import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppWatcher, createAppWatcher, MAX_GATHER_DELAYS } from '../src/watch/app-watcher.js';
import { waitFor } from './helpers.js';

function fsWatchHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
}

/** The fs.watch handles open before any watcher: every test must come back to it (a closed handle goes a tick later). */
const BASELINE = fsWatchHandles();
const dirs: string[] = [];
const watchers: AppWatcher[] = [];

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
  await waitFor(() => fsWatchHandles() === BASELINE, { what: 'every fs.watch handle to be released' });
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A watcher of `<tmp>/src` (and `extra` roots) that records every batch of changes. */
async function watchSrc(
  options: {
    extra?: string[];
    ignore?: string[];
    createSrc?: boolean;
    prepare?: (src: string) => void;
    delayMs?: number;
  } = {},
) {
  const base = mkdtempSync(join(tmpdir(), 'velos-app-watcher-'));
  dirs.push(base);
  const src = join(base, 'src');
  if (options.createSrc !== false) {
    mkdirSync(src);
    writeFileSync(join(src, 'a.js'), '1\n');
  }
  options.prepare?.(src);
  const batches: string[][] = [];
  const errors: Error[] = [];
  let isReady = false;
  const watcher = createAppWatcher(
    {
      paths: [src, ...(options.extra ?? []).map((path) => join(base, path))],
      ignore: options.ignore ?? [],
      cwd: base,
      ownLogFiles: [],
      velosDirs: [],
      delayMs: options.delayMs ?? 50,
    },
    {
      onChanges: (paths) => batches.push(paths),
      onReady: () => {
        isReady = true;
      },
      onError: (error) => errors.push(error),
    },
  );
  watchers.push(watcher);
  await waitFor(() => isReady, { what: 'the watcher to be ready' });
  /** Waits for a batch holding `path` after the first `from` batches. */
  const batchWith = (path: string, from: number) =>
    waitFor(() => batches.slice(from).some((batch) => batch.includes(path)), { what: `a change of ${path}` });
  /**
   * Writes `path` (after `before`, when given) at each poll until a batch after the first `from` holds it:
   * a root's return is reported before its new watch is ready, and a file written in between is part of
   * that watch's first scan, not a change (a loaded CI machine once wrote b.js there and waited for ever).
   */
  const writeUntilSeen = (path: string, from: number, before?: string) =>
    waitFor(
      () => {
        if (before !== undefined) writeFileSync(before, 'x\n');
        writeFileSync(path, `${Date.now()}\n`);
        return batches.slice(from).some((batch) => batch.includes(path));
      },
      { what: `a change of ${path}` },
    );
  return { base, src, batches, errors, watcher, batchWith, writeUntilSeen };
}

/** Writes `count` files in `dir`, one each `everyMs` (a slow writer: a checkout, a build); their paths. */
async function writeSlowly(dir: string, count: number, everyMs: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    const path = join(dir, `slow-${i}.js`);
    writeFileSync(path, `${i}\n`);
    paths.push(path);
  }
  return paths;
}

describe('app watcher: gathering changes', () => {
  it('reports changes that keep coming within the delay as one batch, however long they last', async () => {
    const delayMs = 300;
    const { src, batches, batchWith } = await watchSrc({ delayMs });
    // about 2.5 delays of writes: a window from the first change cut it into three batches
    const paths = await writeSlowly(src, 13, 60);
    await batchWith(paths.at(-1)!, 0);
    expect(batches).toHaveLength(1);
    expect(new Set(batches[0])).toEqual(new Set(paths));
  });

  it('ends a batch MAX_GATHER_DELAYS delays after its first change while changes go on', async () => {
    const delayMs = 30;
    const { src, batches, batchWith } = await watchSrc({ delayMs });
    // writes with no pause for about three times the longest batch
    const paths = await writeSlowly(src, Math.ceil((3 * MAX_GATHER_DELAYS * delayMs) / 10), 10);
    await batchWith(paths.at(-1)!, 0);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(new Set(batches.flat())).toEqual(new Set(paths));
  });
});

describe('app watcher: a watched directory removed and made again', () => {
  it('watches it again after it was removed, then made again later (rm -rf, then a build)', async () => {
    const { src, batches, errors, batchWith, writeUntilSeen } = await watchSrc();
    rmSync(src, { recursive: true });
    await batchWith(src, 0);
    let seen = batches.length;
    mkdirSync(src);
    writeFileSync(join(src, 'a.js'), '3\n');
    await batchWith(src, seen);
    // the defect: from here on nothing under src was ever reported again
    seen = batches.length;
    await writeUntilSeen(join(src, 'b.js'), seen);
    expect(errors).toEqual([]);
  });

  it('watches it again when it is removed and made again at once (rm -rf src && mkdir src)', async () => {
    const { src, batches, batchWith, writeUntilSeen } = await watchSrc();
    rmSync(src, { recursive: true });
    mkdirSync(src);
    writeFileSync(join(src, 'a.js'), '3\n');
    await batchWith(src, 0);
    await writeUntilSeen(join(src, 'b.js'), batches.length);
  });

  it('survives repeated removals, and a watched path missing at start is watched once made', async () => {
    const { base, src, batches, batchWith, writeUntilSeen } = await watchSrc({ extra: ['later'] });
    for (let round = 0; round < 3; round++) {
      const seen = batches.length;
      rmSync(src, { recursive: true });
      mkdirSync(src);
      await batchWith(src, seen);
    }
    await writeUntilSeen(join(src, 'z.js'), batches.length);
    const later = join(base, 'later');
    const seen = batches.length;
    mkdirSync(later);
    await batchWith(later, seen);
    await writeUntilSeen(join(later, 'm.js'), batches.length);
  });

  it('keeps its ignore globs after watching again', async () => {
    const { src, batches, batchWith, writeUntilSeen } = await watchSrc({ ignore: ['*.tmp'] });
    rmSync(src, { recursive: true });
    mkdirSync(src);
    await batchWith(src, 0);
    // positive control: a file that counts, written after the ignored one (both again until it is seen)
    await writeUntilSeen(join(src, 'b.js'), batches.length, join(src, 'scratch.tmp'));
    expect(batches.flat()).not.toContain(join(src, 'scratch.tmp'));
  });

  it('releases every handle on close, also while a watched path is missing', async () => {
    const { src, watcher, batchWith } = await watchSrc();
    expect(fsWatchHandles()).toBeGreaterThan(BASELINE);
    rmSync(src, { recursive: true });
    await batchWith(src, 0);
    // while src is missing, its parent is watched for it
    await waitFor(() => fsWatchHandles() > BASELINE, { what: 'the parent to be watched' });
    await watcher.close();
    await waitFor(() => fsWatchHandles() === BASELINE, { what: 'the handles to be released' });
  });
});

describe('app watcher: globs (PM2 watch: ["src/**/*.js"])', () => {
  it('watches a glob in its base directory and reports only the paths it matches', async () => {
    const base = mkdtempSync(join(tmpdir(), 'velos-app-watcher-'));
    dirs.push(base);
    mkdirSync(join(base, 'src'));
    const batches: string[][] = [];
    let isReady = false;
    const watcher = createAppWatcher(
      {
        paths: [join(base, 'src/**/*.js')],
        ignore: [],
        cwd: base,
        ownLogFiles: [],
        velosDirs: [],
        delayMs: 50,
      },
      {
        onChanges: (paths) => batches.push(paths),
        onReady: () => {
          isReady = true;
        },
        onError: (error) => {
          throw error;
        },
      },
    );
    watchers.push(watcher);
    await waitFor(() => isReady, { what: 'the watcher to be ready' });
    // the defect: the glob was taken for a missing path, nothing was watched
    await waitFor(
      () => {
        writeFileSync(join(base, 'src', 'notes.md'), `${Date.now()}\n`);
        writeFileSync(join(base, 'src', 'a.js'), `${Date.now()}\n`);
        return batches.some((batch) => batch.includes(join(base, 'src', 'a.js')));
      },
      { what: 'a change of src/a.js' },
    );
    expect(batches.flat()).not.toContain(join(base, 'src', 'notes.md'));
  });
});

describe('app watcher: symbolic links', () => {
  it('watches a linked path anew when the link is pointed elsewhere (a deploy: current -> releases/2)', async () => {
    const { base, batches, batchWith, writeUntilSeen } = await watchSrc({
      extra: ['current'],
      prepare: (src) => {
        const releases = join(src, '..', 'releases');
        for (const release of ['1', '2']) mkdirSync(join(releases, release), { recursive: true });
        symlinkSync(join(releases, '1'), join(src, '..', 'current'));
      },
    });
    const current = join(base, 'current');
    // as `ln -sfn releases/2 current` does it: a new link renamed over the old one
    symlinkSync(join(base, 'releases', '2'), join(base, 'current.new'));
    renameSync(join(base, 'current.new'), current);
    // the defect: neither the switch nor any edit of the new release was ever reported
    await batchWith(current, 0);
    await writeUntilSeen(join(current, 'app.js'), batches.length);
  });

  it('watches anew when a link below a watched path is pointed elsewhere (src/shared -> v2)', async () => {
    const { base, src, batches, batchWith } = await watchSrc({
      prepare: (dir) => {
        for (const version of ['v1', 'v2']) mkdirSync(join(dir, '..', version));
        symlinkSync(join(dir, '..', 'v1'), join(dir, 'shared'));
      },
    });
    symlinkSync(join(base, 'v2'), join(src, 'shared.new'));
    renameSync(join(src, 'shared.new'), join(src, 'shared'));
    await batchWith(join(src, 'shared'), 0);
    // the defect: the old target's edits went on restarting the app, the new one's never did
    const seen = batches.length;
    await waitFor(
      () => {
        writeFileSync(join(base, 'v2', 'a.js'), `${Date.now()}\n`);
        return batches.slice(seen).some((batch) => batch.includes(join(src, 'shared', 'a.js')));
      },
      { what: "an edit of the new target's a.js" },
    );
  });

  it('does not follow links that lead back up (two of them made the daemon spin, never ready)', async () => {
    const { src, batches, errors, batchWith } = await watchSrc({
      prepare: (dir) => {
        mkdirSync(join(dir, 'sub'));
        mkdirSync(join(dir, '..', 'shared'));
        symlinkSync('.', join(dir, 'loop'));
        symlinkSync('../src', join(dir, 'loop2'));
        symlinkSync('../..', join(dir, 'sub', 'up'));
        symlinkSync('../shared', join(dir, 'shared'));
        symlinkSync('../src', join(dir, '..', 'shared', 'back'));
      },
    });
    writeFileSync(join(src, 'sub', 'b.js'), '2\n');
    await batchWith(join(src, 'sub', 'b.js'), 0);
    // a link to a directory that is not above it is still followed
    const seen = batches.length;
    writeFileSync(join(src, '..', 'shared', 'c.js'), '3\n');
    await batchWith(join(src, 'shared', 'c.js'), seen);
    expect(errors).toEqual([]);
  });
});
