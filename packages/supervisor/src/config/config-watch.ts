import { type FSWatcher, readFileSync, watch } from 'node:fs';
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
 * new file and rename it over the old one are seen too; calls `onChange(file)` once per debounce
 * window, and only when the file's content differs from what was seen last.
 */
export function createConfigWatches(options: {
  onChange: (file: string) => void;
  log: (line: string) => void;
  debounceMs?: number;
}): ConfigWatches {
  const debounceMs = options.debounceMs ?? CONFIG_WATCH_DEBOUNCE_MS;
  const watches = new Map<
    string,
    { watcher: FSWatcher; timer: NodeJS.Timeout | null; text: string | null }
  >();

  const fire = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    entry.timer = null;
    const text = readText(file);
    // a rename in progress (no file yet) or a save that changed nothing: no reload
    if (text === null || text === entry.text) return;
    entry.text = text;
    options.onChange(file);
  };

  const start = (file: string): void => {
    const name = basename(file);
    try {
      const watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed.toString() !== name) return;
        const entry = watches.get(file);
        if (!entry) return;
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = setTimeout(fire, debounceMs, file);
      });
      watcher.on('error', (error) => options.log(`config watch of ${file}: ${error.message}`));
      watches.set(file, { watcher, timer: null, text: readText(file) });
      options.log(`watching ${file} for config changes`);
    } catch (error) {
      options.log(`cannot watch ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const stop = (file: string): void => {
    const entry = watches.get(file);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.watcher.close();
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

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
