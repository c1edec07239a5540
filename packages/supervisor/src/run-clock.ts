import { monotonicMs } from './monotonic-ms.js';
import type { ProcessRecord } from './process-record.js';

/** Uptimes and restart delays of the process table on the monotonic clock. */
export interface RunClock {
  /** Notes that a record's run is online now (its `startedAt` may lie in the past: a re-adopted run). */
  markOnline(record: ProcessRecord): void;
  /** How long the record's current run has been up; 0 when it has none. */
  uptimeMs(record: ProcessRecord): number;
  /** Notes that the record restarts `delayMs` from now. */
  markRestartIn(record: ProcessRecord, delayMs: number): void;
  /** Milliseconds until the record's restart is due (≤ 0: due). */
  restartInMs(record: ProcessRecord): number;
}

/**
 * Creates the clock the life cycle measures uptimes and restart delays with: `monotonicMs()`,
 * which a wall-clock jump (NTP step, `date -s`, a VM resumed) does not move, so a restart delay is
 * never stretched by an hour the clock went back, nor an uptime made negative (#15). The epoch times
 * a record shows (`startedAt`, `restartAt`) stay wall-clock; a record this clock has not seen falls
 * back to them.
 */
export function createRunClock(now: () => number = monotonicMs): RunClock {
  const onlineAt = new WeakMap<ProcessRecord, { mono: number; startedAt: number | null }>();
  const restartDue = new WeakMap<ProcessRecord, { mono: number; restartAt: number | null }>();
  return {
    markOnline(record) {
      const ageMs = record.startedAt === null ? 0 : Math.max(0, Date.now() - record.startedAt);
      onlineAt.set(record, { mono: now() - ageMs, startedAt: record.startedAt });
    },
    uptimeMs(record) {
      if (record.startedAt === null) return 0;
      const mark = onlineAt.get(record);
      if (mark?.startedAt === record.startedAt) return Math.max(0, now() - mark.mono);
      return Math.max(0, Date.now() - record.startedAt);
    },
    markRestartIn(record, delayMs) {
      restartDue.set(record, { mono: now() + delayMs, restartAt: record.restartAt });
    },
    restartInMs(record) {
      const due = restartDue.get(record);
      if (due && due.restartAt === record.restartAt) return due.mono - now();
      return record.restartAt === null ? 0 : record.restartAt - Date.now();
    },
  };
}
