/** Watch restarts in a row, each for changes that came soon after a start, before the hint is logged. */
export const LOOP_RESTARTS = 5;

/**
 * How soon after its start (beyond the watch delay) a change counts as made by the app's own start: an
 * app that loads for a while before it writes (a TypeScript app compiled at start, a loaded machine)
 * still counts; 2 s missed them (the hint is a conditional suggestion, once per loop).
 */
export const LOOP_WINDOW_MS = 5000;

/** Notes the watch restarts of an app's processes and tells when they look like a loop it makes itself. */
export interface RestartLoopDetector {
  /**
   * Notes a watch restart of `app` for `path`, its process up for `uptimeMs` (null: not running); the
   * daemon log's hint, once per loop, when it is the `LOOP_RESTARTS`th in a row to come that soon.
   */
  note(app: string, uptimeMs: number | null, delayMs: number, path: string): string | null;
  /** Forgets an app (its watcher closed). */
  forget(app: string): void;
}

/**
 * A program that writes into its own watched directory (a cache, a database, an upload folder) restarts
 * itself in a loop, every start's write a change: nothing said so but one `watch:` line per restart.
 * This tells it once per loop, naming the path to add to `ignore_watch`.
 */
export function createRestartLoopDetector(): RestartLoopDetector {
  const streaks = new Map<string, { count: number; isTold: boolean }>();
  return {
    note(app, uptimeMs, delayMs, path) {
      const streak = streaks.get(app) ?? { count: 0, isTold: false };
      const isSoon = uptimeMs !== null && uptimeMs <= delayMs + LOOP_WINDOW_MS;
      if (!isSoon) {
        streaks.delete(app);
        return null;
      }
      streak.count += 1;
      streaks.set(app, streak);
      if (streak.count < LOOP_RESTARTS || streak.isTold) return null;
      streak.isTold = true;
      return (
        `${app}: watch: ${streak.count} restarts in a row for changes that came within ` +
        `${Math.round((delayMs + LOOP_WINDOW_MS) / 100) / 10} s of a start (the latest: ${path}): ` +
        'if the app writes there itself, it restarts itself in a loop; add that path to ignore_watch'
      );
    },
    forget(app) {
      streaks.delete(app);
    },
  };
}
