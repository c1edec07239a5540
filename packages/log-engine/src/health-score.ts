import type { Level } from './levels.js';

/** What the health score is computed from. */
export interface HealthInputs {
  levels: Readonly<Record<Level, number>>;
  criticalAnomalies: number;
  warningAnomalies: number;
  /** True when a pattern of error or fatal lines is rising. */
  hasRisingErrors: boolean;
  /** Crashes of the process in the period (`ExitFact.isCrash`), when its supervisor told them. */
  crashes?: number;
  /** Whether its supervisor gave up on the app (status `errored`): on every process of it, or some. */
  errored?: ErroredShare;
}

/** Of an app's processes, those its supervisor gave up on (status `errored`): all of them, or some. */
export type ErroredShare = 'all' | 'some';

/** The most an app with some errored processes scores (`degraded` in health_check's terms). */
export const SOME_ERRORED_HEALTH_MAX = 50;

/**
 * `score` of an app whose processes are errored: 0 when all of them are (it runs no more, whatever its
 * last lines said: a period with no line and no crash would score 100), at most 50 when some are.
 */
export function erroredHealth(score: number, errored: ErroredShare | undefined): number {
  if (errored === 'all') return 0;
  return errored === 'some' ? Math.min(score, SOME_ERRORED_HEALTH_MAX) : score;
}

/**
 * Health score 0–100 (docs/log-engine.md): 100 minus penalties for the error rate (200 × rate, at most 40),
 * the warning rate (50 × rate, at most 10), fatal lines (10 each, at most 20), anomalies (10 per critical,
 * 4 per warning, at most 20), rising error patterns (10) and crashes of the process (20 each, at most 60:
 * a crash loop scores 40 or less); rounded, never below 0. No lines and no crash score 100. An app whose
 * supervisor gave up on it (`errored`) scores 0, or at most 50 when only some of its processes are errored.
 */
export function healthScore(inputs: HealthInputs): number {
  const { levels } = inputs;
  const crashPenalty = Math.min(60, 20 * (inputs.crashes ?? 0));
  const total = levels.fatal + levels.error + levels.warn + levels.info + levels.debug;
  if (total === 0) return erroredHealth(100 - crashPenalty, inputs.errored);
  const errorRate = (levels.error + levels.fatal) / total;
  const warnRate = levels.warn / total;
  const penalty =
    crashPenalty +
    Math.min(40, 200 * errorRate) +
    Math.min(10, 50 * warnRate) +
    Math.min(20, 10 * levels.fatal) +
    Math.min(20, 10 * inputs.criticalAnomalies + 4 * inputs.warningAnomalies) +
    (inputs.hasRisingErrors ? 10 : 0);
  return erroredHealth(Math.max(0, Math.round(100 - penalty)), inputs.errored);
}
