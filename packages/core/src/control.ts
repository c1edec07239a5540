import type { AlertDelivery, AlertRule, AlertStatus } from './alert-rule.js';
import type { AppSpec } from './app-spec.js';
import type { ComponentReportRequest, ReportedComponent } from './component-report.js';
import type { ConfigReloadResult, ConfigSetResult } from './config-commands.js';
import type { DaemonHealth } from './daemon-health.js';
import type { EmitEventRequest, EventsRequest, EventsResult, VelosEvent } from './events.js';
import type {
  LogsAnalyzeRequest,
  LogsAnalyzeResult,
  LogsSearchRequest,
  LogsSearchResult,
} from './log-analysis.js';
import type {
  MetricReportRequest,
  MetricsHistory,
  MetricsHistoryRequest,
  MetricsSnapshot,
  ProcessLabels,
} from './metrics.js';
import type { JobRun, LogLine, ProcessDetail, ProcessInfo } from './process-info.js';
import type { DeleteResult, LogsRequest, LogsResult, PingResult, ResurrectResult } from './protocol.js';

/**
 * How `restart`/`reload` change an app's environment before its next run: `env` (the caller's
 * environment) replaces what the app inherited, `ownEnv` (a process file's `env` with its
 * `env_<profile>`) replaces the app's own part, which is merged over the inherited one.
 */
export interface EnvOptions {
  env?: Record<string, string>;
  ownEnv?: Record<string, string>;
}

/**
 * How `trigger` treats a job whose `depends_on` is not met (one held waiting for it, or a dependency
 * stopped or failed since): refused unless `force`, which runs it anyway, the run marked `forced`.
 */
export interface TriggerOptions {
  force?: boolean;
}

/**
 * How `start` treats an app of the same name that runs: refused (NAME_IN_USE) unless `replace`, which
 * stops it and starts it with the new spec, counted as a restart (PM2's `pm2 restart ecosystem.config.js`).
 */
export interface StartOptions {
  replace?: boolean;
}

/** A live stream of items that the consumer can cancel. */
export interface Subscription<T> extends AsyncIterable<T> {
  /** Stops the stream; the iterator then ends. */
  cancel(): void;
}

/**
 * The one interface through which the CLI, the API and the MCP server control Velos,
 * implemented over IPC by `@velos/client` and in-process by the supervisor.
 */
export interface VelosControl {
  ping(): Promise<PingResult>;
  start(apps: AppSpec[], options?: StartOptions): Promise<ProcessInfo[]>;
  /** Stops the target's processes; several targets are one selection, stopped in `depends_on` waves. */
  stop(target: string | string[]): Promise<ProcessInfo[]>;
  /**
   * Restarts the target's processes; several targets are one selection, whose stopped apps start as a
   * start does (each after the apps it depends on).
   */
  restart(target: string | string[], options?: EnvOptions): Promise<ProcessInfo[]>;
  /** SUP-6: replaces cluster instances one at a time, each new one ready before the old one stops; fork mode restarts. */
  reload(target: string, options?: EnvOptions): Promise<ProcessInfo[]>;
  /** SUP-5: sets an app's instance count to `N`, or changes it by `+N`/`-N`. */
  scale(name: string, instances: string): Promise<ProcessInfo[]>;
  /** SUP-8: the run history of the target's jobs, newest first. */
  runs(target: string, limit?: number): Promise<(JobRun & { id: number; name: string })[]>;
  /**
   * SUP-8: runs the target's jobs now (a job already running is left alone; one still waiting for its
   * `depends_on`, or whose dependency is down, is refused unless `force`).
   */
  trigger(target: string, options?: TriggerOptions): Promise<ProcessInfo[]>;
  /** Stops and removes the target's processes (several targets as one selection, as `stop`). */
  delete(target: string | string[]): Promise<ProcessInfo[]>;
  /** `delete`, with the saved apps never restored that it dropped from the saved state. */
  deleteResult(target: string | string[]): Promise<DeleteResult>;
  list(): Promise<ProcessInfo[]>;
  describe(target: string): Promise<ProcessDetail[]>;
  logs(request: LogsRequest): Promise<LogLine[]>;
  /** The lines `logs` gives, with the notice of what the answer's byte limit left out (`cut`). */
  logsResult(request: LogsRequest): Promise<LogsResult>;
  followLogs(request: LogsRequest): Subscription<LogLine[]>;
  /** ENG-7: the newest lines of an app's logs (rotated files included) matching a regex, level and time range. */
  searchLogs(request: LogsSearchRequest): Promise<LogsSearchResult>;
  /** ENG-2/4/5/6: the log engine's summary, patterns, dedupe or anomalies of an app's logs. */
  analyzeLogs(request: LogsAnalyzeRequest): Promise<LogsAnalyzeResult>;
  /** OBS-2: events of the bus that match, oldest first (the newest `limit`, default 100). */
  events(request?: EventsRequest): Promise<EventsResult>;
  /** OBS-2: the matching events of `events`, then each new one as it happens. */
  followEvents(request?: EventsRequest): Subscription<VelosEvent[]>;
  /** OBS-2: puts an app's own event (`app.<name>`) on the bus; resolves the event as recorded. */
  emitEvent(request: EmitEventRequest): Promise<VelosEvent>;
  /** OBS-2: records an outside component's report (status, interval); resolves the component as kept. */
  reportComponent(request: ComponentReportRequest): Promise<ReportedComponent>;
  /** OBS-2: every reported component with its status and whether it is stale, by name. */
  components(): Promise<ReportedComponent[]>;
  /** OBS-2: forgets a reported component (one that was retired); resolves it as it was. */
  removeComponent(name: string): Promise<ReportedComponent>;
  /** OBS-4: the daemon's self-health, evaluated now (components and the worst status). */
  health(): Promise<DaemonHealth>;
  /** OBS-1: every figure the daemon measures now (processes, daemon, host, custom app metrics). */
  metrics(): Promise<MetricsSnapshot>;
  /** OBS-7: CPU, memory, restarts and log rate of the target's processes over time (24 h at most). */
  metricsHistory(request: MetricsHistoryRequest): Promise<MetricsHistory[]>;
  /**
   * OBS-6: takes a custom metric report for the target's process, as if the process had written it;
   * resolves the process it went to. A report the rules refuse is `INVALID_ARGUMENT` with the reason,
   * counted in `customMetricsRejected` as the process's own refused reports are.
   */
  reportMetric(request: MetricReportRequest): Promise<ProcessLabels>;
  /** OBS-3: every alert rule with its state and last delivery. */
  alerts(): Promise<AlertStatus[]>;
  /** OBS-3: adds a rule at run time (source `runtime`, kept in `alerts.json`). */
  addAlert(rule: AlertRule): Promise<AlertStatus>;
  /** OBS-3: removes the rule called `name`; resolves the removed rule. */
  removeAlert(name: string): Promise<AlertRule>;
  /** OBS-3: sends a test notification through the rule's channels; resolves each delivery. */
  testAlert(name: string): Promise<AlertDelivery[]>;
  /** OBS-3: replaces the rules of `source` (a config file's path) with `rules`. */
  setAlerts(source: string, rules: AlertRule[]): Promise<AlertStatus[]>;
  /** CFG-2: re-reads `file` (absolute; every linked file and config.toml when absent) and applies the difference. */
  configReload(file?: string): Promise<ConfigReloadResult>;
  /** CFG-2: the effective spec of the app `target` names. */
  configGet(target: string): Promise<AppSpec>;
  /**
   * CFG-2: validates `changes` (config keys) over the app's spec and runs it with the result: in place
   * when only policy keys changed, else by a restart (see `configSetResult`).
   */
  configSet(target: string, changes: Record<string, unknown>): Promise<AppSpec>;
  /** `configSet`, with how the spec was applied (restarted, updated in place, scaled, or stored). */
  configSetResult(target: string, changes: Record<string, unknown>): Promise<ConfigSetResult>;
  flush(target?: string): Promise<string[]>;
  /** Closes and reopens the log files of the target (all when absent) by path, for external rotators; resolves the paths. */
  reloadLogs(target?: string): Promise<string[]>;
  /**
   * Writes the process list to the state file. With no process listed it is refused
   * (`NOTHING_TO_SAVE`, the file left as it is) unless `force`: it would wipe the saved list.
   */
  save(options?: { force?: boolean }): Promise<{ path: string; count: number }>;
  /** Starts the apps of the last `save` again; `warnings` tell what of the saved state could not be read. */
  resurrect(): Promise<ResurrectResult>;
  kill(): Promise<{ stopped: number }>;
  /**
   * SUP-13: before `velos update` ends this daemon, stops reading every process's output (it stays in
   * the FIFOs for the next daemon) and resolves once what was read is written; reads again after
   * 30 s if the daemon was not ended meanwhile. `processes`: the processes whose reads stopped.
   */
  handOver(): Promise<{ processes: number }>;
  /** PM2 `sendSignal`: sends `signal` (a name such as `SIGUSR2`) to the target's running processes. */
  signal(target: string, signal: string): Promise<ProcessInfo[]>;
  /** PM2 `reset`: sets the target's restart counters back to 0. */
  reset(target: string): Promise<ProcessInfo[]>;
}
