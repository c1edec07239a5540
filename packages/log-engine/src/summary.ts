import type { Anomaly } from './anomaly-detector.js';
import { healthScore } from './health-score.js';
import type { Level } from './levels.js';
import type { LastError, Pattern } from './log-engine.js';

/** Options of a summary. */
export interface SummaryOptions {
  /** Patterns listed; default 5. */
  top?: number;
  /** The last restart of the process, when the caller knows it (the supervisor does). */
  lastRestart?: { ts: number; reason?: string };
  /** Level counts the caller knows better than the engine (a sampler that counted its errors exactly). */
  levels?: Partial<Record<Level, number>>;
}

/** A digest of a stream of lines (ENG-6); render it with `formatSummary` or `summaryToJson`. */
export interface Summary {
  /** First and last timestamp seen; undefined when no line had a time. */
  period: { from: number; to: number } | undefined;
  lines: number;
  levels: Record<Level, number>;
  /** 0–100, see `healthScore`. */
  health: number;
  /** Number of distinct templates. */
  templates: number;
  top: Pattern[];
  anomalies: Anomaly[];
  lastError: LastError | undefined;
  lastRestart: { ts: number; reason?: string } | undefined;
}

/** What `buildSummary` needs from an engine. */
export interface SummaryInputs {
  firstTs: number | undefined;
  lastTs: number | undefined;
  levels: Record<Level, number>;
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
  const lines = levels.fatal + levels.error + levels.warn + levels.info + levels.debug;
  const health = healthScore({
    levels,
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
    health,
    templates: inputs.templates,
    top: inputs.patterns.slice(0, inputs.options.top ?? 5),
    anomalies,
    lastError: inputs.lastError,
    lastRestart: inputs.options.lastRestart,
  };
}
