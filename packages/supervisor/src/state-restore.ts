import { join } from 'node:path';
import type { AppSpec, ProcessInfo } from '@velos/core';
import { orderByDependencies } from './dependencies/dependency-order.js';
import { LIVE_STATE_FILE, type LiveState, readLiveState } from './live-state.js';
import { takeHandover } from './orphans/handover.js';
import type { PrimaryEntry } from './orphans/primary-registry.js';
import { lostRuns, settleOrphans } from './orphans/settle-orphans.js';
import { applyHistory } from './process-history.js';
import type { LaunchOptions } from './process-lifecycle.js';
import { type AppEntry, type ProcessRecord, toInfo } from './process-record.js';
import type { RunnerHooks } from './process-runner.js';
import { restoreStatus } from './process-status.js';
import type { ProcessTable } from './process-table.js';
import { readState, type SavedApp, STATE_FILE, type StateReadResult } from './state-store.js';

/** What bringing saved state back needs from the supervisor. */
export interface StateRestoreOptions {
  home: string;
  table: ProcessTable;
  log(line: string): void;
  /** The runner hooks re-adopted orphans report to. */
  hooks: RunnerHooks;
  live: LiveState;
  /** Loads what `specs` need (the JSON Lines classifier, the cluster runner); rejects when a loader fails. */
  loadFor(specs: AppSpec[]): Promise<void>;
  /** True once the cluster runner is loaded. */
  hasCluster(): boolean;
  /** SUP-13: takes over a cluster primary a dead daemon left (null: cannot, it is stopped). */
  takeOverCluster(entry: PrimaryEntry, records: ProcessRecord[]): Promise<ProcessRecord[] | null>;
  /** SUP-13: a job whose run was re-adopted gets it as its current run (schedule on when `isEnabled`). */
  resumeJob(record: ProcessRecord, isEnabled: boolean): void;
  /** Gives an app just added to the table what a started one gets (job state, `cron_restart`). */
  attach(entry: AppEntry): void;
  /** Marks processes as starting (see `ProcessLifecycle.prepare`). */
  prepare(ids: number[], reset: boolean): ProcessRecord[];
  /**
   * The processes about to start again from saved state (an interval job keeps its phase); at a
   * daemon's start, with `savedAt`, when the state was written (a cron job runs a time it was due since).
   */
  markRestoring(records: ProcessRecord[], savedAt: number | undefined): void;
  /** Launches apps in `depends_on` order (without waiting for `wait_ready` apps when `isWaitingReady` is false). */
  launchApps(groups: ProcessRecord[][], options: LaunchOptions): Promise<void>;
  /** The restore is done (watchers follow the table). */
  onRestored(): void;
}

/** The restore path of a supervisor: saved or live state back into the table, and the warnings of the latest read. */
export interface StateRestore {
  /**
   * Adds the saved apps whose names are not in the table; starts all of them, or only those saved
   * running (a process saved `errored` is then listed `errored` again and not started). At daemon
   * start it reads the live table of a daemon that died first and settles its orphans; with
   * `isFresh` (a `--no-daemon` run) it reads no table and stops every orphan.
   */
  load(isStartingAll: boolean, isDaemonStart?: boolean, isFresh?: boolean): Promise<ProcessInfo[]>;
  /** Warnings of the latest state read (a corrupt `state.json` restored from the backup…). */
  warnings(): string[];
  /** The saved apps the latest load left alone because an app of their name is listed, by name. */
  skipped(): string[];
}

/** Creates the restore path (SUP-4 resurrect, SUP-13 restore at daemon start). */
export function createStateRestore(options: StateRestoreOptions): StateRestore {
  const { home, table, log } = options;
  let stateWarnings: string[] = [];
  /** The warnings of apps that could not be restored, with the app's name: told while it is kept. */
  const unrestoredWarnings = new Map<string, string>();
  let skipped: string[] = [];
  /** The daemon `velos update` replaced, when the live table restored is its own. */
  let replacedPid: number | null = null;

  async function load(
    isStartingAll: boolean,
    isDaemonStart = false,
    isFresh = false,
  ): Promise<ProcessInfo[]> {
    const read = isFresh
      ? { state: null, path: null, warnings: [], isLive: false }
      : isDaemonStart
        ? await readStateAtStart()
        : { ...(await readState(home)), isLive: false };
    stateWarnings = read.warnings;
    unrestoredWarnings.clear();
    skipped = [];
    for (const warning of read.warnings) log(`warning: ${warning}`);
    if (!read.state) {
      if (isDaemonStart) await adoptOrphans([], new Set());
      // PM2's resurrect says so too: an empty answer alone reads as "everything is already running"
      else if (read.warnings.length === 0)
        stateWarnings = [
          `nothing to resurrect: there is no ${join(home, STATE_FILE)} (velos save writes it)`,
        ];
      return [];
    }
    const specs = read.state.apps.map((saved) => saved.spec);
    // A loader that fails (the cluster primary script is missing…) fails only the apps that need it.
    const loadError = await options.loadFor(specs).then(
      () => null,
      (error: unknown) => error,
    );
    table.nextId = Math.max(table.nextId, read.state.nextId);
    const added: ProcessRecord[] = [];
    const toLaunch: ProcessRecord[][] = [];
    const starting = new Set<ProcessRecord>();
    // runs the dead daemon had that ended while no daemon ran: read before the settlement forgets them
    const lost = read.isLive ? lostRuns(home) : new Map<number, { name: string; startedAt: number }>();
    const ended: { record: ProcessRecord; startedAt: number }[] = [];
    const savedApps = orderByDependencies(read.state.apps, (saved) => saved.spec, table.apps, {
      isLenient: true,
    });
    for (const saved of savedApps) {
      if (table.apps.has(saved.spec.name)) {
        skipped.push(saved.spec.name);
        continue;
      }
      const entry = restoreApp(saved, loadError);
      if (!entry) continue;
      // an errored process stays errored (not started again, no event), unless resurrect starts them all;
      // so does an instance stopped while its app ran stay stopped
      const keptIds = new Set<number>();
      saved.history?.forEach((history, i) => {
        const record = table.records.get(entry.ids[i]!);
        if (!record) return;
        const staysErrored = history.errored && !isStartingAll;
        if (staysErrored) restoreStatus(record, 'errored');
        if (staysErrored || (history.stopped === true && !isStartingAll)) keptIds.add(record.id);
        applyHistory(record, history, read.isLive || staysErrored);
      });
      // `velos resurrect` leaves an app that says autostart = false as it was saved
      const isStarting = (isStartingAll && saved.spec.autostart !== false) || saved.running;
      for (const id of entry.ids) {
        const run = lost.get(id);
        if (!isStarting || keptIds.has(id) || run?.name !== saved.spec.name || saved.spec.type === 'job')
          continue;
        keptIds.add(id);
        ended.push({ record: table.records.get(id)!, startedAt: run.startedAt });
      }
      // the live table's processes go on counting unstable restarts (and `velos update` is no restart)
      const records = isStarting
        ? options.prepare(
            entry.ids.filter((id) => !keptIds.has(id)),
            !read.isLive,
          )
        : [];
      added.push(...entry.ids.map((id) => table.records.get(id)!));
      // a cron job due while no daemon ran is made up at a daemon's start only: `velos resurrect` in a
      // running daemon brings back apps deleted or stopped meanwhile, whose times were not missed
      options.markRestoring(records, isDaemonStart ? read.state.savedAt : undefined);
      if (records.length > 0) toLaunch.push(records);
      for (const record of records) starting.add(record);
    }
    if (isDaemonStart) await adoptOrphans(added, starting);
    // a run that ended while no daemon ran is an exit of unknown status, as a re-adopted run's end: the
    // restart policy takes it (a restart counted and told with reason `unknown`, after its delay or
    // back-off; stopped without autorestart), judging it by the longest it can have lived (from its start
    // to now); only once the orphans are settled, which would stop a run spawned meanwhile as a stray
    for (const { record, startedAt } of ended) {
      log(`process ${record.id} (${record.app.spec.name}) ended while no daemon ran`);
      record.startedAt = startedAt;
      options.hooks.onExit(record, null, null, 'status-unknown');
    }
    // at daemon start every command waits for the restore (restore-gate.ts): a `wait_ready` app must not
    // hold them for its listen_timeout, it is listed `starting` until ready; `velos resurrect` waits as start does
    await options.launchApps(toLaunch, { isWaitingReady: !isDaemonStart });
    options.onRestored();
    log(`restored ${added.length} process(es) from ${read.path}`);
    if (skipped.length > 0)
      log(`left ${skipped.length} saved app(s) alone, listed already: ${skipped.join(', ')}`);
    options.live.touch();
    return added.map((record) => toInfo(record));
  }

  /** Adds one saved app to the table, stopped; null when it cannot be (then it is kept for the saves). */
  function restoreApp(saved: SavedApp, loadError: unknown): AppEntry | null {
    const spec = saved.spec;
    const areIdsFree = saved.ids.every((id) => !table.records.has(id));
    let entry: AppEntry;
    try {
      const isLoaderMissing =
        (spec.execMode === 'cluster' && !options.hasCluster()) ||
        (spec.logFormat === 'json' && !table.classify);
      if (loadError !== null && isLoaderMissing) throw loadError;
      entry = table.stageAdd(spec, areIdsFree ? [...saved.ids] : undefined).commit();
    } catch (error) {
      keepUnrestored(saved, error);
      return null;
    }
    options.attach(entry);
    return entry;
  }

  /** Issue #19 item 2: an app that cannot be restored is reported, and kept for the saves (`table.keepUnrestored`). */
  function keepUnrestored(saved: SavedApp, error: unknown): void {
    table.keepUnrestored(saved);
    const why = error instanceof Error ? error.message : String(error);
    const warning = `${saved.spec.name} (id ${saved.ids.join(', ')}) was not restored: ${why}; it stays in the saved state (fix it, then run velos resurrect; or velos delete ${saved.spec.name} to drop it)`;
    log(`warning: ${warning}`);
    stateWarnings = [...stateWarnings, warning];
    unrestoredWarnings.set(warning, saved.spec.name);
  }

  /**
   * What a starting daemon restores: the live table of a daemon that died (SUP-13: what it ran, saved
   * or not, so its orphans are re-adopted), else the saved state.
   */
  async function readStateAtStart(): Promise<StateReadResult & { isLive: boolean }> {
    const dead = await readLiveState(home);
    if (!dead.state) {
      const saved = await readState(home);
      const warnings = dead.warning ? [dead.warning, ...saved.warnings] : saved.warnings;
      return { ...saved, warnings, isLive: false };
    }
    const path = join(home, LIVE_STATE_FILE);
    replacedPid = takeHandover(home);
    if (replacedPid !== null) {
      // `velos update` ended it on purpose: taking its processes over is the plan, nothing to warn of
      log(`daemon pid ${replacedPid} was replaced by velos update: taking over the processes it ran`);
      return { state: dead.state, path, warnings: [], isLive: true };
    }
    const warning = `the previous daemon did not stop cleanly: restoring the processes it ran (${path})`;
    return { state: dead.state, path, warnings: [warning], isLive: true };
  }

  /**
   * SUP-13: re-adopts or stops what a daemon that died left running (adopted records are not launched
   * again); a re-adopted job run becomes its job's current run, its schedule on if it was to start.
   */
  async function adoptOrphans(records: ProcessRecord[], starting: Set<ProcessRecord>): Promise<void> {
    const { adopted, warnings } = await settleOrphans({
      home,
      records,
      hooks: options.hooks,
      takeOverCluster: options.takeOverCluster,
      ...(replacedPid === null ? {} : { replacedPid }),
    });
    for (const record of adopted)
      if (record.app.spec.type === 'job') options.resumeJob(record, starting.has(record));
    stateWarnings = [...stateWarnings, ...warnings];
  }

  // an app dropped by `velos delete` (or replaced by a start of its name) is no longer "in the saved state"
  const warnings = () =>
    stateWarnings.filter((warning) => {
      const name = unrestoredWarnings.get(warning);
      return name === undefined || table.isUnrestored(name);
    });
  return { load, warnings, skipped: () => [...skipped] };
}
