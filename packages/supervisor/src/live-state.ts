import { mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HOME_LAYOUT, writeFreshFile } from '@velos/core';
import { readStateFile, type SavedState } from './state-store.js';

/** The live table, inside the home: present only while a daemon runs (or after one died). */
export const LIVE_STATE_FILE = HOME_LAYOUT.liveState;

/** Writes of the live table are gathered for this long. */
const WRITE_DELAY_MS = 50;

/** Options of `createLiveState`. */
export interface LiveStateOptions {
  home: string;
  /** The table as it is now. */
  snapshot: () => SavedState;
  log: (line: string) => void;
}

/** What a daemon keeps of its table for the next daemon, should it die (SUP-13). */
export interface LiveState {
  /** Notes that the table changed; it is written shortly after (one write for a burst of changes). */
  touch(): void;
  /** Writes the table now (after a write under way): a `start`, `stop`, `delete` or `scale` answered is one a crash of the daemon right after cannot undo. */
  flush(): Promise<void>;
  /**
   * Writes the table now and then keeps the file as it is (touch and flush write nothing more): the
   * stops of a shutdown are no user's stops, so a daemon that dies during them (the SIGKILL of a stop
   * timeout) leaves the table as it ran, and the next daemon brings its apps back.
   */
  hold(): Promise<void>;
  /** Removes the file after a clean shutdown (then the next daemon restores `state.json`). */
  clear(): Promise<void>;
  /** OBS-4: how the latest writes went. */
  stats(): StateWriteStats;
}

/** OBS-4: the latest write of the live table (epoch ms and ms), and the latest failure if the last write failed. */
export interface StateWriteStats {
  lastWriteAt: number | null;
  lastWriteMs: number | null;
  /** Set while the latest write failed: its message. */
  lastError: string | null;
}

/**
 * Keeps `run/live.json`, the table of a running daemon (apps, ids, which run), written after every
 * change. `velos save` still writes `state.json` for boots and `resurrect`; the live file is what a
 * daemon restores when the previous one died without stopping cleanly, so that apps started since the
 * last save are re-adopted instead of stopped. No fsync: it guards against a daemon crash, not a
 * machine crash (after a reboot the saved state is what counts).
 */
export function createLiveState(options: LiveStateOptions): LiveState {
  const path = join(options.home, LIVE_STATE_FILE);
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let isCleared = false;
  let isHeld = false;
  const stats: StateWriteStats = { lastWriteAt: null, lastWriteMs: null, lastError: null };

  async function flush(): Promise<void> {
    if (isCleared || isHeld) return;
    if (timer) clearTimeout(timer);
    timer = null;
    writing = writing.then(write);
    await writing;
  }

  async function write(): Promise<void> {
    if (isCleared || isHeld) return;
    const tmp = `${path}.tmp`;
    const startedAt = Date.now();
    try {
      await mkdir(join(options.home, HOME_LAYOUT.run), { recursive: true, mode: 0o700 });
      writeFreshFile(tmp, JSON.stringify(options.snapshot()));
      await rename(tmp, path);
      stats.lastError = null;
    } catch (error) {
      stats.lastError = error instanceof Error ? error.message : String(error);
      options.log(`cannot write ${path}: ${stats.lastError}`);
    }
    stats.lastWriteAt = Date.now();
    stats.lastWriteMs = stats.lastWriteAt - startedAt;
  }

  return {
    touch() {
      if (timer || isCleared || isHeld) return;
      timer = setTimeout(() => {
        timer = null;
        writing = writing.then(write);
      }, WRITE_DELAY_MS);
      timer.unref();
    },
    flush,
    async hold() {
      await flush();
      isHeld = true;
    },
    async clear() {
      isCleared = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await writing;
      await unlink(path).catch(() => undefined);
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * The table a daemon that died left in `run/live.json`, or null when there is none (the previous
 * daemon stopped cleanly, or never ran); an unreadable file gives null and a warning.
 */
export async function readLiveState(home: string): Promise<{ state: SavedState | null; warning?: string }> {
  const path = join(home, LIVE_STATE_FILE);
  const read = await readStateFile(path);
  if (read.state) return { state: read.state };
  if (read.problem === 'missing') return { state: null };
  return { state: null, warning: `${path} is unusable (${read.problem}); restoring the saved state instead` };
}
