import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type AppSpec,
  ErrorCodes,
  formatBytes,
  type PingResult,
  type ProcessInfo,
  VELOS_VERSION,
  type VelosControl,
  VelosError,
} from '@velos/core';
import { createAppLocks } from './app-locks.js';
import type { ClusterRunner } from './cluster/cluster-runner.js';
import { incrementVarProblem } from './cluster/instance-env.js';
import { reloadOneByOne } from './cluster/reload-order.js';
import { scaledCount } from './cluster/scale-count.js';
import { createCronRestarts } from './cron-restarts.js';
import { checkCronExpression } from './cron-schedule.js';
import { createDependencyGate } from './dependencies/dependency-gate.js';
import { orderByDependencies, stopWaves } from './dependencies/dependency-order.js';
import { createInactivityWatchdogs } from './inactivity/inactivity-watchdog.js';
import { checkJobSpecs, createJobScheduler } from './jobs/job-scheduler.js';
import { listRuns, selectJobs } from './jobs/job-state.js';
import { createLiveState, LIVE_STATE_FILE, readLiveState } from './live-state.js';
import { loadLineClassifier } from './log-levels.js';
import { DEFAULT_TAIL_LINES, followLogs, tailLogs } from './log-queries.js';
import { type LongTimer, setLongTimeout } from './long-timer.js';
import { isOverMemoryLimit } from './memory-limit.js';
import { createMonitor } from './monitor.js';
import { ensureFifos, removeFifos, runDirOf } from './orphans/run-files.js';
import { settleOrphans } from './orphans/settle-orphans.js';
import { createProbeManager, times } from './probes/index.js';
import { type AppEntry, isActive, type ProcessRecord, toDetail, toInfo } from './process-record.js';
import { type RunnerHooks, spawnRecord, stopRecordTree } from './process-runner.js';
import { ProcessTable } from './process-table.js';
import { resolveCommand } from './resolve-command.js';
import { decideRestart } from './restart-policy.js';
import { readState, type SavedApp, writeState } from './state-store.js';
import { createWatchMode } from './watch/watch-mode.js';

/** Options of an in-process supervisor. */
export interface SupervisorOptions {
  /** The Velos home: `logs/` and `state.json` live here. */
  home: string;
  /** Receives the supervisor's own log lines (the daemon appends them to `daemon.log`). */
  log?: (line: string) => void;
  /** CPU/RSS sampling period; default 2000 ms. */
  monitorIntervalMs?: number;
}

/** An in-process `VelosControl` that owns the child processes, plus what a host needs around it. */
export interface Supervisor extends VelosControl {
  readonly home: string;
  /** Brings the saved state back as it was (the daemon does this at start): what a daemon that died left running is re-adopted or stopped, running apps start, others are listed stopped. */
  restore(): Promise<ProcessInfo[]>;
  /** Warnings of the latest state read (a corrupt `state.json` restored from the backup…). */
  warnings(): string[];
  /** Stops every child (without saving), closes the log pipelines and timers. */
  close(): Promise<void>;
}

/**
 * Creates the process supervisor (SUP-1..4, SUP-13) that runs in the daemon or embedded in a host.
 * @example
 * const supervisor = createSupervisor({ home: '/tmp/velos-home' });
 * await supervisor.start([spec]);
 * await supervisor.close();
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const home = resolve(options.home);
  const log = options.log ?? (() => undefined);
  const table = new ProcessTable(home, log);
  const createdAt = Date.now();
  /** Issue #19 items 7 and 13: starts and scales of one app run one after another. */
  const appLocks = createAppLocks();
  let stateWarnings: string[] = [];
  let restartTimer: LongTimer | null = null;
  let isClosed = false;
  let saving: Promise<unknown> = Promise.resolve();
  /** SUP-5: loaded with the first cluster app (see `loadClusterFor`). */
  let cluster: ClusterRunner | undefined;
  const monitor = createMonitor({
    intervalMs: options.monitorIntervalMs ?? 2000,
    targets: () => table.records.values(),
    onSampled: enforceMemoryLimits,
  });
  const cronRestarts = createCronRestarts({ onTick: restartOnSchedule, log });
  const watchMode = createWatchMode({ apps: table.apps, records: table.records, restart: restartOne, log });
  const watchdogs = createInactivityWatchdogs({ restart: restartOne, log });
  const probes = createProbeManager({ log, onLivenessFailed: restartUnhealthy });
  const hooks: RunnerHooks = {
    onOnline: (record) => {
      monitor.wake();
      watchdogs.onOnline(record);
      probes.attach(record);
    },
    onExit: handleExit,
    onLeftoversGone: () => scheduleRestarts(),
    log,
    home,
  };
  /** SUP-13: the table as it runs, for a daemon that starts after this one died. */
  const live = createLiveState({ home, snapshot: () => table.toState(), log });
  const isLive = (record: ProcessRecord) => !isClosed && table.records.get(record.id) === record;
  const jobs = createJobScheduler({ home, hooks, log, runOp, stopRun, isLive });
  const gate = createDependencyGate({
    processesOf: (name) => table.apps.get(name)?.ids.map((id) => table.records.get(id)!) ?? [],
    launch,
    log,
  });

  function label(record: ProcessRecord): string {
    return `process ${record.id} (${record.app.spec.name})`;
  }

  function handleExit(record: ProcessRecord, exitCode: number | null, signal: string | null): void {
    probes.detach(record);
    live.touch();
    const uptimeMs = record.startedAt === null ? 0 : Date.now() - record.startedAt;
    record.startedAt = null;
    record.exitCode = exitCode;
    record.signal = signal;
    const how = signal ? `signal ${signal}` : `code ${exitCode}`;
    if (record.app.spec.type === 'job') {
      jobs.handleExit(record, exitCode, signal);
      return;
    }
    if (isClosed || record.isUserOp) {
      log(`${label(record)} exited with ${how}`);
      return;
    }
    const spec = record.app.spec;
    const decision = decideRestart(spec, {
      exitCode,
      signal,
      uptimeMs,
      unstableRestarts: record.unstableRestarts,
      backoffMs: record.backoffMs,
      isUserAction: false,
    });
    if (decision.action === 'none') return;
    record.lastExitReason = decision.reason;
    record.unstableRestarts = decision.unstableRestarts;
    record.backoffMs = decision.backoffMs;
    if (decision.action === 'stop') {
      record.status = 'stopped';
      log(`${label(record)} exited with ${how}: not restarted`);
    } else if (decision.action === 'errored') {
      record.status = 'errored';
      const why = `${decision.unstableRestarts - 1} unstable restarts in a row (max_restarts ${spec.maxRestarts}, min_uptime ${spec.minUptimeMs} ms)`;
      noteErr(record, `velos: stopped restarting after ${why}`);
      log(`${label(record)} exited with ${how}: errored after ${why}`);
    } else {
      record.status = 'waiting-restart';
      record.restartAt = Date.now() + decision.delayMs;
      log(`${label(record)} exited with ${how}: restarting in ${decision.delayMs} ms`);
      scheduleRestarts();
    }
  }

  /** One timer for all pending restarts, set to the earliest `restartAt`. */
  function scheduleRestarts(): void {
    restartTimer?.clear();
    restartTimer = null;
    if (isClosed) return;
    let next = Number.POSITIVE_INFINITY;
    for (const record of table.records.values()) {
      if (record.status === 'waiting-restart' && record.restartAt !== null && !record.leftovers)
        next = Math.min(next, record.restartAt);
    }
    if (next !== Number.POSITIVE_INFINITY) restartTimer = setLongTimeout(runDueRestarts, next - Date.now());
  }

  function runDueRestarts(): void {
    restartTimer = null;
    const now = Date.now();
    for (const record of table.records.values()) {
      if (record.status !== 'waiting-restart' || record.restartAt === null || record.restartAt > now)
        continue;
      if (record.leftovers) continue; // the old run's group is still being stopped: restart after it
      record.restarts += 1;
      if (!cluster?.spawn(record)) spawnRecord(record, hooks);
    }
    scheduleRestarts();
  }

  /** Runs a user operation on a process after the ones already queued on it. */
  function runOp<T>(record: ProcessRecord, op: () => Promise<T>): Promise<T> {
    const result = record.ops.then(op, op);
    record.ops = result.catch(() => undefined);
    record.ops.then(() => live.touch());
    return result;
  }

  async function stopRun(record: ProcessRecord): Promise<void> {
    record.isUserOp = true;
    record.status = 'stopping';
    try {
      await stopRecordTree(record, hooks);
    } finally {
      record.isUserOp = false;
    }
  }

  /** Stops one process; true when it was running or about to restart. */
  function stopOne(record: ProcessRecord): Promise<boolean> {
    return runOp(record, async () => {
      jobs.disable(record);
      if (
        record.status === 'waiting-restart' ||
        record.status === 'scheduled' ||
        (record.status === 'starting' && !record.run)
      ) {
        record.status = 'stopped';
        record.restartAt = null;
        scheduleRestarts();
        return true;
      }
      if (!record.run) return false;
      await stopRun(record);
      record.status = 'stopped';
      record.lastExitReason = 'user';
      return true;
    });
  }

  /**
   * Stops processes in parallel within each `depends_on` wave (SUP-12: an app stops after the apps that
   * depend on it), so stopping N apps takes about one `kill_timeout` per wave, not N; returns how many ran.
   */
  async function stopInWaves(records: ProcessRecord[]): Promise<number> {
    let stopped = 0;
    for (const wave of stopWaves(records)) {
      for (const wasRunning of await Promise.all(wave.map(stopOne))) if (wasRunning) stopped += 1;
    }
    return stopped;
  }

  /** Restarts one process; `unstableRestarts` is what its count becomes (0: a restart starts a clean slate). */
  function restartOne(
    record: ProcessRecord,
    reason: 'user' | 'memory' | 'cron' | 'watch' | 'inactivity' | 'unhealthy' | 'reload' = 'user',
    unstableRestarts = 0,
  ): Promise<void> {
    return runOp(record, async () => {
      if (table.records.get(record.id) !== record) return;
      // what a run that exited by itself left is stopped first: the new run must not race it (#19.11)
      if (record.run || record.leftovers) await stopRun(record);
      record.restartAt = null;
      record.unstableRestarts = unstableRestarts;
      record.backoffMs = 0;
      record.restarts += 1;
      record.lastExitReason = reason;
      if (!isClosed) startRun(record);
      scheduleRestarts();
    });
  }

  /** SUP-8 `cron_restart`: restarts the running processes of an app; false once the app is gone. */
  function restartOnSchedule(name: string): boolean {
    const entry = table.apps.get(name);
    if (!entry) return false;
    for (const id of entry.ids) {
      const record = table.records.get(id);
      if (!record || (record.status !== 'online' && record.status !== 'waiting-restart')) continue;
      log(`${label(record)}: cron_restart '${entry.spec.cronRestart}': restarting`);
      restartOne(record, 'cron').catch((error) => log(`${label(record)}: cron restart failed: ${error}`));
    }
    return true;
  }

  /** SUP-9: restarts every online process whose tree RSS, just sampled, is over its `max_memory`. */
  function enforceMemoryLimits(): void {
    for (const record of table.records.values()) {
      if (!isOverMemoryLimit(record)) continue;
      const limit = record.app.spec.maxMemoryBytes!;
      const why = `memory ${formatBytes(record.memory)} over max_memory ${formatBytes(limit)}`;
      log(`${label(record)}: ${why}: restarting`);
      noteErr(record, `velos: restarting: ${why}`);
      restartOne(record, 'memory').catch((error) => log(`${label(record)}: memory restart failed: ${error}`));
    }
  }

  /**
   * SUP-11: a liveness probe failed its threshold on the record's current run. A run on which it never
   * passed counts as unstable, like a crash shorter than `min_uptime`: after `max_restarts` of those in
   * a row the process is stopped and `errored` instead of being restarted forever.
   */
  function restartUnhealthy(
    record: ProcessRecord,
    failures: number,
    reason: string,
    hasPassed: boolean,
  ): void {
    if (record.status !== 'online' || record.isUserOp) return;
    const spec = record.app.spec;
    const unstable = hasPassed ? 0 : record.unstableRestarts + 1;
    const why = `liveness probe failed ${times(failures)}: ${reason}`;
    if (unstable > spec.maxRestarts) {
      const errored = `${why}; it never passed in ${unstable} runs in a row (max_restarts ${spec.maxRestarts})`;
      log(`${label(record)}: ${errored}: stopped, errored`);
      noteErr(record, `velos: stopped restarting: ${errored}`);
      runOp(record, async () => {
        if (record.run) await stopRun(record);
        record.status = 'errored';
        record.lastExitReason = 'unhealthy';
        record.unstableRestarts = unstable;
      }).catch((error) => log(`${label(record)}: stopping an unhealthy process failed: ${error}`));
      return;
    }
    log(`${label(record)}: ${why}: restarting`);
    noteErr(record, `velos: restarting: ${why}`);
    restartOne(record, 'unhealthy', unstable).catch((error) =>
      log(`${label(record)}: unhealthy restart failed: ${error}`),
    );
  }

  /** A `velos:` note in a process's err log (nothing once it was deleted and its pipeline closed). */
  function noteErr(record: ProcessRecord, line: string): void {
    try {
      record.pipeline.note('err', line);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
  }

  function deleteOne(record: ProcessRecord): Promise<ProcessInfo> {
    return runOp(record, async () => {
      if (record.run) await stopRun(record);
      if (isActive(record.status)) record.status = 'stopped';
      record.restartAt = null;
      jobs.forget(record);
      table.remove(record);
      // Issue #19 item 13: the last process of an app takes its cron_restart schedule with it.
      if (!table.apps.has(record.app.spec.name)) cronRestarts.sync(record.app.spec.name, undefined);
      removeFifos(runDirOf(home), record.id);
      scheduleRestarts();
      return toInfo(record);
    });
  }

  /** Spawns processes marked `starting` one by one, letting other requests in between spawns. */
  async function launch(records: ProcessRecord[]): Promise<void> {
    await ensureFifos(
      runDirOf(home),
      records.map((record) => record.id),
    ).catch((error) => log(`cannot create stdio FIFOs (pipes are used): ${error}`));
    for (const record of records) {
      await runOp(record, async () => {
        if (
          record.status === 'starting' &&
          !record.run &&
          !isClosed &&
          table.records.get(record.id) === record
        ) {
          startRun(record);
        }
      });
      await nextTurn();
    }
  }

  /** SUP-8: a job's schedule is turned on (it runs now or when due); any other app is spawned. */
  function startRun(record: ProcessRecord): void {
    if (record.app.spec.type === 'job') jobs.enable(record);
    else if (!cluster?.spawn(record)) spawnRecord(record, hooks);
  }

  /** SUP-12: launches apps in order; one with `depends_on` waits (status `starting`) in the background. */
  async function launchApps(groups: ProcessRecord[][]): Promise<void> {
    for (const records of groups) {
      if ((records[0]?.app.spec.dependsOn.length ?? 0) === 0) await launch(records);
      else gate.hold(records);
    }
  }

  function checkStartable(specs: AppSpec[]): void {
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) {
        throw new VelosError(
          ErrorCodes.INVALID_ARGUMENT,
          `the app name '${spec.name}' appears twice in one start`,
        );
      }
      names.add(spec.name);
      if (!Number.isInteger(spec.instances) || spec.instances < 1) {
        throw new VelosError(
          ErrorCodes.INVALID_ARGUMENT,
          `${spec.name}: instances: expected a positive integer`,
        );
      }
      checkNameFree(spec.name);
      resolveCommand(spec);
      const problem = incrementVarProblem(spec);
      if (problem) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, problem);
    }
  }

  /** Throws NAME_IN_USE when an app of this name runs (or is about to). */
  function checkNameFree(name: string): void {
    const running = table.apps.get(name)?.ids.filter((id) => isActive(table.records.get(id)!.status)) ?? [];
    if (running.length > 0) {
      throw new VelosError(
        ErrorCodes.NAME_IN_USE,
        `an app named '${name}' is already running (id ${running.join(', ')}); restart it, or stop or delete it first`,
        { data: { name, ids: running } },
      );
    }
  }

  /** Marks the processes of an app as starting (so a concurrent start of its name is NAME_IN_USE). */
  function prepare(ids: number[], reset: boolean): ProcessRecord[] {
    return ids.map((id) => {
      const record = table.records.get(id)!;
      record.status = 'starting';
      if (reset) {
        record.unstableRestarts = 0;
        record.backoffMs = 0;
      }
      return record;
    });
  }

  /** Adds the saved apps whose names are not in the table; starts all of them, or only those saved running. */
  async function loadSaved(isStartingAll: boolean, isDaemonStart = false): Promise<ProcessInfo[]> {
    const read = isDaemonStart ? await readStateAtStart() : await readState(home);
    stateWarnings = read.warnings;
    for (const warning of read.warnings) log(`warning: ${warning}`);
    if (!read.state) {
      if (isDaemonStart) await adoptOrphans([]);
      return [];
    }
    const specs = read.state.apps.map((saved) => saved.spec);
    // A loader that fails (the cluster primary script is missing…) fails only the apps that need it.
    const loadError = await loadClassifierFor(specs)
      .then(() => loadClusterFor(specs))
      .then(
        () => null,
        (error: unknown) => error,
      );
    table.nextId = Math.max(table.nextId, read.state.nextId);
    const added: ProcessRecord[] = [];
    const toLaunch: ProcessRecord[][] = [];
    const savedApps = orderByDependencies(read.state.apps, (saved) => saved.spec, table.apps, {
      isLenient: true,
    });
    for (const saved of savedApps) {
      if (table.apps.has(saved.spec.name)) continue;
      const entry = restoreApp(saved, loadError);
      if (!entry) continue;
      const isStarting = isStartingAll || saved.running;
      const records = isStarting ? prepare(entry.ids, true) : entry.ids.map((id) => table.records.get(id)!);
      added.push(...records);
      if (isStarting) toLaunch.push(records);
    }
    if (isDaemonStart) await adoptOrphans(added);
    await launchApps(toLaunch);
    watchMode.sync();
    log(`restored ${added.length} process(es) from ${read.path}`);
    live.touch();
    return added.map((record) => toInfo(record));
  }

  /** Adds one saved app to the table, stopped; null when it cannot be (then it is kept for the saves). */
  function restoreApp(saved: SavedApp, loadError: unknown): AppEntry | null {
    const spec = saved.spec;
    const areIdsFree = saved.ids.every((id) => !table.records.has(id));
    let entry: AppEntry;
    try {
      const isLoaderMissing =
        (spec.execMode === 'cluster' && !cluster) || (spec.logFormat === 'json' && !table.classify);
      if (loadError !== null && isLoaderMissing) throw loadError;
      entry = table.stageAdd(spec, areIdsFree ? [...saved.ids] : undefined).commit();
    } catch (error) {
      keepUnrestored(saved, error);
      return null;
    }
    for (const id of entry.ids) jobs.attach(table.records.get(id)!);
    cronRestarts.sync(spec.name, spec.cronRestart);
    return entry;
  }

  /** Issue #19 item 2: an app that cannot be restored is reported, and kept for the saves (`table.keepUnrestored`). */
  function keepUnrestored(saved: SavedApp, error: unknown): void {
    table.keepUnrestored(saved);
    const why = error instanceof Error ? error.message : String(error);
    const warning = `${saved.spec.name} (id ${saved.ids.join(', ')}) was not restored: ${why}; it stays in the saved state (fix it, then run velos resurrect)`;
    log(`warning: ${warning}`);
    stateWarnings = [...stateWarnings, warning];
  }

  /**
   * What a starting daemon restores: the live table of a daemon that died (SUP-13: what it ran, saved
   * or not, so its orphans are re-adopted), else the saved state.
   */
  async function readStateAtStart(): ReturnType<typeof readState> {
    const dead = await readLiveState(home);
    if (!dead.state) {
      const saved = await readState(home);
      return dead.warning ? { ...saved, warnings: [dead.warning, ...saved.warnings] } : saved;
    }
    const path = join(home, LIVE_STATE_FILE);
    const warning = `the previous daemon did not stop cleanly: restoring the processes it ran (${path})`;
    return { state: dead.state, path, warnings: [warning] };
  }

  /**
   * SUP-6 for a process that is not a cluster worker: a restart, and with a probe the reload waits
   * until the new run is ready (within `listen_timeout`) before it goes on to the next instance; a run
   * that is not ready in time ends the reload, the instances not reached keep their old run.
   */
  async function restartWhenReady(record: ProcessRecord): Promise<void> {
    await restartOne(record, 'reload');
    const spec = record.app.spec;
    if (!spec.readinessProbe && !spec.livenessProbe) return;
    if (await probes.whenReady(record, spec.listenTimeoutMs)) return;
    const why = `reload: ${label(record)} was not ready within listen_timeout ${spec.listenTimeoutMs} ms after its restart; the instances after it were not reloaded`;
    log(why);
    throw new VelosError(ErrorCodes.TIMEOUT, why, { data: { id: record.id, name: spec.name } });
  }

  /**
   * `--update-env`: `env` (the caller's environment) replaces what the apps of `targets` inherited, and
   * their own env (config `env` and profile) is merged over it, as at a first start; from their next run on.
   */
  function updateEnv(targets: ProcessRecord[], env: Record<string, string> | undefined): void {
    if (!env) return;
    for (const entry of new Set(targets.map((record) => record.app))) {
      entry.spec = { ...entry.spec, env: { ...env, ...entry.spec.ownEnv } };
    }
  }

  /** SUP-13: re-adopts or stops what a daemon that died left running (adopted records are not launched again). */
  async function adoptOrphans(records: ProcessRecord[]): Promise<void> {
    const { warnings } = await settleOrphans({ home, records, hooks });
    stateWarnings = [...stateWarnings, ...warnings];
  }

  /** Loads the log engine's classifier when one of `specs` writes JSON Lines logs. */
  async function loadClassifierFor(specs: AppSpec[]): Promise<void> {
    if (!table.classify && specs.some((spec) => spec.logFormat === 'json')) {
      table.classify = await loadLineClassifier();
    }
  }

  /** Loads the cluster runner (SUP-5) when one of `specs` asks for cluster mode. */
  async function loadClusterFor(specs: AppSpec[]): Promise<void> {
    if (!cluster && specs.some((spec) => spec.execMode === 'cluster')) {
      cluster = (await import('./cluster/cluster-runner.js')).createClusterRunner(hooks);
    }
  }

  /** Starts apps (their names locked): checked again here, since an earlier start of a name may just have ended. */
  async function startApps(specs: AppSpec[]): Promise<ProcessInfo[]> {
    checkStartable(specs);
    const ordered = orderByDependencies(specs, (spec) => spec, table.apps);
    await checkJobSpecs(specs);
    await loadClassifierFor(specs);
    await loadClusterFor(specs);
    for (const spec of specs) {
      if (spec.logRotateCron) await checkCronExpression(spec.logRotateCron);
      if (spec.cronRestart) await checkCronExpression(spec.cronRestart, 'cron_restart');
    }
    // A restore may have added one of the names during the awaits above: from here on nothing awaits.
    for (const spec of specs) checkNameFree(spec.name);
    const staged = table.stageAll(ordered);
    const started: ProcessRecord[] = [];
    const groups: ProcessRecord[][] = [];
    for (const [i, spec] of ordered.entries()) {
      const entry = staged[i]!.commit();
      cronRestarts.sync(spec.name, spec.cronRestart);
      for (const id of entry.ids) jobs.attach(table.records.get(id)!);
      groups.push(prepare(entry.ids, true));
      started.push(...groups.at(-1)!);
      log(`starting ${spec.name} (id ${entry.ids.join(', ')})`);
    }
    await launchApps(groups);
    watchMode.sync();
    return started.map((record) => toInfo(record));
  }

  /** SUP-5 `scale` of the app called `name` (locked): the app is looked up again, it may be gone. */
  async function scaleApp(name: string, instances: string): Promise<ProcessInfo[]> {
    const entry = table.apps.get(name) ?? table.select(name)[0]!.app;
    const current = entry.ids.length;
    const count = scaledCount(entry.spec.name, current, instances);
    const isRunning = entry.ids.some((id) => isActive(table.records.get(id)!.status));
    // New instances' log pipelines are opened first: when that fails, the app and its spec are unchanged.
    const added = count > current ? table.addInstances(entry, count - current) : [];
    entry.spec = { ...entry.spec, instances: count };
    log(`scale ${entry.spec.name}: ${current} → ${count} instance(s)`);
    if (count > current) {
      for (const record of added) jobs.attach(record);
      if (isRunning) await launch(prepare(entry.ids.slice(current), true));
    } else if (count < current) {
      const records = entry.ids.map((id) => table.records.get(id)!);
      const highest = records.sort((a, b) => b.instance - a.instance).slice(0, current - count);
      await Promise.all(highest.map(deleteOne));
    }
    live.touch();
    return entry.ids.map((id) => toInfo(table.records.get(id)!));
  }

  function saveState(): Promise<string> {
    const write = (): Promise<string> => {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      return writeState(home, table.toState());
    };
    const result = saving.then(write, write);
    saving = result.catch(() => undefined);
    return result;
  }

  return {
    home,

    async ping(): Promise<PingResult> {
      return {
        version: VELOS_VERSION,
        pid: process.pid,
        uptimeMs: Date.now() - createdAt,
        home,
        processes: table.records.size,
        warnings: [...stateWarnings],
      };
    },

    async start(specs) {
      checkStartable(specs);
      return appLocks.run(
        specs.map((spec) => spec.name),
        () => startApps(specs),
      );
    },

    async stop(target) {
      const targets = table.select(target);
      await stopInWaves(targets);
      watchMode.sync();
      return targets.map((record) => toInfo(record));
    },

    async restart(target, restartOptions) {
      const targets = table.select(target);
      updateEnv(targets, restartOptions?.env);
      await Promise.all(targets.map((record) => restartOne(record)));
      watchMode.sync();
      return targets.map((record) => toInfo(record));
    },

    async reload(target, reloadOptions) {
      const targets = table.select(target);
      updateEnv(targets, reloadOptions?.env);
      await reloadOneByOne(targets, {
        reload: (record) =>
          runOp(record, async () => (cluster && isLive(record) ? cluster.reload(record) : null)),
        restart: restartWhenReady,
      });
      return targets.map((record) => toInfo(record));
    },

    async scale(name, instances) {
      const app = table.apps.get(name) ?? table.select(name)[0]!.app;
      return appLocks.run([app.spec.name], () => scaleApp(app.spec.name, instances));
    },

    async runs(target, limit) {
      return listRuns(selectJobs(table.select(target), target), limit);
    },

    async trigger(target) {
      const targets = selectJobs(table.select(target), target);
      await Promise.all(targets.map((record) => runOp(record, async () => jobs.trigger(record))));
      return targets.map((record) => toInfo(record));
    },

    async delete(target) {
      const deleted = await Promise.all(table.select(target).map(deleteOne));
      watchMode.sync();
      return deleted;
    },

    async list() {
      return table.sorted().map((record) => toInfo(record));
    },

    async describe(target) {
      return table.select(target).map(toDetail);
    },

    async logs(request) {
      return (
        await tailLogs(
          table.select(request.target),
          request.lines ?? DEFAULT_TAIL_LINES,
          request.stream ?? 'all',
        )
      ).lines;
    },

    async logsResult(request) {
      return tailLogs(
        table.select(request.target),
        request.lines ?? DEFAULT_TAIL_LINES,
        request.stream ?? 'all',
      );
    },

    followLogs(request) {
      const { target } = request;
      // New processes join a follow of everything, of their app's name or of their namespace.
      const isFollowed = (record: ProcessRecord): boolean =>
        target === undefined ||
        target === 'all' ||
        record.app.spec.name === target ||
        record.app.spec.namespace === target;
      return followLogs(
        table.select(target),
        request.lines ?? DEFAULT_TAIL_LINES,
        request.stream ?? 'all',
        (onRecord) => table.watchRecords((record) => isFollowed(record) && onRecord(record)),
      );
    },

    async flush(target) {
      const targets = table.select(target);
      await Promise.all(targets.map((record) => record.pipeline.flush()));
      return [...new Set(targets.flatMap((record) => [record.app.outPath, record.app.errPath]))];
    },

    async reloadLogs(target) {
      const reopened = await Promise.all(table.select(target).map((record) => record.pipeline.reopen()));
      return [...new Set(reopened.flat())];
    },

    async save() {
      const path = await saveState();
      log(`saved ${table.records.size} process(es) to ${path}`);
      return { path, count: table.records.size };
    },

    resurrect: async () => ({ processes: await loadSaved(true), warnings: [...stateWarnings] }),

    restore: () => loadSaved(false, true),

    async kill() {
      await saveState();
      cronRestarts.stopAll();
      const stopped = await stopInWaves(table.sorted().filter((record) => isActive(record.status)));
      await watchMode.closeAll();
      await live.clear();
      log(`kill: stopped ${stopped} process(es)`);
      return { stopped };
    },

    warnings: () => [...stateWarnings],

    async close() {
      if (isClosed) return;
      isClosed = true;
      restartTimer?.clear();
      restartTimer = null;
      monitor.stop();
      cronRestarts.stopAll();
      probes.close();
      watchdogs.stopAll();
      await watchMode.closeAll();
      jobs.stopAll();
      gate.close();
      const all = table.sorted();
      await stopInWaves(all);
      await cluster?.close();
      await live.clear();
      await Promise.all(all.map((record) => record.pipeline.close().catch(() => undefined)));
    },
  };
}
