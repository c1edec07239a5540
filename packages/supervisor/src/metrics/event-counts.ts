/** Distinct event kinds counted; apps name their own (`app.<name>`), so the table is bounded. */
const MAX_KINDS = 500;
/** The kind counted for events of kinds beyond `MAX_KINDS`. */
const OTHER_KIND = 'other';

/** OBS-1: events published on the bus since start, by kind. */
export interface EventCounts {
  count(kind: string): void;
  byKind(): Record<string, number>;
}

/** Creates the counts (one map entry per kind). */
export function createEventCounts(): EventCounts {
  const counts = new Map<string, number>();
  return {
    count(kind) {
      const key = counts.has(kind) || counts.size < MAX_KINDS ? kind : OTHER_KIND;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    byKind: () => Object.fromEntries(counts),
  };
}
