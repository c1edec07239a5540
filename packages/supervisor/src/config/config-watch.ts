import { type FSWatcher, lstatSync, readFileSync, realpathSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** CFG-2: changes of a watched config file are gathered this long before one reload. */
export const CONFIG_WATCH_DEBOUNCE_MS = 500;

/** The watchers of the config files apps were started from with `--watch-config`. */
export interface ConfigWatches {
  /** Watches exactly `files` from now on: new ones start, others are closed. */
  sync(files: ReadonlySet<string>): void;
  /** Closes every watcher and pending timer. */
  close(): void;
}

/** A directory watched for changes of one of its entries. */
export interface WatchPoint {
  dir: string;
  name: string;
}

/**
 * Watches each file through its directory (`fs.watch`, no polling), so that editors that write a
 * new file and rename it over the old one are seen too, a symlink's target through its own directory,
 * and a symbolic link on the way (`/srv/app/current -> releases/7`) through the directory that holds
 * it; calls `onChange(file)` once per debounce window, and only when the file's content differs from
 * what was seen last. Each window watches the file anew: a directory removed and made again (`rm -rf
 * conf`, a checkout, a deploy) or a link pointed elsewhere is watched as it is now, and a missing
 * directory is waited for in the nearest one that exists.
 */
export function createConfigWatches(options: {
  onChange: (file: string) => void;
  log: (line: string) => void;
  debounceMs?: number;
}): ConfigWatches {
  const debounceMs = options.debounceMs ?? CONFIG_WATCH_DEBOUNCE_MS;
  const watches = new Map<string, WatchEntry>();

  const schedule = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(fire, debounceMs, file);
  };

  const fire = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    entry.timer = null;
    // watched anew before the file is read: what changes from here on is seen
    rearm(file, entry);
    const text = readText(file);
    // a rename in progress (no file yet) or a save that changed nothing: no reload
    if (text === null || text === entry.text) return;
    entry.text = text;
    options.onChange(file);
  };

  /** Watches `point.dir` for changes of its entry `point.name` (and of the directory itself). */
  const watchPoint = (file: string, point: WatchPoint): WatchedPoint | null => {
    try {
      const handle = watch(point.dir, { persistent: false }, (_event, changed) => {
        const name = changed?.toString() ?? null;
        // its own name: the directory itself was removed or renamed (inotify's IN_DELETE_SELF)
        if (name === null || name === point.name || name === basename(point.dir)) schedule(file);
      });
      handle.on('error', (error) => {
        options.log(`config watch of ${file}: ${error.message}`);
        schedule(file);
      });
      return { ...point, handle };
    } catch (error) {
      options.log(`cannot watch ${point.dir} for ${file}: ${messageOf(error)}`);
      return null;
    }
  };

  /**
   * Watches `file`'s points anew: a path may now be another directory (removed and made again, which
   * may even reuse the inode number; a link pointed elsewhere), whose old watch sees nothing more.
   */
  const rearm = (file: string, entry: WatchEntry): void => {
    for (const point of entry.points) point.handle.close();
    entry.points = watchPoints(file).flatMap((point) => watchPoint(file, point) ?? []);
  };

  const start = (file: string): void => {
    const entry: WatchEntry = { points: [], timer: null, text: null };
    watches.set(file, entry);
    rearm(file, entry);
    entry.text = readText(file);
    options.log(`watching ${file} for config changes`);
  };

  const stop = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    for (const point of entry.points) point.handle.close();
    watches.delete(file);
  };

  return {
    sync(files) {
      for (const file of [...watches.keys()]) if (!files.has(file)) stop(file);
      for (const file of files) if (!watches.has(file)) start(file);
    },
    close() {
      for (const file of [...watches.keys()]) stop(file);
    },
  };
}

/**
 * The directories whose entries decide what `file` reads: its own directory (or, while that is
 * missing, the nearest one that exists, for the next directory on the way), the directory holding
 * each symbolic link on its path (the file itself or a directory: `current -> releases/7`), and the
 * directory of the file it resolves to.
 */
export function watchPoints(file: string): WatchPoint[] {
  const points: WatchPoint[] = [];
  const add = (path: string): void => {
    let child = path;
    let dir = dirname(path);
    while (!isDirectory(dir) && dir !== dirname(dir)) {
      child = dir;
      dir = dirname(dir);
    }
    const name = basename(child);
    if (!points.some((p) => p.dir === dir && p.name === name)) points.push({ dir, name });
  };
  add(file);
  for (let path = file; path !== dirname(path); path = dirname(path)) if (isSymlink(path)) add(path);
  const real = realPath(file);
  if (real !== null && real !== file) add(real);
  return points;
}

interface WatchedPoint extends WatchPoint {
  handle: FSWatcher;
}

interface WatchEntry {
  points: WatchedPoint[];
  timer: NodeJS.Timeout | null;
  text: string | null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function realPath(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
