import type { LogLine, LogStreamFilter, Subscription } from '@velos/core';
import type { ProcessRecord } from './process-record.js';
import { createSubscriptionQueue } from './subscription-queue.js';

/** Lines `logs` and `logs.follow` return per process when the request does not say. */
export const DEFAULT_TAIL_LINES = 15;
/** Batches a follower may fall behind before the oldest are dropped. */
const FOLLOW_QUEUE_ITEMS = 1000;

/** The last `lines` lines of each process, merged by time (oldest first). */
export async function tailLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
): Promise<LogLine[]> {
  if (lines <= 0 || records.length === 0) return [];
  return mergeByTime(await Promise.all(records.map((record) => record.pipeline.tail({ lines, stream }))));
}

/**
 * Follows the logs of some processes: first the tail (one batch), then live batches as they come;
 * a consumer that falls more than 1000 batches behind loses the oldest ones. With `watch`, processes
 * that `watch` reports later (apps started after the follow began) are followed too.
 */
export function followLogs(
  records: ProcessRecord[],
  lines: number,
  stream: LogStreamFilter,
  watch?: (onRecord: (record: ProcessRecord) => void) => () => void,
): Subscription<LogLine[]> {
  let unsubscribers: (() => void)[] = [];
  const queue = createSubscriptionQueue<LogLine[]>({
    maxItems: FOLLOW_QUEUE_ITEMS,
    onCancel: () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      unsubscribers = [];
    },
  });
  // live batches that arrive before the tail is out wait here, so the order stays right
  let early: LogLine[][] | null = [];
  const onBatch = (batch: LogLine[]): void => {
    const kept = stream === 'all' ? batch : batch.filter((line) => line.stream === stream);
    if (kept.length === 0) return;
    if (early) early.push(kept);
    else queue.push(kept);
  };
  unsubscribers = records.map((record) => record.pipeline.subscribe(onBatch));
  if (watch) unsubscribers.push(watch((record) => unsubscribers.push(record.pipeline.subscribe(onBatch))));
  tailLogs(records, lines, stream)
    .catch(() => [] as LogLine[])
    .then((last) => {
      const seen = new Set(last.map(lineKey));
      if (last.length > 0) queue.push(last);
      for (const batch of early ?? []) {
        const fresh = batch.filter((line) => !seen.has(lineKey(line)));
        if (fresh.length > 0) queue.push(fresh);
      }
      early = null;
    });
  return queue.subscription;
}

function lineKey(line: LogLine): string {
  return `${line.id}|${line.ts}|${line.stream}|${line.line}`;
}

function mergeByTime(parts: LogLine[][]): LogLine[] {
  if (parts.length === 1) return parts[0]!;
  return parts.flat().sort((a, b) => a.ts - b.ts);
}
