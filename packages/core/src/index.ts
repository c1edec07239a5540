export { alertNameClash } from './alert-name-clash.js';
export {
  type AlertChannel,
  type AlertCondition,
  type AlertDelivery,
  type AlertEscalation,
  type AlertInstance,
  type AlertPhase,
  type AlertRule,
  type AlertStatus,
  describeCondition,
  describeRuleCondition,
  formatSpanMs,
  RUNTIME_ALERT_SOURCE,
} from './alert-rule.js';
export {
  APP_EVENT_LIMITS,
  APP_EVENT_SEVERITY_WORDS,
  appEventSeverity,
  cutAppEventText,
} from './app-event-limits.js';
export { APP_NAME_LIMITS, appNameProblem, normalizeAppName, TARGET_MAX_CHARS } from './app-name.js';
export {
  APP_DEFAULTS,
  type AppSource,
  type AppSpec,
  type AppType,
  type Dependency,
  type DependencyCondition,
  type ExecMode,
  type LogFormat,
  NESTED_DEFAULTS,
  type ProbeCheck,
  type ProbeSpec,
  type WatchdogSpec,
} from './app-spec.js';
export type {
  CommandEntry,
  CommandTraits,
  RequestCommand,
  StreamCommand,
} from './command-definition.js';
export {
  COMPONENT_LIMITS,
  COMPONENT_NAME,
  type ComponentReportRequest,
  type ReportedComponent,
} from './component-report.js';
export {
  CONFIG_SET_APPLIED_WORDS,
  type ConfigFileReload,
  type ConfigReloadResult,
  type ConfigSetApplied,
  type ConfigSetRequest,
  type ConfigSetResult,
} from './config-commands.js';
export type { EnvOptions, StartOptions, Subscription, TriggerOptions, VelosControl } from './control.js';
export { CRON_NEVER_FIRES, CRON_ONE_TIME, type CronClass, cronExpressionProblem } from './cron-problem.js';
export {
  COMPONENT_STATUSES,
  type ComponentHealth,
  type ComponentStatus,
  type DaemonHealth,
  HEALTH_EXIT_CODES,
  worstStatus,
} from './daemon-health.js';
export {
  DATE_FORMAT_TOKENS,
  type DateFormatToken,
  dateFormatTokensProblem,
} from './date-format-tokens.js';
export {
  type ErrorCode,
  ErrorCodes,
  type ErrorPayload,
  fromErrorPayload,
  isVelosError,
  toErrorPayload,
  VelosError,
} from './errors.js';
export {
  APP_EVENT_NAME,
  type DaemonEventKind,
  type EmitEventRequest,
  EVENT_KINDS,
  type EventFieldValue,
  type EventInput,
  type EventSeverity,
  type EventsRequest,
  type EventsResult,
  type EventToMatch,
  expandEventKindWords,
  FOLLOW_SKIPPED_KIND,
  matchesEventKind,
  unknownEventKindReason,
  type VelosEvent,
} from './events.js';
export { type FieldErrorData, fieldError, fieldErrorData, renameField } from './field-error.js';
export { startWithFileAlerts } from './file-alerts.js';
export {
  APPEND_NO_FOLLOW,
  CREATE_EXCLUSIVE,
  checkHome,
  HOME_LAYOUT,
  LOG_DIR_MODE,
  makeDirectories,
  noFollowError,
  openNoFollow,
  prepareHome,
  resolveHome,
  writeFreshFile,
} from './home.js';
export { isoTime } from './iso-time.js';
export { describeTriggered, type TriggeredJob } from './job-trigger.js';
export { suggestKey } from './key-suggestion.js';
export type {
  LogAnomalyInfo,
  LogAppSummaryInfo,
  LogDedupeInfo,
  LogErroredInfo,
  LogExitsInfo,
  LogLevelName,
  LogPatternInfo,
  LogSummaryInfo,
  LogsAnalyzeRequest,
  LogsAnalyzeResult,
  LogsQuery,
  LogsScanInfo,
  LogsSearchCut,
  LogsSearchRequest,
  LogsSearchResult,
  LogsView,
} from './log-analysis.js';
export { LOG_RULE_LIMITS, type LogRuleSpec, logRulePatternProblem } from './log-rule.js';
export {
  describeMemoryGrowth,
  findMemoryGrowth,
  MEMORY_GROWTH_HISTORY,
  MEMORY_GROWTH_MIN_MB_PER_MIN,
  MEMORY_GROWTH_SPANS,
  MEMORY_GROWTH_WINDOW_MS,
  type MemoryGrowth,
} from './memory-growth.js';
export { type ExposedMetricType, exposedCustomName, namesTakenBy } from './metric-names.js';
export {
  type CustomMetricReportInput,
  type CustomMetricSeries,
  type CustomMetricType,
  type DaemonMetrics,
  type HistogramData,
  type HostMetrics,
  type MetricReportRequest,
  type MetricsHistory,
  type MetricsHistoryRequest,
  type MetricsSnapshot,
  PROCESS_STATUS_VALUE,
  type ProcessLabels,
  type ProcessMetrics,
} from './metrics.js';
export {
  type OptionHint,
  type OptionSpelling,
  optionHint,
  optionHintsOf,
  optionMessage,
  spellOptions,
} from './option-hint.js';
export { findOwnEnvOverride, type OwnEnvOverride } from './own-env-override.js';
export { checkPayloadLimits, formatPayloadPath, PAYLOAD_LIMITS } from './payload-limits.js';
export {
  EXIT_REASONS,
  type ExitReason,
  type HealthInfo,
  type HealthState,
  isRequestedRestart,
  type JobRun,
  type LogLine,
  type ProcessDetail,
  type ProcessInfo,
  type ProcessStatus,
} from './process-info.js';
export {
  CANCEL_COMMAND,
  type DeleteResult,
  type ForgottenApp,
  type LogStreamFilter,
  type LogsCut,
  type LogsRequest,
  type LogsResult,
  type PingResult,
  type RequestMessage,
  type ResponseMessage,
  type ResurrectResult,
  type TargetRequest,
  type TargetsRequest,
} from './protocol.js';
export {
  COMMAND_NAMES,
  type CommandMap,
  type CommandName,
  commandEntries,
  findCommand,
  PROTOCOL_COMMANDS,
  type StreamCommandMap,
  type StreamCommandName,
} from './protocol-commands.js';
export { MAX_QUOTED_CHARS, quoteValue } from './quote-value.js';
export { checkRegexSource, compileRegexSource, isRegexTarget, regexTargetError } from './regex-rule.js';
export { type CommandTransport, createRemoteControl, mapSubscription } from './remote-control.js';
export { describeSchemaIssue, type SchemaIssue } from './schema-issue.js';
export { namesScriptFile } from './script-word.js';
export { matchTarget, type TargetFields } from './target-match.js';
export { parseTimeBound, timeBoundProblem } from './time-bound.js';
export {
  formatBytes,
  formatDuration,
  formatElapsedMs,
  parseDurationMs,
  parseSizeBytes,
} from './units.js';
/** Version of the Velos packages and protocol. */
export const VELOS_VERSION = '0.1.0';
export {
  ALLOCATOR_TUNED_MARK,
  DAEMON_ALLOCATOR_ENV,
  forgetDaemonAllocatorEnv,
  withDaemonAllocatorEnv,
} from './daemon-allocator-env.js';
export { DEFERRED_CA_VAR, deferredCa, restoreDeferredCa, withDeferredCa } from './deferred-ca.js';
export { inheritedEnv, inheritedPartOf, KEPT_ENV_KEYS } from './env-inherit.js';
export { type InstanceIdentity, incrementVarProblem, instanceEnv, instancePort } from './instance-env.js';
export { instancePidFile } from './instance-pid-file.js';
export { HttpTimeoutError, type OwnHttpRequest, type OwnHttpResponse, ownHttpRequest } from './own-http.js';
export {
  isSecretKey,
  MASK,
  maskAlertRule,
  maskAlerts,
  maskEnv,
  maskedSecretPlace,
  maskSecrets,
} from './secret-mask.js';
export { formatUmask, MAX_UMASK, parseUmask, UMASK_EXPECTED } from './umask.js';
export { watchGlobBase } from './watch-glob.js';
