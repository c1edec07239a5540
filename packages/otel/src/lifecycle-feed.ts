import type { Tracer } from '@opentelemetry/api';
import type { MetricsSnapshot, VelosControl } from '@velos/core';
import { createLifecycleSpans } from './lifecycle-spans.js';

/** How long `close` waits for the events already published to become spans. */
const DRAIN_TIMEOUT_MS = 1000;

/** The event feed of the daemon turned into spans, while the export runs. */
export interface LifecycleFeed {
  /** Passes a metrics snapshot on (labels, last CPU and memory of each process). */
  noteSnapshot(snapshot: MetricsSnapshot): void;
  /** Handles the events published so far (bounded wait), then stops following. */
  close(): Promise<void>;
}

/**
 * Follows `control`'s events from now on (`afterSeq` of the newest one) into `createLifecycleSpans`,
 * and opens the runs already going from one snapshot.
 */
export async function startLifecycleFeed(
  control: VelosControl,
  tracer: Tracer,
  log: (line: string) => void,
): Promise<LifecycleFeed> {
  const spans = createLifecycleSpans(tracer, async () =>
    (await control.list()).map((p) => ({ ...p, memoryBytes: p.memory, cpuPercent: p.cpu })),
  );
  const newestSeq = async (): Promise<number> => (await control.events({ limit: 1 })).events.at(-1)?.seq ?? 0;
  let handledSeq = await newestSeq();
  const feed = control.followEvents({ afterSeq: handledSeq });
  const following = (async () => {
    for await (const batch of feed) {
      // a marker of events the feed fell too far behind to be given is no lifecycle event: the log says so
      const events = batch.filter((event) => event.skipped === undefined);
      for (const marker of batch) if (marker.skipped !== undefined) log(`otlp: ${marker.message}`);
      await spans.handle(events);
      handledSeq = batch.at(-1)?.seq ?? handledSeq;
    }
  })().catch((error: unknown) => log(`otlp: the event feed ended: ${String(error)}`));
  const snapshot = await control.metrics();
  spans.noteSnapshot(snapshot.processes, snapshot.at, true);

  return {
    noteSnapshot(next) {
      spans.noteSnapshot(next.processes, next.at);
    },
    async close() {
      // the exits of a shutdown were published just before: let them become spans first
      const target = await newestSeq().catch(() => handledSeq);
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (handledSeq < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      feed.cancel();
      await following;
      spans.close();
    },
  };
}
