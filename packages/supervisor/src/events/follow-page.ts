import type { VelosEvent } from '@velos/core';

/** One page of the events a follow missed: the oldest that match after its last one, oldest first. */
export interface FollowPage {
  events: VelosEvent[];
  /** Newer matching events were left for the next page (past the page's bytes). */
  hasMore: boolean;
  /** Events after the follow's last one are no longer kept (the file was rotated past them). */
  isGone: boolean;
  /** The seq of the oldest event still kept after the follow's last one (Infinity: none visited). */
  oldestSeenSeq: number;
}

/**
 * A visitor of events newest first (the ring, then `events.jsonl` backwards) that keeps the oldest ones
 * matching after `afterSeq` within `maxBytes` of JSON (one at least, whatever its size), and the page
 * they make. It stops at `afterSeq` (or `since`), so a page costs one read back to the follow's place.
 * @example const collector = collectFollowPage({ afterSeq: 41, matches: () => true, maxBytes: 8 << 20 });
 */
export function collectFollowPage(options: {
  afterSeq: number;
  since?: number;
  matches: (event: VelosEvent) => boolean;
  maxBytes: number;
}): { visit: (event: VelosEvent) => boolean; page: () => FollowPage } {
  const { afterSeq, since, matches, maxBytes } = options;
  // newest first; those before `start` were let go for older ones (compacted now and then)
  let kept: VelosEvent[] = [];
  let sizes: number[] = [];
  let start = 0;
  let bytes = 0;
  let hasMore = false;
  let isBoundReached = false;
  let oldestSeenSeq = Number.POSITIVE_INFINITY;
  return {
    visit(event) {
      if (event.seq <= afterSeq || (since !== undefined && event.at < since)) {
        isBoundReached = true;
        return false;
      }
      oldestSeenSeq = event.seq;
      if (!matches(event)) return true;
      const size = JSON.stringify(event).length;
      kept.push(event);
      sizes.push(size);
      bytes += size;
      while (bytes > maxBytes && kept.length - start > 1) {
        bytes -= sizes[start]!;
        start += 1;
        hasMore = true;
      }
      if (start > 1024 && start * 2 > kept.length) {
        kept = kept.slice(start);
        sizes = sizes.slice(start);
        start = 0;
      }
      return true;
    },
    page() {
      const isGone =
        !isBoundReached && oldestSeenSeq !== Number.POSITIVE_INFINITY && oldestSeenSeq > afterSeq + 1;
      return { events: kept.slice(start).reverse(), hasMore, isGone, oldestSeenSeq };
    },
  };
}
