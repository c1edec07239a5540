import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { type LongTimer, setLongTimeout } from '../long-timer.js';
import { monotonicMs } from '../monotonic-ms.js';
import type { LinkGuard } from './link-guard.js';
import type { RootGuard } from './root-guard.js';
import type { WatchTargets } from './watch-targets.js';

/** What an app watcher watches and how; a change of any of these replaces the watcher. */
export interface WatchSettings {
  /**
   * Absolute paths (files or directories, watched recursively), or globs (`/srv/api/src/**\/*.js`):
   * a glob's base directory is watched and only the paths it matches are changes.
   */
  paths: readonly string[];
  /** Ignore globs (see `createIgnoreMatcher`). */
  ignore: readonly string[];
  /** Relative globs are resolved against this directory. */
  cwd: string;
  /** The app's own log files: never a change, nor is anything their rotation writes. */
  ownLogFiles: readonly string[];
  /** Directories never watched, with all below them: the Velos home. */
  velosDirs: readonly string[];
  /**
   * Changes are gathered until none has come for this long (at most `MAX_GATHER_DELAYS` times this
   * long from the first one), then `onChanges`.
   */
  delayMs: number;
  /** How long after a watched path could not be watched the watcher tries again (`UNWATCHED_RETRY_MS`). */
  unwatchedRetryMs?: number;
}

/**
 * A watched path whose own watch failed (ENOSPC: the inotify table is full) is tried again this
 * often, so that watch mode comes back by itself once the limit is raised or other watchers closed.
 */
export const UNWATCHED_RETRY_MS = 60_000;

/**
 * A batch of changes ends at the latest this many delays after its first change, though changes
 * still come: a tree written without a pause (a program logging into a watched directory) still
 * restarts its app, every 5 s at the default delay.
 */
export const MAX_GATHER_DELAYS = 10;

/** A running watcher of one app (SUP-7). */
export interface AppWatcher {
  /** True once the initial scan is done and changes are reported. */
  isReady(): boolean;
  /** Resolves once the watcher is ready, or closed, or its first set-up failed. */
  whenReady(): Promise<void>;
  /** Stops watching and releases every file handle; a pending batch of changes is dropped. */
  close(): Promise<void>;
}

/**
 * Watches an app's paths with chokidar (loaded on first use, no polling, initial files not
 * reported) and calls `onChanges` with the changed paths, oldest first, once they pause for the delay.
 * A watched path that is removed (or replaced: `rm -rf dist && build`, a `git checkout`) is watched
 * again: chokidar alone would go on watching the removed directory. Such a path counts as changed,
 * and while it is missing its parent directory is watched for it to come back (`watchForRoots`).
 */
export function createAppWatcher(
  settings: WatchSettings,
  handlers: {
    onChanges(paths: string[]): void;
    onReady(): void;
    onError(error: Error): void;
    /**
     * The watched paths that could not be watched at all (their own watch failed: ENOSPC when the
     * inotify table is full, EMFILE, EACCES), with the error; empty once they are. Called after each
     * (re)arming, and only when the set differs from the one told before.
     */
    onUnwatched?(unwatched: ReadonlyMap<string, Error>): void;
    /** True for a file Velos writes (another app's log, a pid file): never a change. Asked on each path. */
    isVelosFile?(path: string): boolean;
    /** True for a directory Velos makes for such a file: its creation is not a change (what it holds still is). */
    isVelosFileDir?(path: string): boolean;
  },
): AppWatcher {
  let watcher: FSWatcher | null = null;
  let guard: RootGuard | null = null;
  let links: LinkGuard | null = null;
  let isClosed = false;
  let isReady = false;
  let pending: string[] = [];
  let timer: LongTimer | null = null;
  /** When the pending batch's first and latest changes came (monotonic ms). */
  let firstAt = 0;
  let latestAt = 0;
  let modules: Modules | null = null;
  /** True while (re)arming; `isRearmWanted` asks it for one more round. */
  let isArming = false;
  let isRearmWanted = false;
  let arming: Promise<void> = Promise.resolve();
  let targets: WatchTargets | null = null;
  /** The roots whose own watch failed in the current arming, and the set last told to `onUnwatched`. */
  let unwatched = new Map<string, Error>();
  let toldUnwatched = '';
  let retry: LongTimer | null = null;
  let resolveReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  // a git checkout or a build reaches the watcher over more than one delay (chokidar reads each new
  // directory in turn): a window from the first change restarted the app on a half-written tree, then
  // again once or twice (3000 files of a checkout: 3 restarts)
  const flush = (): void => {
    const now = monotonicMs();
    const waitMs =
      Math.min(latestAt + settings.delayMs, firstAt + MAX_GATHER_DELAYS * settings.delayMs) - now;
    if (waitMs > 0) {
      timer = setLongTimeout(flush, waitMs);
      return;
    }
    timer = null;
    const paths = pending;
    pending = [];
    if (!isClosed && paths.length > 0) handlers.onChanges(paths);
  };

  const report = (path: string): void => {
    if (!isReady || isClosed) return;
    latestAt = monotonicMs();
    if (pending.length === 0) firstAt = latestAt;
    pending.push(path);
    timer ??= setLongTimeout(flush, settings.delayMs);
  };

  const fail = (error: unknown): void =>
    handlers.onError(error instanceof Error ? error : new Error(String(error)));

  /** A root went away, was replaced or came back: it is a change, and the watchers are made anew. */
  const rearm = (root: string): void => {
    report(root);
    isRearmWanted = true;
    if (!isArming && !isClosed) arming = armRounds().catch(fail);
  };

  const release = async (): Promise<void> => {
    guard?.close();
    guard = null;
    links?.close();
    links = null;
    const current = watcher;
    watcher = null;
    if (!current) return;
    // chokidar 4 re-opens a closed watcher from a removal it was still handling (its `_remove` calls
    // `add` on the parent of a vanished file, which resets `closed`): that watch would never be closed
    current.add = () => current;
    await current.close();
  };

  /** One chokidar watcher on the roots that exist and a guard on the parents of those that do not. */
  const arm = async ({
    watch,
    createIgnoreMatcher,
    watchForRoots,
    isSymlinkLoop,
    watchTargets,
    watchLinks,
  }: Modules): Promise<void> => {
    await release();
    if (isClosed) return;
    targets ??= watchTargets(settings.paths);
    const { roots, isWatched } = targets;
    const present = roots.filter((path) => existsSync(path));
    const missing = roots.filter((path) => !present.includes(path));
    unwatched = new Map();
    if (missing.length > 0) {
      guard = watchForRoots(missing, rearm, (root, error) => unwatched.set(root, error));
      // one that appeared before its guard listened
      if (missing.some((path) => existsSync(path))) isRearmWanted = true;
    }
    if (present.length === 0) return;
    // current -> releases/7 pointed at releases/8: the watch below would go on watching releases/7
    links = watchLinks(present, rearm);
    const directories = new Set(present.filter(isDirectory));
    /** The symbolic links met below the roots, with what each resolved to then. */
    const linkTargets = new Map<string, string | null>();
    const isIgnored = createIgnoreMatcher({
      globs: settings.ignore,
      cwd: settings.cwd,
      roots,
      ownLogFiles: settings.ownLogFiles,
      velosDirs: settings.velosDirs,
      isVelosFile: handlers.isVelosFile,
    });
    const current = watch(present, {
      ignoreInitial: true,
      usePolling: false,
      persistent: true,
      // a directory's entries come with lstat's stats: only a symbolic link costs a look at its target
      ignored: (path, stats) => {
        if (isIgnored(path)) return true;
        if (stats?.isSymbolicLink() !== true) return false;
        if (isSymlinkLoop(path, present)) return true;
        linkTargets.set(path, realPath(path));
        return false;
      },
    });
    watcher = current;
    current.on('all', (event, path) => {
      if (current !== watcher) return;
      if ((event === 'unlink' || event === 'unlinkDir') && present.includes(path)) rearm(path);
      else if (isWatched(path) && (event !== 'addDir' || !handlers.isVelosFileDir?.(path))) report(path);
    });
    // A root directory removed and made again at once is never reported as removed: its own watch
    // tells it ("rename" of its own name), then goes silent (it watched the removed directory).
    current.on('raw', (event, name, details) => {
      const root = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (current !== watcher || event !== 'rename' || root === undefined) return;
      // a link below a root pointed elsewhere (ln -sfn v2 shared): chokidar sees no change of it and
      // goes on watching the old target, whose edits restarted the app while the new one's did not
      const link = typeof name === 'string' ? join(root, name) : null;
      if (link !== null && linkTargets.has(link) && realPath(link) !== linkTargets.get(link)) {
        linkTargets.delete(link);
        rearm(link);
        return;
      }
      if (!directories.has(root)) return;
      if (name === basename(root) && !existsSync(join(root, name))) rearm(root);
    });
    current.on('error', (error: unknown) => {
      // a root's own watch that failed leaves nothing of it watched: chokidar goes on to 'ready' all the same
      const path = (error as NodeJS.ErrnoException | null)?.path;
      if (current === watcher && path !== undefined && present.includes(path) && error instanceof Error)
        unwatched.set(path, error);
      fail(error);
    });
    await new Promise<void>((resolve) => current.once('ready', resolve));
    // one removed while the first scan ran
    if (present.some((path) => !existsSync(path))) isRearmWanted = true;
  };

  /** Arms again (no change is reported) while a watched path could not be watched. */
  const scheduleRetry = (): void => {
    retry?.clear();
    retry = setLongTimeout(
      () => {
        retry = null;
        isRearmWanted = true;
        if (!isArming && !isClosed) arming = armRounds().catch(fail);
      },
      settings.unwatchedRetryMs ?? UNWATCHED_RETRY_MS,
      { unref: true },
    );
  };

  const armRounds = async (): Promise<void> => {
    isArming = true;
    try {
      modules ??= await loadModules();
      do {
        isRearmWanted = false;
        await arm(modules);
        // told before the first onReady, whose log line names what is watched
        const told = [...unwatched.keys()].join('\n');
        if (!isClosed && told !== toldUnwatched) {
          toldUnwatched = told;
          handlers.onUnwatched?.(unwatched);
        }
        if (!isReady && !isClosed) {
          isReady = true;
          handlers.onReady();
          resolveReady();
        }
        if (unwatched.size > 0 && !isClosed) scheduleRetry();
      } while (isRearmWanted && !isClosed);
    } finally {
      isArming = false;
    }
  };

  arming = armRounds().catch(fail);
  void arming.then(resolveReady);

  return {
    isReady: () => isReady && !isClosed,
    whenReady: () => ready,
    async close() {
      isClosed = true;
      resolveReady();
      timer?.clear();
      timer = null;
      retry?.clear();
      retry = null;
      pending = [];
      await arming;
      await release();
    },
  };
}

interface Modules {
  watch: typeof import('chokidar').watch;
  createIgnoreMatcher: typeof import('./ignore-matcher.js').createIgnoreMatcher;
  watchForRoots: typeof import('./root-guard.js').watchForRoots;
  isSymlinkLoop: typeof import('./symlink-loop.js').isSymlinkLoop;
  watchTargets: typeof import('./watch-targets.js').watchTargets;
  watchLinks: typeof import('./link-guard.js').watchLinks;
}

async function loadModules(): Promise<Modules> {
  const [
    { watch },
    { createIgnoreMatcher },
    { watchForRoots },
    { isSymlinkLoop },
    { watchTargets },
    { watchLinks },
  ] = await Promise.all([
    import('chokidar'),
    import('./ignore-matcher.js'),
    import('./root-guard.js'),
    import('./symlink-loop.js'),
    import('./watch-targets.js'),
    import('./link-guard.js'),
  ]);
  return { watch, createIgnoreMatcher, watchForRoots, isSymlinkLoop, watchTargets, watchLinks };
}

function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
