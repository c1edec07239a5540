import type { FSWatcher } from 'chokidar';
import { type LongTimer, setLongTimeout } from '../long-timer.js';

/** What an app watcher watches and how; a change of any of these replaces the watcher. */
export interface WatchSettings {
  /** Absolute paths (files or directories, watched recursively). */
  paths: readonly string[];
  /** Ignore globs (see `createIgnoreMatcher`). */
  ignore: readonly string[];
  /** Relative globs are resolved against this directory. */
  cwd: string;
  /** The app's own log files: never a change, nor is anything their rotation writes. */
  ownLogFiles: readonly string[];
  /** Changes are gathered for this long, from the first one, before `onChanges`. */
  delayMs: number;
}

/** A running watcher of one app (SUP-7). */
export interface AppWatcher {
  /** True once the initial scan is done and changes are reported. */
  isReady(): boolean;
  /** Stops watching and releases every file handle; a pending batch of changes is dropped. */
  close(): Promise<void>;
}

/**
 * Watches an app's paths with chokidar (loaded on first use, no polling, initial files not
 * reported) and calls `onChanges` once per debounce window with the changed paths, oldest first.
 */
export function createAppWatcher(
  settings: WatchSettings,
  handlers: {
    onChanges(paths: string[]): void;
    onReady(): void;
    onError(error: Error): void;
  },
): AppWatcher {
  let watcher: FSWatcher | null = null;
  let isClosed = false;
  let isReady = false;
  let pending: string[] = [];
  let timer: LongTimer | null = null;

  const flush = (): void => {
    timer = null;
    const paths = pending;
    pending = [];
    if (!isClosed && paths.length > 0) handlers.onChanges(paths);
  };

  const open = async (): Promise<void> => {
    const [{ watch }, { createIgnoreMatcher }] = await Promise.all([
      import('chokidar'),
      import('./ignore-matcher.js'),
    ]);
    if (isClosed) return;
    const isIgnored = createIgnoreMatcher({
      globs: settings.ignore,
      cwd: settings.cwd,
      roots: settings.paths,
      ownLogFiles: settings.ownLogFiles,
    });
    watcher = watch([...settings.paths], {
      ignoreInitial: true,
      usePolling: false,
      persistent: true,
      ignored: (path) => isIgnored(path),
    });
    watcher.on('all', (_event, path) => {
      if (!isReady || isClosed) return;
      pending.push(path);
      timer ??= setLongTimeout(flush, settings.delayMs);
    });
    watcher.on('ready', () => {
      if (isClosed) return;
      isReady = true;
      handlers.onReady();
    });
    watcher.on('error', (error) =>
      handlers.onError(error instanceof Error ? error : new Error(String(error))),
    );
  };

  const opening = open().catch((error: unknown) =>
    handlers.onError(error instanceof Error ? error : new Error(String(error))),
  );

  return {
    isReady: () => isReady && !isClosed,
    async close() {
      isClosed = true;
      timer?.clear();
      timer = null;
      pending = [];
      await opening;
      await watcher?.close();
      watcher = null;
    },
  };
}
