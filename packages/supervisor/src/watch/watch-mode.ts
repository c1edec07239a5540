import { existsSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { type AppSpec, type ProcessStatus, watchGlobBase } from '@velos/core';
import { effectiveExecMode } from '../cluster/exec-mode.js';
import type { PublishEvent } from '../events/event-bus.js';
import { instanceLogPaths } from '../instance-log-paths.js';
import { rotationFileMatcher } from '../logs/log-rotation.js';
import { pidFilePath } from '../pid-files.js';
import type { AppEntry, ProcessRecord } from '../process-record.js';
import { type AppWatcher, createAppWatcher, type WatchSettings } from './app-watcher.js';
import { createRestartLoopDetector } from './restart-loop.js';
import { createRollingRestarts } from './rolling-restart.js';
import { watcherErrorText } from './watcher-error.js';

/** The watchers of all apps with `watch` (SUP-7), one per app, kept in line with the table. */
export interface WatchMode {
  /** Opens, replaces or closes watchers so that exactly the apps with `watch` and a live process are watched. */
  sync(): void;
  /**
   * Resolves once the watchers of these apps are ready (opened by `sync`), or after
   * `WATCH_READY_WAIT_MS`: called before their first spawn, so that what a starting app writes into its
   * watched paths (or a file saved meanwhile) restarts it.
   */
  whenReady(names: readonly string[]): Promise<void>;
  /** Closes every watcher. */
  closeAll(): Promise<void>;
}

/**
 * How long a start waits for its watchers before it spawns the app all the same: the initial scan of a
 * huge watched tree must not hold `velos start` for its whole length.
 */
export const WATCH_READY_WAIT_MS = 3_000;

/** What watch mode needs from the supervisor. */
export interface WatchModeOptions {
  /** The Velos home: never watched, whatever an app's `ignore_watch` says. */
  home: string;
  apps: ReadonlyMap<string, AppEntry>;
  records: ReadonlyMap<number, ProcessRecord>;
  /** Restarts one process through the supervisor's operation queue. */
  restart(record: ProcessRecord, reason: 'watch'): Promise<unknown>;
  /**
   * Replaces the running workers of a cluster app one by one, each once its successor is ready (a
   * rolling restart, as `velos reload`); rejects when a new worker fails, the others keeping theirs.
   * Without it a cluster app's workers restart at once.
   */
  reload?(records: ProcessRecord[]): Promise<void>;
  log(line: string): void;
  /** OBS-2: receives `process.watch_restart` (one per restarted process) with the changed path. */
  publish?: PublishEvent;
}

/** Statuses in which a change restarts a process; an `errored` app restarts once its files are fixed. */
const RESTARTED: ReadonlySet<ProcessStatus> = new Set(['online', 'starting', 'waiting-restart', 'errored']);
/** How a stopped service's run ended by itself (not `velos stop`): a change starts it again. */
const ENDED_BY_ITSELF: ReadonlySet<string> = new Set(['exit', 'crash', 'unknown', 'primary-exit']);

/**
 * True when a change restarts the process: a running or errored one, and a service whose run ended by
 * itself (`autorestart: false`, a `stop_exit_codes` exit), as nodemon and PM2 do; one the user stopped
 * stays stopped. A job runs on its schedule, not on a change.
 */
function isRestartedOnChange(record: ProcessRecord): boolean {
  if (RESTARTED.has(record.status)) return true;
  return (
    record.status === 'stopped' &&
    record.app.spec.type !== 'job' &&
    record.lastExitReason !== null &&
    ENDED_BY_ITSELF.has(record.lastExitReason)
  );
}

interface Watched {
  entry: AppEntry;
  key: string;
  watcher: AppWatcher;
}

/**
 * Creates watch mode: a change under an app's watched paths (not ignored) restarts its running
 * instances once per debounce window, with reason `watch`. chokidar loads with the first watcher.
 */
export function createWatchMode(options: WatchModeOptions): WatchMode {
  const watched = new Map<string, Watched>();
  const loops = createRestartLoopDetector();
  /** Matchers of log files (and what their rotation writes), made once per path. */
  const logMatchers = new Map<string, (path: string) => boolean>();
  const isLogOf = (logPath: string, path: string): boolean => {
    let matches = logMatchers.get(logPath);
    if (!matches) {
      matches = rotationFileMatcher(logPath);
      logMatchers.set(logPath, matches);
    }
    return matches(path);
  };
  /** The pid files of an app's processes. */
  const pidFilesOf = (entry: AppEntry): string[] =>
    entry.spec.pidFile === undefined
      ? []
      : processesOf(entry)
          .map(pidFilePath)
          .filter((path): path is string => path !== null);
  /** A file Velos writes for any app, wherever it is configured: its logs, its watchdog log, its pid files. */
  const isVelosFile = (path: string): boolean => {
    for (const entry of options.apps.values()) {
      if (logFilesOf(entry).some((file) => isLogOf(file, path))) return true;
      if (pidFilesOf(entry).includes(path)) return true;
    }
    return false;
  };
  /** A directory Velos may make for such a file (`run/` of `run/api.pid`): its creation is no change. */
  const isVelosFileDir = (path: string): boolean => {
    const prefix = path.endsWith(sep) ? path : `${path}${sep}`;
    for (const entry of options.apps.values()) {
      if ([...logFilesOf(entry), ...pidFilesOf(entry)].some((file) => file.startsWith(prefix))) return true;
    }
    return false;
  };

  const processesOf = (entry: AppEntry): ProcessRecord[] =>
    entry.ids.map((id) => options.records.get(id)).filter((r): r is ProcessRecord => r !== undefined);

  const rolling =
    options.reload === undefined
      ? null
      : createRollingRestarts({
          reload: options.reload,
          processesOf,
          isCurrent: (entry) =>
            options.apps.get(entry.spec.name) === entry && watched.get(entry.spec.name)?.entry === entry,
          log: options.log,
        });

  const close = (name: string): void => {
    const current = watched.get(name);
    if (!current) return;
    watched.delete(name);
    loops.forget(name);
    current.entry.isWatching = false;
    current.entry.watchError = undefined;
    current.watcher
      .close()
      .catch((error) => options.log(`${name}: closing the file watcher failed: ${error}`));
  };

  const onChanges = (entry: AppEntry, paths: string[]): void => {
    const name = entry.spec.name;
    if (options.apps.get(name) !== entry || watched.get(name)?.entry !== entry) return;
    const targets = processesOf(entry).filter(isRestartedOnChange);
    if (targets.length === 0) return;
    const count = paths.length === 1 ? '1 change' : `${paths.length} changes`;
    // a cluster's online workers are replaced one by one (zero downtime); the others restart at once
    const isRolling = rolling !== null && effectiveExecMode(entry.spec) === 'cluster';
    const rolled = isRolling ? targets.filter((record) => record.status === 'online') : [];
    const restarted = targets.filter((record) => !rolled.includes(record));
    const how = [
      ...(rolled.length > 0 ? [`reloading ${rolled.length} worker(s) one by one`] : []),
      ...(restarted.length > 0 ? [`restarting ${restarted.length} process(es)`] : []),
    ].join(', ');
    options.log(`${name}: watch: ${paths[0]} changed (${count}): ${how}`);
    const uptimes = targets.map((record) =>
      record.startedAt === null ? null : Date.now() - record.startedAt,
    );
    const latest = uptimes.some((uptime) => uptime === null) ? null : Math.min(...(uptimes as number[]));
    const hint = loops.note(name, latest, entry.spec.watchDelayMs, paths[0]!);
    if (hint !== null) options.log(hint);
    for (const record of targets) {
      options.publish?.({
        kind: 'process.watch_restart',
        severity: 'info',
        app: name,
        id: record.id,
        message: `process ${record.id} (${name}): ${paths[0]} changed (${count}): ${rolled.includes(record) ? 'its worker is replaced (one at a time)' : 'restarting'}`,
        fields: { path: paths[0] ?? null, changes: paths.length },
      });
      if (rolled.includes(record)) continue;
      options
        .restart(record, 'watch')
        .catch((error) => options.log(`process ${record.id} (${name}): watch restart failed: ${error}`));
    }
    if (rolled.length > 0) rolling?.rollOut(entry);
  };

  /** SUP-7: a watched path its watcher could not watch is told where the app's watch state is read. */
  const noteUnwatched = (entry: AppEntry, unwatched: ReadonlyMap<string, Error>): void => {
    const name = entry.spec.name;
    if (unwatched.size === 0) {
      entry.watchError = undefined;
      options.log(`${name}: watch: every watched path is watched again`);
      return;
    }
    const problems = [...unwatched].map(([path, error]) => `${path}: ${watcherErrorText(error)}`);
    entry.watchError = `not watched: ${problems.join('; ')}`;
    options.log(`${name}: watch: ${entry.watchError}`);
    const [path, error] = [...unwatched][0]!;
    options.publish?.({
      kind: 'process.watch_failed',
      severity: 'warning',
      app: name,
      message: `${name}: ${path} is not watched (${error.message}): its changes restart nothing`,
      fields: {
        path,
        code: (error as NodeJS.ErrnoException).code ?? null,
        paths: unwatched.size,
      },
    });
  };

  const open = (entry: AppEntry): void => {
    const name = entry.spec.name;
    const watcher = createAppWatcher(settingsOf(entry, options.home), {
      isVelosFile,
      isVelosFileDir,
      onChanges: (paths) => onChanges(entry, paths),
      onReady: () => {
        if (watched.get(name)?.watcher === watcher) {
          entry.isWatching = true;
          const failure = entry.watchError === undefined ? '' : ` (${entry.watchError})`;
          options.log(`${name}: watching ${entry.spec.watch!.map(describeWatchPath).join(', ')}${failure}`);
        }
      },
      onError: (error) => options.log(`${name}: file watcher: ${watcherErrorText(error)}`),
      onUnwatched: (unwatched) => {
        if (watched.get(name)?.watcher === watcher) noteUnwatched(entry, unwatched);
      },
    });
    watched.set(name, { entry, key: keyOf(entry, options.home), watcher });
  };

  const isWanted = (entry: AppEntry): boolean =>
    entry.spec.watch !== undefined && processesOf(entry).some(isRestartedOnChange);

  return {
    sync() {
      // apps came or went: matchers of log paths no app has any more must not pile up
      logMatchers.clear();
      for (const [name, current] of watched) {
        const isCurrent = options.apps.get(name) === current.entry;
        const isSame = current.key === keyOf(current.entry, options.home);
        if (!isCurrent || !isSame || !isWanted(current.entry)) close(name);
      }
      for (const entry of options.apps.values()) {
        if (!watched.has(entry.spec.name) && isWanted(entry)) open(entry);
      }
    },
    async whenReady(names) {
      const waited = names
        .map((name) => watched.get(name))
        .filter((current): current is Watched => current !== undefined && !current.watcher.isReady());
      if (waited.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const isTimedOut = await Promise.race([
        Promise.all(waited.map((current) => current.watcher.whenReady())).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), WATCH_READY_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!isTimedOut) return;
      for (const current of waited) {
        if (current.watcher.isReady()) continue;
        options.log(
          `${current.entry.spec.name}: watch: the watcher is not ready after ${WATCH_READY_WAIT_MS} ms: ` +
            'starting the app all the same (a change before it is ready restarts nothing)',
        );
      }
    },
    async closeAll() {
      const all = [...watched.values()];
      watched.clear();
      for (const current of all) {
        current.entry.isWatching = false;
        current.entry.watchError = undefined;
      }
      await Promise.all(all.map((current) => current.watcher.close().catch(() => undefined)));
    },
  };
}

/** True when two specs of an app differ in watch mode: on or off, its paths, its ignores or its delay. */
export function hasNewWatch(before: AppSpec, after: AppSpec): boolean {
  const watchOf = (spec: AppSpec) => JSON.stringify([spec.watch, spec.ignoreWatch, spec.watchDelayMs]);
  return watchOf(before) !== watchOf(after);
}

/** The log files an app writes: its own (per instance with `log_per_instance`) and its watchdog's. */
function logFilesOf(entry: AppEntry): string[] {
  const { spec } = entry;
  // issue #14: with log_per_instance each instance writes its own files
  // (and PM2's combined log_file): the app's own writes never restart it
  const files = spec.logPerInstance
    ? entry.ids.flatMap((id) => Object.values(instanceLogPaths(entry, id)))
    : [entry.outPath, entry.errPath, ...(entry.combinedPath === undefined ? [] : [entry.combinedPath])];
  const logFiles = [...new Set(files)];
  if (spec.watchdog?.logFile) logFiles.push(spec.watchdog.logFile);
  return logFiles;
}

/**
 * A watched path as the daemon log names it: one that is missing says whether it is waited for; a glob
 * is watched in its base directory, and says so when that is missing.
 */
function describeWatchPath(path: string): string {
  if (existsSync(path)) return path;
  const base = watchGlobBase(path);
  if (base !== null) {
    if (existsSync(base)) return path;
    return existsSync(dirname(base))
      ? `${path} (${base} missing: watched for in its directory)`
      : `${path} (${base} missing, and so is its directory: not watched)`;
  }
  return existsSync(dirname(path))
    ? `${path} (missing: watched for in its directory)`
    : `${path} (missing, and so is its directory: not watched)`;
}

function settingsOf(entry: AppEntry, home: string): WatchSettings {
  const { spec } = entry;
  return {
    paths: spec.watch ?? [],
    ignore: spec.ignoreWatch,
    cwd: spec.cwd,
    ownLogFiles: logFilesOf(entry),
    velosDirs: [home],
    delayMs: spec.watchDelayMs,
  };
}

function keyOf(entry: AppEntry, home: string): string {
  return JSON.stringify(settingsOf(entry, home));
}
