import type { Anomaly } from './anomaly-detector.js';
import { countExits, type ExitFact, type ExitStats } from './exit-facts.js';
import { healthScore } from './health-score.js';
import type { Level } from './levels.js';
import type { LastError, Pattern } from './log-engine.js';

/** Options of a summary. */
export interface SummaryOptions {
  /** Patterns listed; default 5. */
  top?: number;
  /** Error and fatal templates listed in `errors`; default 5. */
  errorsTop?: number;
  /** The last restart of the process, when the caller knows it (the supervisor does). */
  lastRestart?: { ts: number; reason?: string };
  /** Level counts the caller knows better than the engine (a sampler that counted its errors exactly). */
  levels?: Partial<Record<Level, number>>;
  /**
   * The exits of the process in the period, when the caller knows them (the supervisor does): counted
   * in `exits`, and each crash lowers the health score. Without them the summary has no `exits`.
   */
  exits?: readonly ExitFact[];
}

/** A digest of a stream of lines (ENG-6); render it with `formatSummary` or `summaryToJson`. */
export interface Summary {
  /** First and last timestamp seen; undefined when no line had a time. */
  period: { from: number; to: number } | undefined;
  /** Every line: the events counted in `levels` and the `continuationLines`. */
  lines: number;
  /** Events by level: lines that start an event (a continuation line is in no level). */
  levels: Record<Level, number>;
  /** Lines that continue the event before them (stack frames, blank lines, see `isContinuationLine`). */
  continuationLines: number;
  /** 0–100, see `healthScore`. */
  health: number;
  /** Number of distinct templates. */
  templates: number;
  top: Pattern[];
  /**
   * The error and fatal templates, fatal first, then the most frequent: a rare error is listed even when
   * `top` is full of frequent lines; the last error's template is always among them.
   */
  errors: Pattern[];
  anomalies: Anomaly[];
  lastError: LastError | undefined;
  lastRestart: { ts: number; reason?: string } | undefined;
  /** Exits, crashes and restarts of the period and the newest exit; undefined when no exits were given. */
  exits: ExitStats | undefined;
}

/** What `buildSummary` needs from an engine. */
export interface SummaryInputs {
  firstTs: number | undefined;
  lastTs: number | undefined;
  levels: Record<Level, number>;
  continuationLines: number;
  /** Every template, most frequent first. */
  patterns: Pattern[];
  anomalies: Anomaly[];
  lastError: LastError | undefined;
  templates: number;
  options: SummaryOptions;
}

/** Assembles a summary and its health score from an engine's counters. */
export function buildSummary(inputs: SummaryInputs): Summary {
  const { anomalies } = inputs;
  const levels = { ...inputs.levels, ...inputs.options.levels };
  const continuationLines = inputs.continuationLines;
  const lines = levels.fatal + levels.error + levels.warn + levels.info + levels.debug + continuationLines;
  const exits = inputs.options.exits === undefined ? undefined : countExits(inputs.options.exits);
  const health = healthScore({
    levels,
    crashes: exits?.crashes ?? 0,
    criticalAnomalies: anomalies.filter((a) => a.severity === 'critical').length,
    warningAnomalies: anomalies.filter((a) => a.severity === 'warning').length,
    hasRisingErrors: inputs.patterns.some(
      (p) => (p.level === 'error' || p.level === 'fatal') && p.trend === 'rising',
    ),
  });
  return {
    period:
      inputs.firstTs === undefined || inputs.lastTs === undefined
        ? undefined
        : { from: inputs.firstTs, to: inputs.lastTs },
    lines,
    levels,
    continuationLines,
    health,
    templates: inputs.templates,
    top: inputs.patterns.slice(0, inputs.options.top ?? 5),
    errors: errorPatterns(inputs.patterns, inputs.lastError, inputs.options.errorsTop ?? 5),
    anomalies,
    lastError: inputs.lastError,
    lastRestart: inputs.options.lastRestart,
    exits,
  };
}

/**
 * Up to `limit` error and fatal patterns of `patterns` (most frequent first): fatal first, the last
 * error's kept. A pattern whose lines are not all errors counts its error lines only (`errorCount`).
 */
function errorPatterns(patterns: Pattern[], lastError: LastError | undefined, limit: number): Pattern[] {
  const fatal: Pattern[] = [];
  const error: Pattern[] = [];
  for (const p of patterns) {
    if (p.level === 'fatal') fatal.push(errorsOnly(p));
    else if (p.level === 'error') error.push(errorsOnly(p));
  }
  fatal.sort(byCount);
  error.sort(byCount);
  const list = fatal.concat(error);
  if (list.length <= limit) return list;
  const kept = list.slice(0, limit);
  const last = lastError === undefined ? undefined : list.find((p) => p.templateId === lastError.templateId);
  if (last !== undefined && limit > 0 && !kept.includes(last)) kept[limit - 1] = last;
  return kept;
}

/** `p` counting its error lines only, when some of its lines are not errors. */
function errorsOnly(p: Pattern): Pattern {
  const errors = p.errorCount;
  if (errors === undefined || errors >= p.count) return p;
  const share = errors / p.count;
  return {
    ...p,
    count: errors,
    errorCount: undefined,
    perMinute: p.perMinute === undefined ? undefined : p.perMinute * share,
  };
}

function byCount(a: Pattern, b: Pattern): number {
  return b.count - a.count || a.templateId - b.templateId;
}
