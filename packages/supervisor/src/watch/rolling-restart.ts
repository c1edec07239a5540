import type { AppEntry, ProcessRecord } from '../process-record.js';

/** Watch mode's rolling restarts of cluster apps (SUP-7), one roll-out at a time per app. */
export interface RollingRestarts {
  /**
   * Replaces the app's online workers one by one; a change during the roll-out is one more roll-out
   * after it (of the workers then online), not a second one at the same time.
   */
  rollOut(entry: AppEntry): void;
}

/** What rolling restarts need from watch mode. */
export interface RollingRestartOptions {
  /** Replaces `records`' workers one by one; rejects when a new worker fails, the others keeping theirs. */
  reload(records: ProcessRecord[]): Promise<void>;
  /** The app's processes now. */
  processesOf(entry: AppEntry): ProcessRecord[];
  /** True while `entry` is still the watched app of its name (a repeat roll-out is for it only). */
  isCurrent(entry: AppEntry): boolean;
  log(line: string): void;
}

/** Creates the rolling restarts of watch mode. */
export function createRollingRestarts(options: RollingRestartOptions): RollingRestarts {
  /** The apps whose workers are being replaced; `isAgain`: a change came meanwhile. */
  const rolling = new Map<AppEntry, { isAgain: boolean }>();

  const run = async (entry: AppEntry, state: { isAgain: boolean }): Promise<void> => {
    do {
      state.isAgain = false;
      const online = options.processesOf(entry).filter((record) => record.status === 'online');
      await options.reload(online).catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        options.log(`${entry.spec.name}: watch: the rolling restart stopped: ${why}`);
      });
    } while (state.isAgain && options.isCurrent(entry));
  };

  return {
    rollOut(entry) {
      const current = rolling.get(entry);
      if (current) {
        current.isAgain = true;
        return;
      }
      const state = { isAgain: false };
      rolling.set(entry, state);
      void run(entry, state).finally(() => rolling.delete(entry));
    },
  };
}
