import type { VelosEvent } from '@velos/core';

/**
 * Exit reasons of a failure nobody asked for: the supervisor's `CRASH_REASONS` (exit-history.ts,
 * not importable in the browser bundle), with which the log engine's search raises the stderr lines
 * just before such an exit to error.
 */
const CRASH_REASONS: ReadonlySet<unknown> = new Set([
  'crash',
  'memory',
  'unhealthy',
  'spawn-error',
  'timeout',
]);

/**
 * The `seq` of the newest crash exit of app `target` among `events` (a `process.exited` of a crash
 * reason with a non-zero code or a signal), 0 when none: after it, a search by level may raise
 * lines already shown live, so a panel following under a level filter reads its lines again.
 */
export function lastCrashExit(events: readonly VelosEvent[], target: string): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind !== 'process.exited' || event.app !== target) continue;
    const fields = event.fields ?? {};
    const hasFailed =
      (typeof fields.code === 'number' && fields.code !== 0) || typeof fields.signal === 'string';
    if (CRASH_REASONS.has(fields.reason) && hasFailed) return event.seq;
  }
  return 0;
}
