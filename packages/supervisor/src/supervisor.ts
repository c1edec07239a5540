import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type AppSpec,
  ErrorCodes,
  isVelosError,
  MASK,
  type PingResult,
  type ProcessInfo,
  VELOS_VERSION,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { DaemonConfig } from '@velos/core/config';
import { type AlertControl, createAlertControl } from './alerts/alert-control.js';
import { sampleOf } from './alerts/alert-sources.js';
import { createAppLocks } from './app-locks.js';
import type { ClusterRunner } from './cluster/cluster-runner.js';
import { reloadOneByOne } from './cluster/reload-order.js';
import { scaledCount } from './cluster/scale-count.js';
import { createComponentRegistry } from './components/component-registry.js';
import { readComponents, writeComponents } from './components/component-store.js';
import { type ConfigControl, createConfigControl, DAEMON_CONFIG_FILE } from './config/config-control.js';
import { scaledSource, withRunTimeScale } from './config/run-time-scale.js';
import { createCronRestarts } from './cron-restarts.js';
import { checkCronExpression } from './cron-schedule.js';
import type { ExtensionChange } from './daemon-extensions.js';
import { createDependencyGate } from './dependencies/dependency-gate.js';
import { orderByDependencies } from './dependencies/dependency-order.js';
import { dependencyState } from './dependencies/dependency-state.js';
import { updateEnv } from './env-update.js';
import type { EventBus } from './events/event-bus.js';
import { createEventControl } from './events/event-control.js';
import { createHealthControl, type HealthControl } from './health/health-control.js';
import { createInactivityWatchdogs } from './inactivity/inactivity-watchdog.js';
import { instanceLogPaths, isDevice } from './instance-log-paths.js';
import { checkJobInstances, checkJobSpecs } from './jobs/job-scheduler.js';
import { listRuns, selectJobs } from './jobs/job-state.js';
import { checkTriggerable } from './jobs/trigger-check.js';
import { createLiveState } from './live-state.js';
import { createLiveEngines } from './log-insights/live-engines.js';
import { createLineLevels, createLogQueryControl } from './log-insights/log-query-control.js';
import { logFollowMatcher, selectLogRecords } from './log-insights/log-target-records.js';
import { loadLineClassifier } from './log-levels.js';
import { DEFAULT_TAIL_LINES, followLogs, tailLogs } from './log-queries.js';
import { reopenFailure } from './logs/reopen-failures.js';
import { createMetricsControl, type MetricsControl } from './metrics/metrics-control.js';
import { createMonitor } from './monitor.js';
import { createReadHandOver } from './orphans/read-hand-over.js';
import { runDirOf } from './orphans/run-files.js';
import { closeRunJournal } from './orphans/run-journal.js';
import { removePidFile, writePidFile } from './pid-files.js';
import { createProbeManager, probesOf, whyNotReady } from './probes/index.js';
import { createProcessLifecycle, type LaunchOptions } from './process-lifecycle.js';
import {
  type AppEntry,
  isActive,
  isRunningStatus,
  type ProcessRecord,
  toDetail,
  toInfo,
} from './process-record.js';
import { resetCounters, signalRecords } from './process-signals.js';
import type { StatusEvent } from './process-status.js';
import { hasNewLogs, ProcessTable } from './process-table.js';
import { nothingToSave } from './save-refusal.js';
import { checkNameFree, checkStartable } from './start-checks.js';
import { createStateRestore } from './state-restore.js';
import { writeState } from './state-store.js';
import { shutdownBudgetMs } from './stop-budget.js';
import { targetNotFound } from './targets.js';
import { timeZoneWarning } from './time-zone-check.js';
import type { EventSource } from './typed-emitter.js';
import { createWatchMode, hasNewWatch } from './watch/watch-mode.js';

/** How long after a change of the reported components they are written to components.json. */
const COMPONENTS_SAVE_DELAY_MS = 1000;

/** Options of an in-process supervisor. */
export interface SupervisorOptions {
  /** The Velos home: `logs/` and `state.json` live here. */
  home: string;
  /** Receives the supervisor's own log lines (the daemon appends them to `daemon.log`). */
  log?: (line: string) => void;
  /** CPU/RSS sampling period; default 2000 ms. */
  monitorIntervalMs?: number;
  /** Told each good read of config.toml (at start and on reloads); resolves with what applying it changed. */
  onDaemonConfig?: (config: DaemonConfig | null) => Promise<ExtensionChange[]> | undefined;
  /** Told, as `kill` begins to stop every app, how long that may take (see `shutdownBudgetMs`). */
  onStopAll?: (budgetMs: number) => void;
  /**
   * A `velos start --no-daemon` run (PM2's pm2-runtime): its apps are those it starts, so the start
   * restores no saved or live table (what a dead daemon left running is stopped) and `kill` does not
   * save (`state.json` stays as a daemon saved it; `velos save` still writes it). Without it, a second
   * run in the same home restored the apps the first saved and refused its own start of them.
   */
  isEphemeral?: boolean;
}

/** An in-process `VelosControl` that owns the child processes, plus what a host needs around it. */
export interface Supervisor extends VelosControl {
  readonly home: string;
  /** Brings the saved state back as it was (the daemon does this at start): what a daemon that died left running is re-adopted or stopped, running apps start, others are listed stopped. */
  restore(): Promise<ProcessInfo[]>;
  /** Warnings of the latest state read (a corrupt `state.json` restored from the backup…). */
  warnings(): string[];
  /** Every status change of a process, as it happens (in-process subscribers only). */
  readonly statusEvents: EventSource<StatusEvent>;
  /** OBS-2: the event bus (in-process producers and subscribers: daemon, alerts, metrics). */
  readonly bus: EventBus;
  /** OBS-4: adds a component to the self-health (`ipc` by the daemon); see `HealthControl`. */
  readonly registerHealthCheck: HealthControl['registerHealthCheck'];
  /** OBS-4: sets a component's state from outside (alert delivery reports `alerts` here). */
  readonly reportHealth: HealthControl['reportHealth'];
  /** OBS-1: counts one answer of the daemon's socket server (command, `ok` or error code, seconds). */
  readonly recordIpcRequest: MetricsControl['recordIpcRequest'];
  /** OBS-4: starts the lag sampler and the periodic evaluation (a daemon calls it; embedded hosts may). */
  readonly watchHealth: HealthControl['watch'];
  /** OBS-4: the start-up is over: its event-loop stalls leave the lag window (the daemon calls it). */
  readonly endStartup: HealthControl['endStartup'];
  /**
   * OBS-3: rules of other sources (`config.toml`), alert delivery's health, and the end of the start's
   * restore of firing alerts (once config.toml's rules are in), for the daemon.
   */
  readonly alerting: Pick<AlertControl, 'setRulesFromSource' | 'alertDeliveryHealth' | 'endRestore'>;
  /** CFG-2: config.toml and the linked config files (`init` at daemon start, `reloadAll` on SIGHUP). */
  readonly config: Pick<ConfigControl, 'init' | 'reloadAll' | 'daemonConfig'>;
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
  let saving: Promise<unknown> = Promise.resolve();
  /** SUP-5: loaded with the first cluster app (see `loadClusterFor`). */
  let cluster: ClusterRunner | undefined;
  /** SUP-13: the table as it runs, for a daemon that starts after this one died. */
  const live = createLiveState({ home, snapshot: () => table.toState(), log });
  const eventControl = createEventControl({ home, table, log });
  const { publish } = eventControl.bus;
  // ENG: the live log engine of each app (loaded on an app's first line) and the queries on its files.
  // an app's stopped time (a stop, a crash, the wait before a restart) is left out of its error history,
  // and its usual error rate is per running process
  const runningProcesses = (name: string): number =>
    table.apps.get(name)?.ids.filter((id) => isRunningStatus(table.records.get(id)?.status)).length ?? 0;
  const liveEngines = createLiveEngines({
    publish,
    log,
    runs: { statusEvents: table.statusEvents, runningProcesses },
  });
  table.lineSink = liveEngines.sinkFor;
  const logQueries = createLogQueryControl(table, eventControl.bus);
  const lineLevels = createLineLevels(table, eventControl.bus);
  const lifecycle = createProcessLifecycle({
    home,
    table,
    log,
    live,
    publish,
    cluster: () => cluster,
    isHeld: (record) => gate.holds(record),
    unmetNow: (record) => gate.unmetNow(record),
    onOnline: (record) => {
      if (record.app.spec.pidFile !== undefined) void writePidFile(record, log);
      monitor.wake();
      watchdogs.onOnline(record);
      probes.attach(record);
    },
    // SUP-9: a run still starting (wait_ready) is sampled, and held to its max_memory, already
    onPid: () => monitor.wake(),
    onRunEnded: (record) => {
      probes.detach(record);
      if (record.app.spec.pidFile !== undefined) void removePidFile(record);
    },
    // Issue #19 item 13: the last process of an app takes its cron_restart schedule with it.
    onRemoved: (record) => {
      metricsControl.forget(record.id);
      if (table.apps.has(record.app.spec.name)) return;
      cronRestarts.sync(record.app.spec.name, undefined);
      liveEngines.forget(record.app.spec.name);
    },
  });
  const alerting = createAlertControl({
    home,
    bus: eventControl.bus,
    log,
    processes: () => [...table.records.values()].map(sampleOf),
    matchesTarget: (target, app, id) =>
      app === target ||
      String(id) === target ||
      (app !== undefined && table.apps.get(app)?.spec.namespace === target),
    // read only once the supervisor is built (the engine loads on the first rule)
    staleComponents: () => reportedComponents.stale(),
  });
  const { hooks, jobs, runOp, isLive, restartOne } = lifecycle;
  const monitorIntervalMs = options.monitorIntervalMs ?? 2000;
  const monitor = createMonitor({
    intervalMs: monitorIntervalMs,
    targets: () => table.records.values(),
    // OBS-7: the history records each sample after the memory limits acted on it
    onSampled: () => {
      lifecycle.enforceMemoryLimits();
      metricsControl.history.record();
    },
  });
  // OBS-2: outside components (their staleness never changes the daemon's own health), kept in
  // components.json a second after a change and at close, so a daemon restart keeps them
  let componentsSave: NodeJS.Timeout | null = null;
  const saveComponents = (): void => {
    if (componentsSave !== null) clearTimeout(componentsSave);
    componentsSave = null;
    try {
      writeComponents(home, reportedComponents.list());
    } catch (error) {
      log(`components: ${String(error)}`);
    }
  };
  const reportedComponents = createComponentRegistry({
    publish,
    onChange: () => {
      componentsSave ??= setTimeout(saveComponents, COMPONENTS_SAVE_DELAY_MS);
      componentsSave.unref();
    },
  });
  const selfHealth = createHealthControl({ home, table, monitor, monitorIntervalMs, live, publish });
  const readHandOver = createReadHandOver(
    () => [...table.records.values()].map((record) => record.pipeline),
    log,
  );
  const metricsControl = createMetricsControl({
    home,
    table,
    createdAt,
    bus: eventControl.bus,
    log,
    alertPhases: async () => (await alerting.alerts()).map((alert) => alert.phase),
    loopLag: selfHealth.loopLag,
    monitorIntervalMs,
  });
  selfHealth.registerHealthCheck('alerts', () => ({
    name: 'alerts',
    reason: 'no delivery failed',
    ...alerting.alertDeliveryHealth(),
  }));
  const cronRestarts = createCronRestarts({ onTick: lifecycle.restartOnSchedule, log });
  const watchMode = createWatchMode({
    home,
    apps: table.apps,
    records: table.records,
    restart: restartOne,
    reload: reloadForWatch,
    log,
    publish,
  });
  const watchdogs = createInactivityWatchdogs({ restart: restartOne, log, publish });
  const probes = createProbeManager({ log, onLivenessFailed: lifecycle.restartUnhealthy, publish });
  // a run stopped on purpose is no longer probed: a graceful shutdown closes its port before it exits,
  // which is no failure (it made a stopped app `unhealthy`, with an error event, during `velos stop`)
  table.statusEvents.subscribe((change) => {
    const record = change.to === 'stopping' ? table.records.get(change.id) : undefined;
    if (record) probes.detach(record);
  });
  const processesOf = (name: string): ProcessRecord[] =>
    table.apps.get(name)?.ids.map((id) => table.records.get(id)!) ?? [];
  const gate = createDependencyGate({
    processesOf,
    launch: lifecycle.launch,
    log,
  });
  /** SUP-12: `{waitingFor}` while the record is held by its depends_on (each unmet one and where it stands), else `{}`. */
  const waitingForOf = (record: ProcessRecord): Pick<ProcessInfo, 'waitingFor'> => {
    const unmet = gate.unmetOf(record);
    if (!unmet || unmet.length === 0) return {};
    const waitingFor = unmet.map((dependency) => ({
      ...dependency,
      state: dependencyState(dependency, processesOf(dependency.name)),
    }));
    return { waitingFor };
  };
  /**
   * The row of `record` in every answer that lists processes (list, start, stop, restart, reload,
   * scale, …): with `waitingFor` while its depends_on holds it, so that `--ai` and MCP answers say
   * `wait` as `list` does. A record no gate holds costs one map lookup.
   */
  const infoOf = (record: ProcessRecord): ProcessInfo => {
    const info = toInfo(record);
    const held = waitingForOf(record);
    return held.waitingFor === undefined ? info : { ...info, ...held };
  };
  const restore = createStateRestore({
    home,
    table,
    log,
    hooks,
    live,
    loadFor: async (specs) => {
      await loadClassifierFor(specs);
      await loadClusterFor(specs);
    },
    hasCluster: () => cluster !== undefined,
    takeOverCluster: (entry, records) => cluster?.takeOver(entry, records) ?? Promise.resolve(null),
    resumeJob: (record, isEnabled) => jobs.resume(record, isEnabled),
    attach: attachApp,
    prepare: lifecycle.prepare,
    markRestoring: (records, savedAt) => {
      for (const record of records) jobs.restoring(record, savedAt);
    },
    launchApps: (groups, launchOptions) => launchApps(groups, launchOptions, true),
    onRestored: () => {
      watchMode.sync();
      config.syncWatches();
    },
  });
  /**
   * The one app `target` names (an app name, else the app of the processes it matches) for `command`;
   * TARGET_NOT_FOUND when it matches none, as `all` does with no process (it used to end in an internal
   * TypeError); INVALID_ARGUMENT when it selects several apps (`all`, a namespace): it used to act on
   * the first of them only and report success.
   */
  const appOf = (target: string, command: 'scale' | 'config'): AppEntry => {
    const named = table.apps.get(target);
    if (named) return named;
    const apps = [...new Set(table.select(target).map((record) => record.app))];
    if (apps.length === 0) throw targetNotFound(target, table.select('all'));
    if (apps.length > 1) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `'${target}' selects ${apps.length} apps; ${command} takes one app name`,
        { data: { target, apps: apps.map((app) => app.spec.name) } },
      );
    }
    return apps[0]!;
  };
  // CFG-2: config hot reload; its parsers load on first use
  const config = createConfigControl({
    home,
    log,
    bus: eventControl.bus,
    control: () => supervisor,
    specs: () => [...table.apps.values()].map((entry) => entry.spec),
    specOf: (target) => appOf(target, 'config').spec,
    isRunning: (name) =>
      table.apps.get(name)?.ids.some((id) => isActive(table.records.get(id)!.status)) ?? false,
    settled: async (name) => {
      const records = (table.apps.get(name)?.ids ?? []).map((id) => table.records.get(id)!);
      await Promise.all(records.map((record) => runOp(record, async () => undefined)));
    },
    setSpec: (name, spec) => {
      const entry = table.apps.get(name);
      if (entry) respec(entry, spec);
      live.touch();
    },
    scale: async (name, instances) => {
      await scaleLocked(name, String(instances), false);
    },
    ...(options.onDaemonConfig ? { onDaemonConfig: options.onDaemonConfig } : {}),
    // OBS-3: config.toml's and linked files' [[alerts]] replace the rules of that file
    checkAlerts: (source, rules) => alerting.checkRulesFromSource(source, rules),
    onAlerts: async (source, rules) => {
      // config.toml is read again at each daemon start; a linked file's rules are kept like `alerts.set`'s
      const isPersistent = source !== join(home, DAEMON_CONFIG_FILE);
      const earlier = (await alerting.alerts()).filter((s) => s.rule.source === source).map((s) => s.rule);
      await alerting.setRulesFromSource(source, rules, { isPersistent }).catch((error: unknown) => {
        log(`alerts of ${source}: ${error instanceof Error ? error.message : String(error)}`);
      });
      return earlier;
    },
  });

  /**
   * CFG-2: gives an app a new spec in place (no process restarts): what reads the spec at its use
   * (stop, exit, sample) follows at once; the probes and the watchdog of online processes start over
   * with theirs when they changed, and the job state and `cron_restart` schedule are set again; the
   * log pipelines move to new log files or settings (throws, changing nothing, when one cannot open);
   * the file watcher follows the watch settings; a job's new schedule or interval is armed.
   */
  function respec(entry: AppEntry, spec: AppSpec): void {
    const before = entry.spec;
    const hasNewLogFiles = hasNewLogs(home, before, spec);
    if (hasNewLogFiles) table.retargetLogs(entry, spec);
    entry.spec = spec;
    // a watched app's own log files are no change: the watcher learns their new paths; watch mode
    // turned on or off, or its paths, ignores or delay changed, opens, closes or replaces the watcher
    if (hasNewLogFiles || hasNewWatch(before, spec)) watchMode.sync();
    const hasNewProbes = JSON.stringify(probesOf(before)) !== JSON.stringify(probesOf(spec));
    const hasNewWatchdog = JSON.stringify(before.watchdog) !== JSON.stringify(spec.watchdog);
    for (const id of entry.ids) {
      const record = table.records.get(id);
      if (record?.status !== 'online' || !record.run) continue;
      if (hasNewProbes) {
        probes.detach(record);
        probes.attach(record);
      }
      if (hasNewWatchdog) watchdogs.onOnline(record);
    }
    attachApp(entry);
    if (before.schedule !== spec.schedule || before.intervalMs !== spec.intervalMs) {
      for (const id of entry.ids) jobs.reschedule(table.records.get(id)!);
    }
  }

  /** Gives an app just added to the table its job state and its `cron_restart` schedule. */
  function attachApp(entry: AppEntry): void {
    for (const id of entry.ids) jobs.attach(table.records.get(id)!);
    cronRestarts.sync(entry.spec.name, entry.spec.cronRestart);
  }

  /**
   * SUP-12: launches apps in order; one with `depends_on` waits (status `starting`) in the background;
   * `isRestoring` for saved state brought back (see `DependencyGate.hold`).
   */
  async function launchApps(
    groups: ProcessRecord[][],
    launchOptions?: LaunchOptions,
    isRestoring = false,
  ): Promise<void> {
    // SUP-7: watching before the first spawn (a start, a restart of a stopped app, a restore), so that
    // what an app writes into its watched paths as it starts, or a file saved meanwhile, restarts it
    const watched = groups.flatMap((records) =>
      records[0]?.app.spec.watch ? [records[0].app.spec.name] : [],
    );
    if (watched.length > 0) {
      watchMode.sync();
      await watchMode.whenReady(watched);
    }
    for (const records of groups) {
      if ((records[0]?.app.spec.dependsOn.length ?? 0) === 0) await lifecycle.launch(records, launchOptions);
      else gate.hold(records, { isRestoring });
    }
  }

  /**
   * SUP-7 in cluster mode: the workers a change restarts are replaced one by one as `velos reload`
   * replaces them, each once its successor is ready, so the app keeps serving; one that is no longer a
   * running worker is restarted.
   */
  function reloadForWatch(records: ProcessRecord[]): Promise<void> {
    return reloadOneByOne(records, {
      reload: (record) =>
        runOp(record, async () => (cluster && isLive(record) ? cluster.reload(record, 'watch') : null)),
      restart: (record) => restartOne(record, 'watch'),
      publish,
    });
  }

  /**
   * SUP-6 for a process that is not a cluster worker: a restart, and with a probe the reload waits
   * until the new run is ready (within `listen_timeout`) before it goes on to the next instance; a run
   * that is not ready in time, or that ends first, ends the reload, the instances not reached keep their
   * old run; one the user stopped or deleted meanwhile is passed over. False: it was not restarted.
   */
  async function restartWhenReady(record: ProcessRecord, isStopStanding: boolean): Promise<boolean> {
    if (!(await restartOne(record, 'reload', 0, isStopStanding))) return false;
    await record.run?.channel?.ready; // issue #14: wait_ready in fork mode
    const spec = record.app.spec;
    if (!spec.readinessProbe && !spec.livenessProbe) return true;
    const run = record.run;
    if (await probes.whenReady(record, spec.listenTimeoutMs)) return true;
    // once what ended its run is done (a stop, a delete, the restart policy), a user's stop or delete
    // stands and the reload goes on without it: it failed with TIMEOUT, not ready within listen_timeout
    await runOp(record, async () => undefined);
    if (!isLive(record) || (record.status === 'stopped' && record.lastExitReason === 'user')) {
      log(`reload: process ${record.id} (${spec.name}) was stopped by the user before it was ready`);
      return true;
    }
    const how =
      record.run === run && run !== null
        ? `was not ready within listen_timeout ${spec.listenTimeoutMs} ms after its restart (${whyNotReady(record)})`
        : `ended (${record.lastExitReason ?? 'unknown'}) before it was ready after its restart (it is ${record.status})`;
    const why = `reload: process ${record.id} (${spec.name}) ${how}; the instances after it were not reloaded`;
    log(why);
    throw new VelosError(ErrorCodes.TIMEOUT, why, { data: { id: record.id, name: spec.name } });
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

  /**
   * Starts apps (their names locked): checked again here, since an earlier start of a name may just have
   * ended. `isReplace`: an app that runs is stopped first and its start counts as a restart.
   */
  async function startApps(given: AppSpec[], isReplace = false): Promise<ProcessInfo[]> {
    checkStartable(given, table, isReplace);
    // a start of a linked file's app again (`startOrRestart <file>`) keeps a run-time scale, as a reload does
    const specs = given.map((spec) => {
      const old = table.apps.get(spec.name)?.spec;
      return old?.source && old.source.file === spec.source?.file ? withRunTimeScale(old, spec) : spec;
    });
    const ordered = orderByDependencies(specs, (spec) => spec, table.apps);
    await checkJobSpecs(specs);
    await loadClassifierFor(specs);
    await loadClusterFor(specs);
    for (const spec of specs) {
      if (spec.logRotateCron) await checkCronExpression(spec.logRotateCron);
      if (spec.cronRestart) await checkCronExpression(spec.cronRestart, 'cron_restart');
    }
    const replaced = isReplace ? await stopReplaced(specs) : [];
    // A restore may have added one of the names during the awaits above: from here on nothing awaits.
    for (const spec of specs) checkNameFree(spec.name, table);
    let staged: ReturnType<typeof table.stageAll>;
    try {
      staged = table.stageAll(ordered);
    } catch (error) {
      // the stopped apps run again as they were (their spec is unchanged)
      await Promise.all(replaced.map((record) => restartOne(record)));
      if (replaced.length === 0 || !isVelosError(error)) throw error;
      const names = [...new Set(replaced.map((record) => record.app.spec.name))].join(', ');
      throw new VelosError(
        error.code,
        `${error.message} (${names}: running again with the previous options)`,
        {
          cause: error,
          data: error.data,
        },
      );
    }
    for (const record of replaced) lifecycle.countRestart(record);
    const replacedNames = new Set(replaced.map((record) => record.app.spec.name));
    const started: ProcessRecord[] = [];
    const groups: ProcessRecord[][] = [];
    for (const [i, spec] of ordered.entries()) {
      const entry = staged[i]!.commit();
      attachApp(entry);
      // autostart = false (PM2's autostart: false): listed stopped, `velos start <name>` starts it; an
      // app that ran before a start that replaces it runs again
      if (spec.autostart === false && !replacedNames.has(spec.name)) {
        started.push(...entry.ids.map((id) => table.records.get(id)!));
        log(`added ${spec.name} stopped (id ${entry.ids.join(', ')}): autostart is false`);
        continue;
      }
      groups.push(lifecycle.prepare(entry.ids, true));
      started.push(...groups.at(-1)!);
      log(`starting ${spec.name} (id ${entry.ids.join(', ')})`);
    }
    await launchApps(groups);
    watchMode.sync();
    return started.map(infoOf);
  }

  /** The running processes of the apps of `specs` (their names locked), stopped for a start that replaces them. */
  async function stopReplaced(specs: AppSpec[]): Promise<ProcessRecord[]> {
    const records = specs.flatMap((spec) =>
      (table.apps.get(spec.name)?.ids ?? [])
        .map((id) => table.records.get(id)!)
        .filter((record) => isActive(record.status)),
    );
    await lifecycle.stopInWaves(records);
    return records;
  }

  /**
   * SUP-5 `scale` of the app called `name` (locked): the app is looked up again, it may be gone. A
   * run-time scale (`velos scale`) of an app linked to a config file is recorded in its link, so
   * that reloads of the file keep the count while the file's own count stays what it was.
   */
  async function scaleApp(name: string, instances: string, isRunTime: boolean): Promise<ProcessInfo[]> {
    const entry = appOf(name, 'scale');
    const current = entry.ids.length;
    const count = scaledCount(entry.spec.name, current, instances);
    checkJobInstances(entry.spec, count, `scale ${entry.spec.name}`);
    const isRunning = entry.ids.some((id) => isActive(table.records.get(id)!.status));
    // New instances' log pipelines are opened first: when that fails, the app and its spec are unchanged.
    const added = count > current ? table.addInstances(entry, count - current) : [];
    const link = entry.spec.source;
    const source = isRunTime && link ? scaledSource(link, entry.spec.instances, count) : link;
    entry.spec = { ...entry.spec, instances: count, ...(source ? { source } : {}) };
    log(`scale ${entry.spec.name}: ${current} → ${count} instance(s)`);
    if (count > current) {
      for (const record of added) jobs.attach(record);
      if (isRunning) {
        const prepared = lifecycle.prepare(entry.ids.slice(current), true);
        // SUP-12: new instances of an app waiting for its depends_on wait with it (they started at once)
        const held = entry.ids.slice(0, current).find((id) => gate.holds(table.records.get(id)!));
        if (held === undefined || !gate.holdLike(prepared, table.records.get(held)!))
          await lifecycle.launch(prepared);
      }
    } else if (count < current) {
      const records = entry.ids.map((id) => table.records.get(id)!);
      const highest = records.sort((a, b) => b.instance - a.instance).slice(0, current - count);
      // a cluster worker leaves the shared port and finishes its requests before its stop signal, as a
      // reload's old worker does (a request it had accepted was cut: 0-5 resets a scale-down under load)
      const runner = cluster;
      const drain = runner ? (record: ProcessRecord) => runner.drain(record) : undefined;
      await Promise.all(highest.map((record) => lifecycle.deleteOne(record, drain)));
    }
    // answered once the live table has the new count (the run journal has the new runs since their
    // spawn): a daemon crash right after must not undo it
    const records = entry.ids.map((id) => table.records.get(id)!);
    await live.flush();
    return records.map(infoOf);
  }

  /** `scaleApp` under the app's lock, with `process.scaled` when the count changed. */
  async function scaleLocked(name: string, instances: string, isRunTime: boolean): Promise<ProcessInfo[]> {
    const app = appOf(name, 'scale');
    const before = app.ids.length;
    const scaled = await appLocks.run([app.spec.name], () => scaleApp(app.spec.name, instances, isRunTime));
    const after = table.apps.get(app.spec.name)?.ids.length ?? 0;
    if (after !== before) {
      eventControl.bus.publish({
        kind: 'process.scaled',
        severity: 'info',
        app: app.spec.name,
        message: `${app.spec.name} scaled from ${before} to ${after} instance(s)`,
        fields: { from: before, to: after },
      });
    }
    return scaled;
  }

  /**
   * Writes `state.json`; resolves with its path and how many processes it holds (unrestored apps'
   * included). `isEmptyRefused` (a `save` not forced): no process is `nothingToSave`, nothing written.
   */
  function saveState(isEmptyRefused = false): Promise<{ path: string; count: number }> {
    const write = async (): Promise<{ path: string; count: number }> => {
      const state = table.toState();
      const count = state.apps.reduce((sum, app) => sum + app.ids.length, 0);
      if (count === 0 && isEmptyRefused) throw nothingToSave(home);
      mkdirSync(home, { recursive: true, mode: 0o700 });
      return { path: await writeState(home, state), count };
    };
    const result = saving.then(write, write);
    saving = result.catch(() => undefined);
    return result;
  }

  /** The `kill` under way: another one (a second CLI, SIGTERM) waits for it and gets its answer. */
  let killing: Promise<{ stopped: number }> | null = null;

  /** Saves the state (not in an `isEphemeral` run), then stops every app (`velos kill`, SIGTERM); the daemon exits after it. */
  async function killAll(): Promise<{ stopped: number }> {
    if (options.isEphemeral !== true)
      await saveState().catch((error: unknown) => {
        throw isVelosError(error)
          ? new VelosError(error.code, `${error.message}; nothing was stopped`, {
              cause: error,
            })
          : error;
      });
    // a daemon that dies while it stops them leaves them running in run/live.json, to be brought back
    await live.hold();
    cronRestarts.stopAll();
    const active = table.sorted().filter((record) => isActive(record.status));
    options.onStopAll?.(shutdownBudgetMs(active, table.apps));
    const stopped = await lifecycle.stopInWaves(active);
    await watchMode.closeAll();
    await live.clear();
    metricsControl.history.save();
    log(`kill: stopped ${stopped} process(es)`);
    return { stopped };
  }

  // told to the command that starts the daemon (its ping), and in daemon.log
  const zoneWarning = timeZoneWarning();
  if (zoneWarning !== null) log(zoneWarning);

  const supervisor: Supervisor = {
    home,

    async ping(): Promise<PingResult> {
      return {
        version: VELOS_VERSION,
        pid: process.pid,
        uptimeMs: Date.now() - createdAt,
        home,
        processes: table.records.size,
        warnings: zoneWarning === null ? restore.warnings() : [zoneWarning, ...restore.warnings()],
      };
    },

    async start(specs, startOptions = {}) {
      const isReplace = startOptions.replace === true;
      checkStartable(specs, table, isReplace);
      const started = await appLocks.run(
        specs.map((spec) => spec.name),
        () => startApps(specs, isReplace),
      );
      config.syncWatches();
      // answered once the live table has them (the run journal has their runs since their spawn): a
      // daemon crash right after must not stop them as unknown, nor as unregistered strays
      await live.flush();
      return started;
    },

    async stop(target) {
      const targets = table.select(target);
      await lifecycle.stopInWaves(targets);
      watchMode.sync();
      // answered once the live table says so: a daemon crash right after must not start them again
      await live.flush();
      return targets.map(infoOf);
    },

    async restart(target, restartOptions) {
      const targets = table.select(target);
      await checkMaskedUpdate(targets, restartOptions?.env);
      updateEnv(targets, restartOptions);
      // SUP-12: the stopped and errored ones start as a start does (`velos start all`, `restart all` of
      // a stopped stack): an app after the apps it depends on, once their conditions are met
      const stopped = targets.filter((record) => !isActive(record.status));
      const running = targets.filter((record) => isActive(record.status));
      // issue #14 wait_ready: the restart answers once its Node apps said 'ready' (or listen_timeout),
      // as a start does (a cluster worker once online with its pid)
      await Promise.all([
        lifecycle.prepareStopped(stopped).then((groups) => launchApps(groups, undefined, true)),
        // one the dependency gate holds is left waiting (not restarted): nothing of it to wait for
        ...running.map(async (record) => {
          if (await restartOne(record)) await lifecycle.whenStarted(record);
        }),
      ]);
      watchMode.sync();
      return targets.map(infoOf);
    },

    async reload(target, reloadOptions) {
      const targets = table.select(target);
      await checkMaskedUpdate(targets, reloadOptions?.env);
      const undoEnv = updateEnv(targets, reloadOptions);
      const reloaded = new Set<ProcessRecord>();
      // one that ran when the reload began and that `velos stop` stopped before its turn stays stopped
      const wasActive = new Set(targets.filter((record) => isActive(record.status)));
      try {
        await reloadOneByOne(targets, {
          reload: async (record) => {
            const replaced = await runOp(record, async () =>
              cluster && isLive(record) ? cluster.reload(record) : null,
            );
            if (replaced) reloaded.add(record);
            return replaced;
          },
          restart: async (record) => {
            const isRestarted = await restartWhenReady(record, wasActive.has(record));
            reloaded.add(record);
            return isRestarted;
          },
          publish,
        });
      } catch (error) {
        // a failed reload keeps the environment the apps it did not finish ran with, for their next runs too
        undoEnv(targets.filter((record) => !reloaded.has(record)));
        live.touch();
        throw error;
      }
      return targets.map(infoOf);
    },

    scale: (name, instances) => scaleLocked(name, instances, true),

    async runs(target, limit) {
      return listRuns(selectJobs(table.select(target), target), limit);
    },

    async trigger(target, options) {
      const targets = selectJobs(table.select(target), target);
      const isForced = options?.force === true;
      // --force runs a job whose dependency went down; one still waiting for its first start stays refused
      checkTriggerable(targets, gate.unmetOf, isForced ? undefined : gate.unmetNow);
      await Promise.all(targets.map((record) => runOp(record, async () => jobs.trigger(record, isForced))));
      return targets.map(infoOf);
    },

    async delete(target) {
      return (await supervisor.deleteResult(target)).processes;
    },

    async deleteResult(target) {
      const { records, forgotten } = table.selectForDelete(target);
      for (const saved of forgotten)
        log(
          `delete: forgot ${saved.spec.name} (id ${saved.ids.join(', ')}), a saved app that was not restored`,
        );
      const deleted = await lifecycle.deleteInWaves(records);
      watchMode.sync();
      config.syncWatches();
      for (const info of deleted) {
        eventControl.bus.publish({
          kind: 'process.deleted',
          severity: 'info',
          app: info.name,
          id: info.id,
          message: `${info.name} (id ${info.id}) deleted`,
        });
      }
      // answered once the live table says so: a daemon crash right after must not bring them back
      await live.flush();
      if (forgotten.length === 0) return { processes: deleted };
      const dropped = forgotten.map((saved) => ({ name: saved.spec.name, ids: [...saved.ids] }));
      return { processes: deleted, forgotten: dropped };
    },

    async list() {
      // a process held by its depends_on says for what, as describe does: `velos list` shows it
      return table.sorted().map(infoOf);
    },

    async describe(target) {
      return table.select(target).map((record) => {
        const detail = toDetail(record);
        const custom = metricsControl.customSeries(record.id);
        return { ...detail, ...(custom.length > 0 ? { custom } : {}), ...waitingForOf(record) };
      });
    },

    async logs(request) {
      return (
        await tailLogs(
          selectLogRecords(table, request.target),
          request.lines ?? DEFAULT_TAIL_LINES,
          request.stream ?? 'all',
        )
      ).lines;
    },

    async logsResult(request) {
      const result = await tailLogs(
        selectLogRecords(table, request.target),
        request.lines ?? DEFAULT_TAIL_LINES,
        request.stream ?? 'all',
        undefined,
        request.withBytes === true,
      );
      if (request.withLevels !== true) return result;
      return { ...result, lines: await lineLevels.tail(request.target, result.lines) };
    },

    followLogs(request) {
      const { target } = request;
      // new processes join a follow of everything, of their app's name or namespace, or of a /regex/ of names
      const isFollowed = logFollowMatcher(target);
      const follow = followLogs(
        selectLogRecords(table, target, true),
        request.lines ?? DEFAULT_TAIL_LINES,
        request.stream ?? 'all',
        (onRecord) => table.watchRecords((record) => isFollowed(record) && onRecord(record)),
        request.withBytes === true,
      );
      return request.withLevels === true ? lineLevels.follow(follow) : follow;
    },

    searchLogs: logQueries.searchLogs,
    analyzeLogs: logQueries.analyzeLogs,
    events: eventControl.events,
    followEvents: eventControl.followEvents,
    emitEvent: eventControl.emitEvent,
    bus: eventControl.bus,
    async reportComponent(request) {
      const app = request.app === undefined ? undefined : eventControl.appOf(request.app).app;
      return reportedComponents.report(app === undefined ? request : { ...request, app });
    },
    components: async () => reportedComponents.list(),
    removeComponent: async (name) => reportedComponents.remove(name),
    async health() {
      const health = await selfHealth.health();
      const reported = reportedComponents.list();
      return reported.length === 0 ? health : { ...health, reported };
    },
    registerHealthCheck: selfHealth.registerHealthCheck,
    reportHealth: selfHealth.reportHealth,
    watchHealth: selfHealth.watch,
    endStartup: selfHealth.endStartup,

    metrics: metricsControl.metrics,
    metricsHistory: metricsControl.metricsHistory,
    reportMetric: metricsControl.reportMetric,
    recordIpcRequest: metricsControl.recordIpcRequest,

    alerts: alerting.alerts,
    addAlert: alerting.addAlert,
    removeAlert: alerting.removeAlert,
    testAlert: alerting.testAlert,
    setAlerts: alerting.setAlerts,
    alerting,

    configReload: config.configReload,
    configGet: config.configGet,
    configSet: config.configSet,
    configSetResult: config.configSetResult,
    config,

    async flush(target) {
      const targets = table.select(target);
      await Promise.all(targets.map((record) => record.pipeline.flush()));
      const paths = targets.map((record) => instanceLogPaths(record.app, record.id));
      // the combined file (`log_file`, PM2's -l) is emptied too; a device (`out_file = "/dev/null"`) is not
      return [
        ...new Set(paths.flatMap((files) => [files.outPath, files.errPath, files.combinedPath ?? []].flat())),
      ].filter((path) => !isDevice(path));
    },

    async reloadLogs(target) {
      const results = await Promise.allSettled(
        table.select(target).map((record) => record.pipeline.reopen()),
      );
      const reopened = new Set(
        results.flatMap((result) => (result.status === 'fulfilled' ? result.value : [])),
      );
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      // a file left unopened is told, not only written in daemon.log: its lines still go to the old file
      if (failures.length > 0) throw reopenFailure(failures, reopened.size);
      return [...reopened];
    },

    async save(options) {
      const saved = await saveState(options?.force !== true);
      log(`saved ${saved.count} process(es) to ${saved.path}`);
      return saved;
    },

    async resurrect() {
      const processes = await restore.load(true);
      const skipped = restore.skipped();
      const warnings = restore.warnings();
      return skipped.length === 0 ? { processes, warnings } : { processes, warnings, skipped };
    },

    async restore() {
      const restored = await restore.load(false, true, options.isEphemeral === true);
      await metricsControl.history.load();
      // before the alerts: a restored `component stale` alert takes the components restored stale
      reportedComponents.restore(readComponents(home, log));
      await alerting.restore();
      return restored;
    },

    kill() {
      killing ??= killAll().catch((error: unknown) => {
        killing = null;
        throw error;
      });
      return killing;
    },

    async handOver() {
      // `velos update` ends this daemon with SIGKILL next, which skips `close`: what it saves is saved now
      // (the metrics history was saved every 5 minutes only: up to 5 minutes of it were lost)
      metricsControl.history.save();
      if (componentsSave !== null) saveComponents();
      return readHandOver.handOver();
    },

    // PM2 drop-in (#14)
    async signal(target, signal) {
      const signalled = signalRecords(table.select(target), signal, target);
      log(`sent ${signal} to ${signalled.map((record) => record.id).join(', ')} (${target})`);
      return signalled.map(infoOf);
    },

    async reset(target) {
      const targets = table.select(target);
      resetCounters(targets);
      live.touch();
      return targets.map(infoOf);
    },

    warnings: () => restore.warnings(),

    statusEvents: {
      subscribe: (listener) => table.statusEvents.subscribe(listener),
      unsubscribe: (listener) => table.statusEvents.unsubscribe(listener),
    },

    async close() {
      if (lifecycle.isClosed()) return;
      lifecycle.close();
      // as in kill: what close stops (job runs, every app) is not written as stopped
      await live.hold();
      alerting.close();
      metricsControl.close();
      monitor.stop();
      readHandOver.close();
      selfHealth.close();
      if (componentsSave !== null || reportedComponents.list().length > 0) saveComponents();
      reportedComponents.close();
      cronRestarts.stopAll();
      probes.close();
      watchdogs.stopAll();
      await watchMode.closeAll();
      jobs.stopAll();
      gate.close();
      config.close();
      const all = table.sorted();
      // only what runs or waits to: an errored or stopped process has nothing to stop, and a
      // `process.stopped (user)` for it would be false (the next daemon restores it as it was)
      await lifecycle.stopInWaves(all.filter((record) => isActive(record.status) || record.run !== null));
      await cluster?.close();
      await live.clear();
      closeRunJournal(runDirOf(home));
      await Promise.all(all.map((record) => record.pipeline.close().catch(() => undefined)));
      liveEngines.close();
      eventControl.close();
    },
  };
  return supervisor;
}

/**
 * A restart's or reload's `env` holding the `****` a read shows in place of a secret of one of the apps
 * of `targets`, the app's own or inherited, is refused before any of them restarts (masked-env.ts, loaded
 * only when a value holds the mask).
 */
async function checkMaskedUpdate(
  targets: readonly ProcessRecord[],
  env: Record<string, string> | undefined,
): Promise<void> {
  if (env === undefined || !Object.values(env).some((value) => value.includes(MASK))) return;
  const specs = new Set(targets.map((record) => record.app.spec));
  (await import('./config/masked-env.js')).checkMaskedUpdateEnv(specs, env);
}
