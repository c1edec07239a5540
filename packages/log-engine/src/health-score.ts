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
}

/**
 * Health score 0–100 (docs/log-engine.md): 100 minus penalties for the error rate (200 × rate, at most 40),
 * the warning rate (50 × rate, at most 10), fatal lines (10 each, at most 20), anomalies (10 per critical,
 * 4 per warning, at most 20), rising error patterns (10) and crashes of the process (20 each, at most 60:
 * a crash loop scores 40 or less); rounded, never below 0. No lines and no crash score 100.
 */
export function healthScore(inputs: HealthInputs): number {
  const { levels } = inputs;
  const crashPenalty = Math.min(60, 20 * (inputs.crashes ?? 0));
  const total = levels.fatal + levels.error + levels.warn + levels.info + levels.debug;
  if (total === 0) return 100 - crashPenalty;
  const errorRate = (levels.error + levels.fatal) / total;
  const warnRate = levels.warn / total;
  const penalty =
    crashPenalty +
    Math.min(40, 200 * errorRate) +
    Math.min(10, 50 * warnRate) +
    Math.min(20, 10 * levels.fatal) +
    Math.min(20, 10 * inputs.criticalAnomalies + 4 * inputs.warningAnomalies) +
    (inputs.hasRisingErrors ? 10 : 0);
  return Math.max(0, Math.round(100 - penalty));
}
