import { slotOf } from './minute-ring.js';

/** An unusual minute: its volume or error rate above the mean of the history by 2σ (warning) or 3σ (critical). */
export interface Anomaly {
  /** Epoch ms of the start of the minute. */
  minute: number;
  metric: 'volume' | 'errorRate';
  /** Lines in the minute, or the fraction of error and fatal lines (0–1). */
  value: number;
  mean: number;
  stddev: number;
  zScore: number;
  severity: 'warning' | 'critical';
}

/** Thresholds of the anomaly detector. */
export const ANOMALY_RULES = {
  warningZ: 2,
  criticalZ: 3,
  /** A volume anomaly needs at least this many lines in the minute. */
  minVolume: 10,
  /** An error-rate anomaly needs at least this many error lines in the minute. */
  minErrors: 3,
  /** Floor of σ for the error rate, so a spotless history does not flag one stray error. */
  minRateStddev: 0.05,
} as const;

/** Per-minute counters and how much history is needed before judging. */
export interface MinuteCounters {
  volume: ArrayLike<number>;
  errors: ArrayLike<number>;
  /** First minute with data: history does not reach before it. */
  firstMinute: number;
  minHistory: number;
}

/**
 * Judges `minute` against the minutes before it in the ring: volume uses σ floored at √mean and 1 (counts
 * are Poisson-like); the error rate only counts minutes that had lines. Returns 0, 1 or 2 anomalies.
 */
export function judgeMinute(counters: MinuteCounters, minute: number): Anomaly[] {
  const size = counters.volume.length;
  const from = Math.max(counters.firstMinute, minute - size + 1);
  if (minute - from < counters.minHistory) return [];
  const found: Anomaly[] = [];
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let rateN = 0;
  let rateSum = 0;
  let rateSumSq = 0;
  for (let m = from; m < minute; m++) {
    const slot = slotOf(m, size);
    const volume = counters.volume[slot]!;
    n++;
    sum += volume;
    sumSq += volume * volume;
    if (volume > 0) {
      const rate = counters.errors[slot]! / volume;
      rateN++;
      rateSum += rate;
      rateSumSq += rate * rate;
    }
  }
  const slot = slotOf(minute, size);
  const volume = counters.volume[slot]!;
  const errors = counters.errors[slot]!;
  const mean = sum / n;
  const stddev = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  if (volume >= ANOMALY_RULES.minVolume) {
    const z = (volume - mean) / Math.max(stddev, Math.sqrt(mean), 1);
    const anomaly = classify(minute, 'volume', volume, mean, stddev, z);
    if (anomaly) found.push(anomaly);
  }
  if (rateN >= counters.minHistory && volume > 0 && errors >= ANOMALY_RULES.minErrors) {
    const rateMean = rateSum / rateN;
    const rateStddev = Math.sqrt(Math.max(0, rateSumSq / rateN - rateMean * rateMean));
    const rate = errors / volume;
    const z = (rate - rateMean) / Math.max(rateStddev, ANOMALY_RULES.minRateStddev);
    const anomaly = classify(minute, 'errorRate', rate, rateMean, rateStddev, z);
    if (anomaly) found.push(anomaly);
  }
  return found;
}

function classify(
  minute: number,
  metric: Anomaly['metric'],
  value: number,
  mean: number,
  stddev: number,
  z: number,
): Anomaly | undefined {
  if (z < ANOMALY_RULES.warningZ) return undefined;
  return {
    minute: minute * 60_000,
    metric,
    value,
    mean,
    stddev,
    zScore: z,
    severity: z >= ANOMALY_RULES.criticalZ ? 'critical' : 'warning',
  };
}
