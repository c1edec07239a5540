import { type FSWatcher, readFileSync, realpathSync, watch } from 'node:fs';
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

/**
 * Watches each file through its directory (`fs.watch`, no polling), so that editors that write a
 * new file and rename it over the old one are seen too, and a symlink's target through its own
 * directory; calls `onChange(file)` once per debounce
 * window, and only when the file's content differs from what was seen last.
 */
export function createConfigWatches(options: {
  onChange: (file: string) => void;
  log: (line: string) => void;
  debounceMs?: number;
}): ConfigWatches {
  const debounceMs = options.debounceMs ?? CONFIG_WATCH_DEBOUNCE_MS;
  const watches = new Map<string, WatchEntry>();

  const fire = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    entry.timer = null;
    // a symlink pointed elsewhere since: the new target's directory is watched from now on
    retarget(file, entry);
    const text = readText(file);
    // a rename in progress (no file yet) or a save that changed nothing: no reload
    if (text === null || text === entry.text) return;
    entry.text = text;
    options.onChange(file);
  };

  /** Watches `path`'s directory for changes of `path`'s name, each one (re)starting `file`'s debounce. */
  const watchName = (file: string, path: string): FSWatcher => {
    const name = basename(path);
    const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      const entry = watches.get(file);
      if (!entry) return;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = setTimeout(fire, debounceMs, file);
    });
    watcher.on('error', (error) => options.log(`config watch of ${file}: ${error.message}`));
    return watcher;
  };

  // velos.toml -> /etc/velos/prod.toml: an edit of the target changes nothing in the link's directory
  const retarget = (file: string, entry: WatchEntry): void => {
    const real = realPath(file);
    if (real === entry.target) return;
    entry.targetWatcher?.close();
    entry.targetWatcher = null;
    entry.target = real;
    if (real === null || real === file) return;
    try {
      entry.targetWatcher = watchName(file, real);
    } catch (error) {
      options.log(`cannot watch ${real} (${file} points to it): ${messageOf(error)}`);
    }
  };

  const start = (file: string): void => {
    try {
      const watcher = watchName(file, file);
      const entry: WatchEntry = {
        watcher,
        timer: null,
        text: readText(file),
        target: null,
        targetWatcher: null,
      };
      watches.set(file, entry);
      retarget(file, entry);
      options.log(`watching ${file} for config changes`);
    } catch (error) {
      options.log(`cannot watch ${file}: ${messageOf(error)}`);
    }
  };

  const stop = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.watcher.close();
    entry.targetWatcher?.close();
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

interface WatchEntry {
  watcher: FSWatcher;
  timer: NodeJS.Timeout | null;
  text: string | null;
  /** The file a symlink points to (its real path), or the file itself; null while there is none. */
  target: string | null;
  targetWatcher: FSWatcher | null;
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
