import { HISTORY_COLUMNS, HistoryRing, type HistoryValues } from './history-ring.js';

/** How long the history keeps points at the sampling resolution (the fine ring's span). */
export const HISTORY_FINE_SPAN_MS = 60 * 60 * 1000;
/** Width of one downsampled (coarse) point. */
export const HISTORY_COARSE_MS = 60 * 1000;
/** How long the history keeps downsampled points. */
export const HISTORY_SPAN_MS = 24 * 60 * 60 * 1000;
/** The most fine points kept, whatever the sampling interval (a 100 ms interval keeps 10 minutes). */
const MAX_FINE_POINTS = 36_000;
/** The fine ring grows by this many points (about 4 minutes at the default 2 s). */
const FINE_CHUNK_POINTS = 128;
/** The coarse ring grows by this many points (1 hour). */
const COARSE_CHUNK_POINTS = 60;
/** A pause longer than this many sampling intervals (daemon down, monitor idle) gets a gap point. */
const GAP_INTERVALS = 3;

/** Means of the minute being sampled, before it becomes a coarse point. */
export interface MinuteSums {
  /** Minutes since the epoch; -1 before the first sample. */
  minute: number;
  cpu: number;
  memory: number;
  logRate: number;
  /** Samples with a value (cpu and memory) and with a log rate. */
  samples: number;
  logRateSamples: number;
  restarts: number;
}

/** The gap values: nothing measured. */
export const GAP: HistoryValues = {
  cpu: Number.NaN,
  memory: Number.NaN,
  restarts: Number.NaN,
  logRate: Number.NaN,
};

/** OBS-7: one process's history: the last hour at the sampling resolution and 24 h of 1-minute means. */
export class HistorySeries {
  readonly fine: HistoryRing;
  readonly coarse = new HistoryRing(HISTORY_SPAN_MS / HISTORY_COARSE_MS, COARSE_CHUNK_POINTS, false);
  /** Minute (since the epoch) of the newest coarse point; the others are the minutes before it, one each. */
  coarseLastMinute = -1;
  sums: MinuteSums = emptySums(-1);
  /** The log pipeline's line count at the previous sample, for the log rate (not kept across restarts). */
  lastLines: { lines: number; at: number } | null = null;
  /** Added to the restart counts recorded, so that a count lower than the last one recorded never lowers the column. */
  restartsOffset = 0;

  constructor(
    public name: string,
    readonly intervalMs: number,
  ) {
    const finePoints = Math.min(MAX_FINE_POINTS, Math.ceil(HISTORY_FINE_SPAN_MS / intervalMs));
    this.fine = new HistoryRing(finePoints, Math.min(FINE_CHUNK_POINTS, finePoints), true);
  }

  /** Adds one sample taken at `at` (epoch ms); a pause since the previous one is marked by a gap point. */
  add(at: number, values: HistoryValues): void {
    const count = this.fine.count;
    const lastAt = count > 0 ? this.fine.timeAt(count - 1) : at;
    if (at < lastAt) return;
    if (at - lastAt > GAP_INTERVALS * this.intervalMs) this.fine.push(GAP, lastAt + this.intervalMs);
    this.fine.push(values, at);
    const minute = Math.floor(at / HISTORY_COARSE_MS);
    if (minute !== this.sums.minute) {
      this.flushMinute();
      this.sums = emptySums(minute);
    }
    const sums = this.sums;
    if (!Number.isNaN(values.cpu)) {
      sums.cpu += values.cpu;
      sums.memory += values.memory;
      sums.samples += 1;
    }
    if (!Number.isNaN(values.logRate)) {
      sums.logRate += values.logRate;
      sums.logRateSamples += 1;
    }
    if (!Number.isNaN(values.restarts)) sums.restarts = values.restarts;
  }

  /** The newest restart count of the fine points (a pause's gap has none); NaN when none has one. */
  lastRestarts(): number {
    const column = HISTORY_COLUMNS.indexOf('restarts');
    for (let index = this.fine.count - 1; index >= 0; index -= 1) {
      const restarts = this.fine.valueAt(column, index);
      if (!Number.isNaN(restarts)) return restarts;
    }
    return Number.NaN;
  }

  /** Bytes the series holds in its arrays. */
  byteLength(): number {
    return this.fine.byteLength() + this.coarse.byteLength();
  }

  /** Start (epoch ms) of the coarse point `index` (0 = oldest). */
  coarseTimeAt(index: number): number {
    return (this.coarseLastMinute - (this.coarse.count - 1 - index)) * HISTORY_COARSE_MS;
  }

  // Turns the minute being summed into a coarse point; minutes without a sample between become gaps.
  private flushMinute(): void {
    const { minute, samples, logRateSamples } = this.sums;
    if (minute < 0 || minute <= this.coarseLastMinute) return;
    if (this.coarseLastMinute >= 0) {
      const missing = minute - this.coarseLastMinute - 1;
      if (missing >= this.coarse.capacity) this.coarse.clear();
      else for (let i = 0; i < missing; i += 1) this.coarse.push(GAP);
    }
    this.coarse.push({
      cpu: samples > 0 ? this.sums.cpu / samples : Number.NaN,
      memory: samples > 0 ? this.sums.memory / samples : Number.NaN,
      restarts: this.sums.restarts,
      logRate: logRateSamples > 0 ? this.sums.logRate / logRateSamples : Number.NaN,
    });
    this.coarseLastMinute = minute;
  }
}

/** Sums of a minute with no sample yet. */
export function emptySums(minute: number): MinuteSums {
  return { minute, cpu: 0, memory: 0, logRate: 0, samples: 0, logRateSamples: 0, restarts: Number.NaN };
}
