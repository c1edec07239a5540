import type { AppSpec } from '@velos/core';
import { stopWaves } from './dependencies/dependency-order.js';

/** Slack per stop wave: the SIGKILL after `kill_timeout`, and the wait for the tree to be gone. */
export const STOP_WAVE_SLACK_MS = 1_000;

/** Slack of the whole stop: the state saved before, the primaries, extensions and socket closed after. */
export const STOP_MARGIN_MS = 10_000;

/**
 * How long stopping `records` at once (`velos kill`, SIGTERM) may take: `depends_on` stops go in
 * waves (SUP-12), each as long as its slowest process's `kill_timeout`, so the waves' longest add up,
 * with some slack. The daemon tells systemd (`EXTEND_TIMEOUT_USEC`) so that `TimeoutStopSec=` does
 * not SIGKILL it while a later wave still waits for a graceful stop.
 * @example shutdownBudgetMs(activeRecords, table.apps) // 2 waves of kill_timeout 5 s → 22000
 */
export function shutdownBudgetMs<T extends { app: { spec: AppSpec }; spawnSeq: number }>(
  records: T[],
  known?: ReadonlyMap<string, { spec: AppSpec }>,
): number {
  let total = STOP_MARGIN_MS;
  for (const wave of stopWaves(records, known)) {
    total += Math.max(0, ...wave.map((record) => record.app.spec.killTimeoutMs)) + STOP_WAVE_SLACK_MS;
  }
  return total;
}
