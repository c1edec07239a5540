import type { VelosEvent } from '@velos/core';

/** The severities from the mildest, as the events view offers them. */
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;

/** The events view's filters: an app, a kind's category and a floor of severity (empty: any). */
export interface EventFilter {
  app: string;
  kind: string;
  severity: string;
}

/** Two event lists as one, by sequence number, oldest first. */
export function mergeEvents(a: readonly VelosEvent[], b: readonly VelosEvent[]): VelosEvent[] {
  const bySeq = new Map([...a, ...b].map((e) => [e.seq, e]));
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/** True when `event` is of the filter's app, of its kind's category and of its severity or worse. */
export function matchesEventFilter(event: VelosEvent, filter: EventFilter): boolean {
  const floor = SEVERITIES.indexOf(filter.severity as (typeof SEVERITIES)[number]);
  return (
    (!filter.app || event.app === filter.app) &&
    (!filter.kind || event.kind.startsWith(`${filter.kind}.`)) &&
    SEVERITIES.indexOf(event.severity as (typeof SEVERITIES)[number]) >= floor
  );
}

/**
 * The events the events view shows: those the server answered for its filters (read for them, so
 * never dropped by the page's own cap of the newest events) and the newer ones the page holds, the
 * newest `limit` that match, oldest first.
 */
export function eventsShown(
  read: readonly VelosEvent[],
  held: readonly VelosEvent[],
  filter: EventFilter,
  limit: number,
): VelosEvent[] {
  return mergeEvents(read, held)
    .filter((e) => matchesEventFilter(e, filter))
    .slice(-limit);
}
