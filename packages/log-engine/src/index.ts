export { ANOMALY_RULES, type Anomaly } from './anomaly-detector.js';
export { stripAnsi } from './ansi.js';
export {
  type Classifier,
  type ClassifierOptions,
  type ClassifyContext,
  classifyLine,
  createClassifier,
  DEFAULT_LEVEL_RULES,
  type LevelRule,
  labelOf,
} from './classifier.js';
export { isContinuationLine } from './continuation.js';
export { type DedupeEntry, type DedupeOptions, dedupe, formatDedupeEntry } from './dedupe.js';
export { type FindErrorHintsOptions, findErrorHints } from './error-hints.js';
export { compileErrorRuleHints, type ErrorRuleHints } from './error-rule-hints.js';
export { type LogEngineError, type LogEngineErrorCode, LogEngineErrorCodes } from './errors.js';
export { EventTracker, isExceptionLine } from './event-tracker.js';
export {
  EXIT_CONTEXT_AFTER_MS,
  EXIT_CONTEXT_BEFORE_MS,
  EXIT_CONTEXT_EVENTS,
  ExitContext,
  type ExitContextOptions,
} from './exit-context.js';
export { countExits, type ExitFact, type ExitStats, isCrashExit } from './exit-facts.js';
export { readLogRecords, summarizeFile } from './file-input.js';
export {
  type ErroredShare,
  erroredHealth,
  type HealthInputs,
  healthScore,
  SOME_ERRORED_HEALTH_MAX,
} from './health-score.js';
export { accessLogLevel, httpStatusLevel } from './http-status.js';
export { parseKlogHeader } from './klog-header.js';
export { isAtLeast, LEVELS, type Level, levelSeverity, parseLevel } from './levels.js';
export {
  type EngineRecord,
  type LastError,
  LogEngine,
  type LogEngineOptions,
  type Pattern,
} from './log-engine.js';
export {
  createRecordParser,
  eventMessageOf,
  type LogRecord,
  messageOf,
  type ParsedRecord,
  type RecordParser,
  recordTime,
  startsEventAlone,
} from './log-record.js';
export { logcatLevel, parseLogcatHeader } from './logcat-header.js';
export { type LogfmtLine, parseLogfmtLine } from './logfmt-line.js';
export { type CustomMask, MASK_PLACEHOLDERS, type MaskName, type MaskOptions } from './masks.js';
export type { MinerSnapshot, SnapshotCluster } from './miner-snapshot.js';
export type { Trend } from './minute-ring.js';
export { createNormalizer, type Normalizer, normalizeLine } from './normalizer.js';
export { parseRubyLoggerHeader } from './ruby-logger-header.js';
export { readRulesFile } from './rules-file.js';
export { type SearchHit, type SearchQuery, searchRecords } from './search.js';
export { stackFrameOf } from './stack-frame.js';
export { LEVEL_KEYS, parseStructuredLine, type StructuredLine } from './structured-line.js';
export { summarize } from './summarize.js';
export type { Summary, SummaryOptions } from './summary.js';
export {
  formatSummary,
  type PatternJson,
  type SummaryFormatOptions,
  type SummaryJson,
  summaryToJson,
} from './summary-format.js';
export { type SyslogPriority, syslogPriority } from './syslog-priority.js';
export {
  type TemplateInfo,
  type TemplateMatch,
  TemplateMiner,
  type TemplateMinerOptions,
} from './template-miner.js';
export {
  type LeadingTimestamp,
  parseBracketedTimestamp,
  parseLeadingTimestamp,
  parseTimestamp,
} from './timestamp.js';
export { compileUserRules, USER_RULE_LIMITS, type UserRule, userPatternProblem } from './user-rules.js';
