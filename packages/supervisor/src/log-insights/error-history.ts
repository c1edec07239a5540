import { ANOMALY_RULES } from '@velos/log-engine';

/** An error burst: at least this many error lines within `ERROR_BURST_WINDOW_MS`… */
export const ERROR_BURST_MIN_ERRORS = 50;
/** …and at least this many times the usual number of errors in such a window, when that is low… */
export const ERROR_BURST_FACTOR = 5;
/**
 * …and this many times when it is high: a steady rate of many errors swings little (about √n in n),
 * so three times it stands far out, while a few errors (a crash loop's at each start) swing a lot.
 */
export const ERROR_BURST_STEADY_FACTOR = 3;
/** The excess over the usual count that is always a burst once it reaches `ERROR_BURST_STEADY_FACTOR` times it. */
export const ERROR_BURST_MIN_EXCESS = 200;
export const ERROR_BURST_WINDOW_MS = 10_000;
/** The usual rate needs at least this much of the app's history before the window it is compared with. */
export const ERROR_BURST_MIN_HISTORY_MS = ERROR_BURST_WINDOW_MS;

const HISTORY_MINUTES = 60;
const MIN_HISTORY_MINUTES = 10;
const SECOND_SLOTS = ERROR_BURST_WINDOW_MS / 1000;

/**
 * The errors in a window that make a burst when `usual` are expected there: at least
 * `ERROR_BURST_MIN_ERRORS`, and the usual count plus the larger of `ERROR_BURST_MIN_EXCESS` and twice
 * it, at most 5× it — 5× up to 50 usual errors, 3× from 100 on (a steady 40 errors a second: 1,200 in 10 s).
 */
export function burstThreshold(usual: number): number {
  const excess = Math.max(ERROR_BURST_MIN_EXCESS, (ERROR_BURST_STEADY_FACTOR - 1) * usual);
  return Math.max(ERROR_BURST_MIN_ERRORS, Math.min(ERROR_BURST_FACTOR * usual, usual + excess));
}

/** A closed minute whose error rate stands out from the hour before it (ENG-5). */
export interface RateAnomaly {
  minute: number;
  severity: 'warning' | 'critical';
  rate: number;
  baseline: number;
  z: number;
  errors: number;
  lines: number;
  classified: number;
}

/** Errors in the last `ERROR_BURST_WINDOW_MS` against the usual count in such a window (see `ErrorHistory.burst`). */
export interface Burst {
  errors: number;
  usual: number;
}

/**
 * The line and error counts of one app: rings of 60 minutes (lines, errors, classified lines, time
 * stopped, process time) and of 10 seconds the app ran (errors, process time), plus this and the
 * previous second's line counts. The time the app did not run (between `pause` and `resume`) is left
 * out of its error rates, and its usual error count is per running process (see `setProcesses`). Its
 * memory is fixed.
 */
export class ErrorHistory {
  private readonly minuteLines = new Float64Array(HISTORY_MINUTES);
  private readonly minuteErrors = new Float64Array(HISTORY_MINUTES);
  /** Lines the classifier saw per minute (fewer than `minuteLines` when sampled). */
  private readonly minuteClassified = new Float64Array(HISTORY_MINUTES);
  /** Milliseconds of each minute in which the app did not run (known once it runs again). */
  private readonly minuteStoppedMs = new Float64Array(HISTORY_MINUTES);
  /** Errors of the last seconds of the app's run time (see `runTime`): a stop does not move this ring. */
  private readonly secondErrors = new Float64Array(SECOND_SLOTS);
  /** Milliseconds its processes ran (summed over them) in each minute, and in each second of `secondErrors`. */
  private readonly minuteProcessMs = new Float64Array(HISTORY_MINUTES);
  private readonly secondProcessMs = new Float64Array(SECOND_SLOTS);
  /** How many of its processes run while it runs, and the time up to which their process time is counted. */
  private processes = 1;
  private countedTo = Number.NaN;
  private headMinute = Number.NaN;
  private firstMinute = Number.NaN;
  /** The time of the first line counted: the app's history starts there (its start, or the daemon's). */
  private firstTs = Number.NaN;
  private headSecond = Number.NaN;
  private headRunSecond = Number.NaN;
  /** The latest time counted, and when the app stopped (NaN while it runs). */
  private lastTs = Number.NaN;
  private pausedAt = Number.NaN;
  /** All the time the app did not run since its first line, up to its last `resume`. */
  private stoppedMs = 0;
  /** Lines of the current second, of the second before it (0 when that had none), and classified this second. */
  secondLines = 0;
  previousSecondLines = 0;
  secondSampled = 0;

  /** Whether any line was counted yet. */
  get started(): boolean {
    return !Number.isNaN(this.headMinute);
  }

  /**
   * Moves the rings to the time `ts`; when a minute closes, returns its ENG-5 verdict (or null when it
   * is not anomalous) — `undefined` when no minute closed.
   */
  advance(ts: number): RateAnomaly | null | undefined {
    let closed: RateAnomaly | null | undefined;
    const minute = Math.floor(ts / 60_000);
    if (Number.isNaN(this.headMinute)) {
      this.headMinute = minute;
      this.firstMinute = minute;
      this.firstTs = ts;
      this.countedTo = ts;
      // a first line while the app is stopped (drained after its exit): the history starts stopped
      if (!Number.isNaN(this.pausedAt)) this.pausedAt = Math.max(this.pausedAt, ts);
    } else if (minute > this.headMinute) {
      closed = this.judgeMinute(this.headMinute);
      for (let m = this.headMinute + 1; m <= Math.min(minute, this.headMinute + HISTORY_MINUTES); m += 1) {
        this.minuteLines[m % HISTORY_MINUTES] = 0;
        this.minuteErrors[m % HISTORY_MINUTES] = 0;
        this.minuteClassified[m % HISTORY_MINUTES] = 0;
        this.minuteStoppedMs[m % HISTORY_MINUTES] = 0;
        this.minuteProcessMs[m % HISTORY_MINUTES] = 0;
      }
      this.headMinute = minute;
    }
    const second = Math.floor(ts / 1000);
    if (Number.isNaN(this.headSecond)) this.headSecond = second;
    else if (second > this.headSecond) {
      this.previousSecondLines = second === this.headSecond + 1 ? this.secondLines : 0;
      this.secondLines = 0;
      this.secondSampled = 0;
      this.headSecond = second;
    }
    const runSecond = Math.floor(this.runTime(ts) / 1000);
    if (Number.isNaN(this.headRunSecond)) this.headRunSecond = runSecond;
    else if (runSecond > this.headRunSecond) {
      const last = Math.min(runSecond, this.headRunSecond + SECOND_SLOTS);
      for (let s = this.headRunSecond + 1; s <= last; s += 1) {
        this.secondErrors[s % SECOND_SLOTS] = 0;
        this.secondProcessMs[s % SECOND_SLOTS] = 0;
      }
      this.headRunSecond = runSecond;
    }
    if (!(ts <= this.lastTs)) this.lastTs = ts;
    this.countProcessTime(ts);
    return closed;
  }

  /**
   * `count` of the app's processes run from `ts` (0: none, as `pause`; more than 0 after none, as
   * `resume`): the usual error count of a window is then per process, so a window in which more of them
   * run expects more errors (instances back after most of them were down, or a scale up, are no burst)
   * and one in which fewer run expects fewer. Returns what `advance` returns.
   */
  setProcesses(count: number, ts: number): RateAnomaly | null | undefined {
    if (count <= 0) return this.pause(ts);
    let closed = this.resume(ts);
    if (closed === undefined && this.started) closed = this.advance(ts);
    this.processes = count;
    return closed;
  }

  /**
   * The app stopped at `ts` (none of its processes runs): its history stands still until `resume`.
   * Before the first line too: lines that come while it is stopped then start a history that stands still.
   */
  pause(ts: number): RateAnomaly | null | undefined {
    if (!Number.isNaN(this.pausedAt)) return undefined;
    if (!this.started) {
      this.pausedAt = ts;
      return undefined;
    }
    // the processes' time is counted up to the stop
    const closed = this.advance(ts);
    this.pausedAt = this.lastTs;
    return closed;
  }

  /**
   * The app runs again from `ts`: the time since `pause` is left out of its error rates. Moves the rings
   * to `ts` first and returns what `advance` returns.
   */
  resume(ts: number): RateAnomaly | null | undefined {
    if (Number.isNaN(this.pausedAt)) return undefined;
    if (!this.started) {
      // stopped before any line: the history starts with the next line, nothing to leave out
      this.pausedAt = Number.NaN;
      return undefined;
    }
    const from = this.pausedAt;
    const to = Math.max(ts, from);
    const closed = this.advance(to);
    for (let m = Math.max(Math.floor(from / 60_000), this.oldestMinute()); m <= this.headMinute; m += 1) {
      const overlapMs = Math.min(to, (m + 1) * 60_000) - Math.max(from, m * 60_000);
      if (overlapMs > 0) this.minuteStoppedMs[m % HISTORY_MINUTES]! += overlapMs;
    }
    this.stoppedMs += to - from;
    this.pausedAt = Number.NaN;
    return closed;
  }

  /** Counts lines of the current minute, how many were classified, and their (estimated) errors. */
  add(lines: number, classified: number, errors: number): void {
    this.minuteLines[this.headMinute % HISTORY_MINUTES]! += lines;
    this.minuteClassified[this.headMinute % HISTORY_MINUTES]! += classified;
    this.minuteErrors[this.headMinute % HISTORY_MINUTES]! += errors;
    this.secondErrors[this.headRunSecond % SECOND_SLOTS]! += errors;
  }

  /**
   * A burst when the window (this second and the 9 before it of the app's run time: a stop in between
   * does not count) holds 50+ errors and well over the usual count (`burstThreshold`: 5× a low one,
   * 3× a high one, such as 400 errors in 10 s of an app that logs 40 a second): the errors per process and
   * millisecond of the history before the window — from the first line counted (or the hour's oldest
   * minute) to the window's start, less the time the app did not run — times the processes that ran in
   * the window (on average) and the window's 10 s. That history must span at least one window (10 s),
   * so nothing is a burst in the app's first 19–20 s of running: a steady error rate from the start is
   * then the usual rate, while a flood later after quieter lines is found at once.
   */
  burst(): Burst | undefined {
    let errors = 0;
    let windowProcessMs = 0;
    for (let s = 0; s < SECOND_SLOTS; s += 1) {
      errors += this.secondErrors[s]!;
      windowProcessMs += this.secondProcessMs[s]!;
    }
    if (errors < ERROR_BURST_MIN_ERRORS) return undefined;
    const oldest = this.oldestMinute();
    // the minutes hold every error and process time counted in the hour, the window's among them
    let historyErrors = -errors;
    let historyProcessMs = -windowProcessMs;
    let ringStoppedMs = 0;
    for (let m = oldest; m <= this.headMinute; m += 1) {
      historyErrors += this.minuteErrors[m % HISTORY_MINUTES]!;
      historyProcessMs += this.minuteProcessMs[m % HISTORY_MINUTES]!;
      ringStoppedMs += this.minuteStoppedMs[m % HISTORY_MINUTES]!;
    }
    // in run time: the first line (no stop before it) or the oldest minute's start, less the stops before it
    const startMs = Math.max(this.firstTs, oldest * 60_000 - (this.stoppedMs - ringStoppedMs));
    const windowStartMs = (this.headRunSecond - SECOND_SLOTS + 1) * 1000;
    const historyMs = windowStartMs - startMs;
    if (historyMs < ERROR_BURST_MIN_HISTORY_MS) return undefined;
    const windowRunMs = this.runTime(this.countedTo) - windowStartMs;
    // errors per process-ms times the processes that ran in the window on average (one process: per ms)
    const isPerProcess = historyProcessMs > 0 && windowProcessMs > 0 && windowRunMs > 0;
    const perMs = Math.max(0, historyErrors) / (isPerProcess ? historyProcessMs : historyMs);
    const usual = perMs * (isPerProcess ? windowProcessMs / windowRunMs : 1) * ERROR_BURST_WINDOW_MS;
    return errors < burstThreshold(usual) ? undefined : { errors, usual };
  }

  /** Error lines per minute over the last hour (0 for minutes without lines), oldest first. */
  errorsPerMinute(): number[] {
    if (Number.isNaN(this.headMinute)) return [];
    const out: number[] = [];
    for (let m = this.oldestMinute(); m <= this.headMinute; m += 1)
      out.push(this.minuteErrors[m % HISTORY_MINUTES]!);
    return out;
  }

  /**
   * Adds the process time from `countedTo` to `ts` (the rings moved to `ts` already) to the minutes
   * and run seconds it falls in; none while the app is stopped.
   */
  private countProcessTime(ts: number): void {
    const from = this.countedTo;
    if (!(ts > from)) return;
    this.countedTo = ts;
    if (!Number.isNaN(this.pausedAt)) return;
    for (let m = Math.max(Math.floor(from / 60_000), this.oldestMinute()); m <= this.headMinute; m += 1) {
      const overlapMs = Math.min(ts, (m + 1) * 60_000) - Math.max(from, m * 60_000);
      if (overlapMs > 0) this.minuteProcessMs[m % HISTORY_MINUTES]! += overlapMs * this.processes;
    }
    // while it runs, its run time moves with the clock
    const runFrom = this.runTime(from);
    const runTo = this.runTime(ts);
    const oldestSecond = this.headRunSecond - SECOND_SLOTS + 1;
    for (let s = Math.max(Math.floor(runFrom / 1000), oldestSecond); s <= this.headRunSecond; s += 1) {
      const overlapMs = Math.min(runTo, (s + 1) * 1000) - Math.max(runFrom, s * 1000);
      if (overlapMs > 0) this.secondProcessMs[s % SECOND_SLOTS]! += overlapMs * this.processes;
    }
  }

  /** The app's run time at `ts`: `ts` less the time it did not run before (frozen while it is stopped). */
  private runTime(ts: number): number {
    return (Number.isNaN(this.pausedAt) ? ts : Math.min(ts, this.pausedAt)) - this.stoppedMs;
  }

  private oldestMinute(): number {
    return Math.max(this.firstMinute, this.headMinute - HISTORY_MINUTES + 1);
  }

  /** ENG-5 on the error rate of a minute that just closed, against the minutes before it that had lines. */
  private judgeMinute(minute: number): RateAnomaly | null {
    const slot = minute % HISTORY_MINUTES;
    const lines = this.minuteLines[slot]!;
    const errors = this.minuteErrors[slot]!;
    if (lines === 0 || errors < ANOMALY_RULES.minErrors) return null;
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (let m = Math.max(this.firstMinute, minute - HISTORY_MINUTES + 1); m < minute; m += 1) {
      const count = this.minuteLines[m % HISTORY_MINUTES]!;
      if (count === 0) continue;
      const rate = this.minuteErrors[m % HISTORY_MINUTES]! / count;
      n += 1;
      sum += rate;
      sumSq += rate * rate;
    }
    if (n < MIN_HISTORY_MINUTES) return null;
    const baseline = sum / n;
    const stddev = Math.sqrt(Math.max(0, sumSq / n - baseline * baseline));
    const rate = errors / lines;
    const z = (rate - baseline) / Math.max(stddev, ANOMALY_RULES.minRateStddev);
    if (z < ANOMALY_RULES.warningZ) return null;
    const severity = z >= ANOMALY_RULES.criticalZ ? 'critical' : 'warning';
    return { minute, severity, rate, baseline, z, errors, lines, classified: this.minuteClassified[slot]! };
  }
}
