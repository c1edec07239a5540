import type { AlertDelivery, AlertRule, AlertStatus } from './alert-rule.js';
import type { AppSpec } from './app-spec.js';
import {
  type CommandEntry,
  type ItemOf,
  requestCommand,
  streamCommand,
  type Value,
} from './command-definition.js';
import type { ComponentReportRequest, ReportedComponent } from './component-report.js';
import type { ConfigReloadResult, ConfigSetRequest, ConfigSetResult } from './config-commands.js';
import type { EnvOptions, StartOptions, TriggerOptions } from './control.js';
import type { EmitEventRequest, EventsRequest, VelosEvent } from './events.js';
import type { LogsAnalyzeRequest, LogsSearchRequest } from './log-analysis.js';
import type { MetricReportRequest, MetricsHistoryRequest, ProcessLabels } from './metrics.js';
import type { ProcessInfo } from './process-info.js';
import type { DeleteResult, LogsRequest, LogsResult, TargetRequest, TargetsRequest } from './protocol.js';

type EnvRequest = TargetRequest & EnvOptions;
type RestartRequest = TargetsRequest & EnvOptions;
type StartRequest = { apps: AppSpec[] } & StartOptions;

const READS = { isReadOnly: true, isIdempotent: true, isDestructive: false } as const;
const noPayload = { hasNoPayload: true, toPayload: (): Record<string, never> => ({}), toArgs: (): [] => [] };
const targetPayload = {
  toPayload: (target: string): TargetRequest => ({ target }),
  toArgs: (payload: TargetRequest): [string] => [payload.target],
};
const targetsPayload = {
  toPayload: (target: string | string[]): TargetsRequest => ({ target }),
  toArgs: (payload: TargetsRequest): [string | string[]] => [payload.target],
};
const optionalTargetPayload = {
  toPayload: (target?: string): { target?: string } => (target === undefined ? {} : { target }),
  toArgs: (payload: { target?: string }): [string?] => (payload.target === undefined ? [] : [payload.target]),
};
const envPayload = {
  toPayload: (target: string, options: EnvOptions = {}): EnvRequest => ({ target, ...envOptions(options) }),
  toArgs: (payload: EnvRequest): [string, EnvOptions?] =>
    payload.env === undefined && payload.ownEnv === undefined
      ? [payload.target]
      : [payload.target, envOptions(payload)],
};
const restartPayload = {
  toPayload: (target: string | string[], options: EnvOptions = {}): RestartRequest => ({
    target,
    ...envOptions(options),
  }),
  toArgs: (payload: RestartRequest): [string | string[], EnvOptions?] =>
    payload.env === undefined && payload.ownEnv === undefined
      ? [payload.target]
      : [payload.target, envOptions(payload)],
};
const logsPayload = {
  toPayload: (request: LogsRequest) => request,
  toArgs: (payload: LogsRequest): [LogsRequest] => [payload],
};
const eventsPayload = {
  toPayload: (request: EventsRequest = {}) => request,
  toArgs: (payload: EventsRequest): [EventsRequest] => [payload],
};
const processesResult = {
  toResult: (processes: ProcessInfo[]) => ({ processes }),
  fromResult: (result: { processes: ProcessInfo[] }) => result.processes,
};
const sameResult = <T>() => ({ toResult: (value: T) => value, fromResult: (result: T) => result });

/**
 * Every command of the protocol, defined once: the protocol types (`CommandMap`), the client's
 * methods, the daemon's dispatcher and in-process validation derive from it, and so do the REST
 * routes and MCP tools. Request schemas are in `@velos/core/schemas`, by the same names, so this
 * table loads no zod.
 */
export const PROTOCOL_COMMANDS = {
  ping: requestCommand({
    method: 'ping',
    description: "The daemon's version, pid, uptime and process count, and its restore warnings.",
    ...READS,
    ...noPayload,
    ...sameResult<Value<'ping'>>(),
  }),
  start: requestCommand({
    method: 'start',
    description:
      'Starts apps from their specs (all or nothing); with replace, an app that runs is restarted with its new spec.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (apps: AppSpec[], options: StartOptions = {}): StartRequest =>
      options.replace ? { apps, replace: true } : { apps },
    toArgs: (payload: StartRequest): [AppSpec[], StartOptions?] =>
      payload.replace ? [payload.apps, { replace: true }] : [payload.apps],
    ...processesResult,
  }),
  stop: requestCommand({
    method: 'stop',
    description: "Stops the target's processes; they stay listed.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...targetsPayload,
    ...processesResult,
  }),
  restart: requestCommand({
    method: 'restart',
    description: "Restarts the target's processes, optionally with a new env.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...restartPayload,
    ...processesResult,
  }),
  reload: requestCommand({
    method: 'reload',
    description:
      'Replaces cluster instances one at a time, each ready before the old one stops; fork mode restarts.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...envPayload,
    ...processesResult,
  }),
  scale: requestCommand({
    method: 'scale',
    description: "Sets an app's instance count to N, or changes it by +N or -N.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (name: string, instances: string) => ({ name, instances }),
    toArgs: (payload: { name: string; instances: string }): [string, string] => [
      payload.name,
      payload.instances,
    ],
    ...processesResult,
  }),
  runs: requestCommand({
    method: 'runs',
    description: "The run history of the target's jobs, newest first.",
    ...READS,
    toPayload: (target: string, limit?: number): TargetRequest & { limit?: number } =>
      limit === undefined ? { target } : { target, limit },
    toArgs: (payload: TargetRequest & { limit?: number }): [string, number?] =>
      payload.limit === undefined ? [payload.target] : [payload.target, payload.limit],
    toResult: (runs: Value<'runs'>) => ({ runs }),
    fromResult: (result: { runs: Value<'runs'> }) => result.runs,
  }),
  trigger: requestCommand({
    method: 'trigger',
    description:
      "Runs the target's jobs now; a job already running is left alone, one still waiting for its depends_on is refused (force runs it anyway when a dependency went down after its first start).",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (target: string, options: TriggerOptions = {}): TargetRequest & TriggerOptions =>
      options.force === true ? { target, force: true } : { target },
    toArgs: (payload: TargetRequest & TriggerOptions): [string, TriggerOptions?] =>
      payload.force === true ? [payload.target, { force: true }] : [payload.target],
    ...processesResult,
  }),
  delete: requestCommand({
    method: 'deleteResult',
    description: "Stops the target's processes and removes them from the list.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...targetsPayload,
    ...sameResult<DeleteResult>(),
    views: { delete: (result: DeleteResult) => result.processes },
  }),
  list: requestCommand({
    method: 'list',
    description: 'Every process with its status, pid, restarts, CPU and memory.',
    ...READS,
    ...noPayload,
    ...processesResult,
  }),
  describe: requestCommand({
    method: 'describe',
    description: "The target's processes in detail: spec, paths, health, jobs.",
    ...READS,
    ...targetPayload,
    toResult: (processes: Value<'describe'>) => ({ processes }),
    fromResult: (result: { processes: Value<'describe'> }) => result.processes,
  }),
  logs: requestCommand({
    method: 'logsResult',
    description: 'The most recent captured log lines of the target, and what the byte limit left out.',
    ...READS,
    ...logsPayload,
    ...sameResult<Value<'logsResult'>>(),
    views: { logs: (result: LogsResult) => result.lines },
  }),
  'logs.follow': streamCommand({
    method: 'followLogs',
    description: 'The most recent log lines of the target, then new lines as they are written.',
    ...READS,
    ...logsPayload,
    toItem: (lines: ItemOf<'followLogs'>) => ({ lines }),
    fromItem: (item: { lines: ItemOf<'followLogs'> }) => item.lines,
  }),
  'logs.search': requestCommand({
    method: 'searchLogs',
    description:
      'Searches the captured logs of an app or of several, rotated files included: regex, level and time range; the newest matches.',
    ...READS,
    toPayload: (request: LogsSearchRequest) => request,
    toArgs: (payload: LogsSearchRequest): [LogsSearchRequest] => [payload],
    ...sameResult<Value<'searchLogs'>>(),
  }),
  'logs.analyze': requestCommand({
    method: 'analyzeLogs',
    description:
      'Runs the log engine on the captured logs of an app, or of several merged by time: summary, patterns, dedupe or anomalies of a time range.',
    ...READS,
    toPayload: (request: LogsAnalyzeRequest) => request,
    toArgs: (payload: LogsAnalyzeRequest): [LogsAnalyzeRequest] => [payload],
    ...sameResult<Value<'analyzeLogs'>>(),
  }),
  events: requestCommand({
    method: 'events',
    description:
      'Events of the bus (process, job, log, config, component, alert, daemon and app events), oldest first.',
    ...READS,
    ...eventsPayload,
    ...sameResult<Value<'events'>>(),
  }),
  'events.follow': streamCommand({
    method: 'followEvents',
    description: 'The most recent matching events, then new ones as they happen.',
    ...READS,
    ...eventsPayload,
    toItem: (events: ItemOf<'followEvents'>) => ({ events }),
    fromItem: (item: { events: ItemOf<'followEvents'> }) => item.events,
  }),
  'events.emit': requestCommand({
    method: 'emitEvent',
    description: "Puts an app's or an outside component's own event (kind app.<name>) on the bus.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (request: EmitEventRequest) => request,
    toArgs: (payload: EmitEventRequest): [EmitEventRequest] => [payload],
    toResult: (event: VelosEvent) => ({ event }),
    fromResult: (result: { event: VelosEvent }) => result.event,
  }),
  components: requestCommand({
    method: 'components',
    description:
      'Outside components that report through components.report: status, message, interval, last report, stale.',
    ...READS,
    ...noPayload,
    toResult: (components: ReportedComponent[]) => ({ components }),
    fromResult: (result: { components: ReportedComponent[] }) => result.components,
  }),
  'components.report': requestCommand({
    method: 'reportComponent',
    description:
      "Records an outside component's status (healthy, degraded, unhealthy); no new report within its interval marks it stale.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (request: ComponentReportRequest) => request,
    toArgs: (payload: ComponentReportRequest): [ComponentReportRequest] => [payload],
    toResult: (component: ReportedComponent) => ({ component }),
    fromResult: (result: { component: ReportedComponent }) => result.component,
  }),
  'components.remove': requestCommand({
    method: 'removeComponent',
    description: 'Forgets a reported component (one retired); it is reported again by its next report.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (name: string) => ({ name }),
    toArgs: (payload: { name: string }): [string] => [payload.name],
    toResult: (removed: ReportedComponent) => ({ removed }),
    fromResult: (result: { removed: ReportedComponent }) => result.removed,
  }),
  health: requestCommand({
    method: 'health',
    description:
      "The daemon's self-health: each component healthy, degraded or unhealthy, the worst overall.",
    ...READS,
    ...noPayload,
    ...sameResult<Value<'health'>>(),
  }),
  metrics: requestCommand({
    method: 'metrics',
    description:
      'Every figure the daemon measures now: per process CPU, memory, restarts, exits, logs, health, jobs and custom metrics; the daemon; the host.',
    ...READS,
    ...noPayload,
    ...sameResult<Value<'metrics'>>(),
  }),
  'metrics.history': requestCommand({
    method: 'metricsHistory',
    description:
      "The target's CPU, memory, restarts and log rate over time: the last hour at the sampling resolution, 24 h downsampled.",
    ...READS,
    toPayload: (request: MetricsHistoryRequest) => request,
    toArgs: (payload: MetricsHistoryRequest): [MetricsHistoryRequest] => [payload],
    toResult: (history: Value<'metricsHistory'>) => ({ history }),
    fromResult: (result: { history: Value<'metricsHistory'> }) => result.history,
  }),
  'metrics.report': requestCommand({
    method: 'reportMetric',
    description:
      "Takes a custom metric report (counter, gauge, histogram) for the target's process, as if the process had written it: same rules, limits and refusal count.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (request: MetricReportRequest) => request,
    toArgs: (payload: MetricReportRequest): [MetricReportRequest] => [payload],
    toResult: (process: ProcessLabels) => ({ process }),
    fromResult: (result: { process: ProcessLabels }) => result.process,
  }),
  alerts: requestCommand({
    method: 'alerts',
    description:
      'Every alert rule with its state (ok, pending, firing, resolved), since when, and its last delivery.',
    ...READS,
    ...noPayload,
    toResult: (alerts: AlertStatus[]) => ({ alerts }),
    fromResult: (result: { alerts: AlertStatus[] }) => result.alerts,
  }),
  'alerts.add': requestCommand({
    method: 'addAlert',
    description: 'Adds an alert rule at run time (kept in alerts.json); a name already in use is refused.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (rule: AlertRule) => ({ rule }),
    toArgs: (payload: { rule: AlertRule }): [AlertRule] => [payload.rule],
    toResult: (alert: AlertStatus) => ({ alert }),
    fromResult: (result: { alert: AlertStatus }) => result.alert,
  }),
  'alerts.remove': requestCommand({
    method: 'removeAlert',
    description: 'Removes an alert rule by name (a firing one is not told as resolved).',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (name: string) => ({ name }),
    toArgs: (payload: { name: string }): [string] => [payload.name],
    toResult: (removed: AlertRule) => ({ removed }),
    fromResult: (result: { removed: AlertRule }) => result.removed,
  }),
  'alerts.test': requestCommand({
    method: 'testAlert',
    description:
      "Sends a test notification through a rule's channels (escalation ones too); resolves each delivery.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (name: string) => ({ name }),
    toArgs: (payload: { name: string }): [string] => [payload.name],
    toResult: (deliveries: AlertDelivery[]) => ({ deliveries }),
    fromResult: (result: { deliveries: AlertDelivery[] }) => result.deliveries,
  }),
  'alerts.set': requestCommand({
    method: 'setAlerts',
    description:
      'Replaces the alert rules of one source (a config file path) with `rules`; an empty list removes them.',
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    toPayload: (source: string, rules: AlertRule[]) => ({ source, rules }),
    toArgs: (payload: { source: string; rules: AlertRule[] }): [string, AlertRule[]] => [
      payload.source,
      payload.rules,
    ],
    toResult: (alerts: AlertStatus[]) => ({ alerts }),
    fromResult: (result: { alerts: AlertStatus[] }) => result.alerts,
  }),
  'config.reload': requestCommand({
    method: 'configReload',
    description:
      'Re-reads a linked config file (all of them and config.toml when absent), validates it whole, applies the difference, rolls back what does not come up.',
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    toPayload: (file?: string): { file?: string } => (file === undefined ? {} : { file }),
    toArgs: (payload: { file?: string }): [string?] => (payload.file === undefined ? [] : [payload.file]),
    ...sameResult<ConfigReloadResult>(),
  }),
  'config.get': requestCommand({
    method: 'configGet',
    description: "An app's effective spec (with the config file it is linked to).",
    ...READS,
    ...targetPayload,
    toResult: (spec: AppSpec) => ({ spec }),
    fromResult: (result: { spec: AppSpec }) => result.spec,
  }),
  'config.set': requestCommand({
    method: 'configSetResult',
    description:
      "Changes an app's options (config keys), validated like a config file: policy keys (max_memory, probes, restart policy …) in place, others by a restart; kept over the linked file.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (target: string, changes: Record<string, unknown>): ConfigSetRequest => ({ target, changes }),
    toArgs: (payload: ConfigSetRequest): [string, Record<string, unknown>] => [
      payload.target,
      payload.changes,
    ],
    ...sameResult<ConfigSetResult>(),
    views: { configSet: (result: ConfigSetResult) => result.spec },
  }),
  flush: requestCommand({
    method: 'flush',
    description: "Empties the target's log files; resolves their paths.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...optionalTargetPayload,
    toResult: (flushed: string[]) => ({ flushed }),
    fromResult: (result: { flushed: string[] }) => result.flushed,
  }),
  reloadLogs: requestCommand({
    method: 'reloadLogs',
    description: "Closes and reopens the target's log files by path, for external rotators.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    ...optionalTargetPayload,
    toResult: (reopened: string[]) => ({ reopened }),
    fromResult: (result: { reopened: string[] }) => result.reopened,
  }),
  save: requestCommand({
    method: 'save',
    description:
      'Writes the process list to the state file, for resurrect and the next daemon start; with no process listed it is refused (the file kept) unless force.',
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    // `{}` unless forced, as before `force`: a daemon from before it (its schema drops the key) saves
    // as it did, empty list included
    toPayload: (options: { force?: boolean } = {}): { force?: true } =>
      options.force === true ? { force: true } : {},
    toArgs: (payload: { force?: boolean }): [{ force?: boolean }?] =>
      payload.force === true ? [{ force: true }] : [],
    ...sameResult<Value<'save'>>(),
  }),
  resurrect: requestCommand({
    method: 'resurrect',
    description: 'Starts the apps of the last save again.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    ...noPayload,
    ...sameResult<Value<'resurrect'>>(),
  }),
  kill: requestCommand({
    method: 'kill',
    description: 'Saves the state, stops every process and ends the daemon.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...noPayload,
    ...sameResult<Value<'kill'>>(),
  }),
  // SUP-13: `velos update` stops the old daemon's reads before it ends it, so no line read is lost
  handOver: requestCommand({
    method: 'handOver',
    description:
      "Stops reading the apps' output and writes what was read, before the daemon is replaced; reads again after 30 s if it was not.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    ...noPayload,
    ...sameResult<Value<'handOver'>>(),
  }),
  // PM2 drop-in (#14): signal and reset
  signal: requestCommand({
    method: 'signal',
    description:
      "Sends a signal (SIGUSR2, SIGHUP…) to the target's running processes; resolves those signalled.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (target: string, signal: string) => ({ target, signal }),
    toArgs: (payload: { target: string; signal: string }): [string, string] => [
      payload.target,
      payload.signal,
    ],
    ...processesResult,
  }),
  reset: requestCommand({
    method: 'reset',
    description: "Sets the target's restart counters (restarts, unstable restarts) back to 0.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    ...targetPayload,
    ...processesResult,
  }),
};

type Table = typeof PROTOCOL_COMMANDS;
type RequestName = { [K in keyof Table]: Table[K]['kind'] extends 'request' ? K : never }[keyof Table];
type StreamName = Exclude<keyof Table, RequestName>;

/** Request payloads and results of every request/response command, by name (derived from `PROTOCOL_COMMANDS`). */
export type CommandMap = {
  [K in RequestName]: {
    req: ReturnType<Table[K]['toPayload']>;
    res: Table[K] extends { toResult: (value: never) => infer Res } ? Res : never;
  };
};

/** Request payloads and items of every streaming command, by name (derived from `PROTOCOL_COMMANDS`). */
export type StreamCommandMap = {
  [K in StreamName]: {
    req: ReturnType<Table[K]['toPayload']>;
    item: Table[K] extends { toItem: (value: never) => infer Item } ? Item : never;
  };
};

/** Name of a request/response command. */
export type CommandName = keyof CommandMap;
/** Name of a streaming command. */
export type StreamCommandName = keyof StreamCommandMap;

// The one place the typed table is seen untyped; the entries' own types were checked where they are written.
const ENTRIES = new Map<string, CommandEntry>(
  Object.entries(PROTOCOL_COMMANDS).map(([name, entry]) => [
    name,
    { ...entry, name } as unknown as CommandEntry,
  ]),
);

/** Every command the daemon knows, in table order. */
export const COMMAND_NAMES: readonly (CommandName | StreamCommandName)[] = [...ENTRIES.keys()] as (
  | CommandName
  | StreamCommandName
)[];

/** The entries of every command, in table order. */
export function commandEntries(): readonly CommandEntry[] {
  return [...ENTRIES.values()];
}

/** The entry of the command called `name`, or undefined for an unknown name. */
export function findCommand(name: string): CommandEntry | undefined {
  return ENTRIES.get(name);
}

function envOptions(options: EnvOptions): EnvOptions {
  return {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.ownEnv === undefined ? {} : { ownEnv: options.ownEnv }),
  };
}
