import type { VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { collectFollowPage } from '../../src/events/follow-page.js';

const event = (seq: number): VelosEvent => ({ seq, at: seq, kind: 'app.x', severity: 'info', message: 'm' });
const size = JSON.stringify(event(100)).length;

/** Visits events `to` down to `from` (newest first) until the collector stops. */
function visitDown(collector: ReturnType<typeof collectFollowPage>, from: number, to: number): void {
  for (let seq = to; seq >= from && collector.visit(event(seq)); seq -= 1);
}

describe('a page of a follow', () => {
  it('keeps the oldest matching events after afterSeq within its bytes, oldest first, and says more came', () => {
    const collector = collectFollowPage({ afterSeq: 99, matches: () => true, maxBytes: size * 100 });
    // 5000 visited newest first: the newest are let go (and compacted) as older ones come
    visitDown(collector, 1, 5099);
    const page = collector.page();
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect(page).toMatchObject({ hasMore: true, isGone: false, oldestSeenSeq: 100 });
  });

  it('holds one event whatever its size, and all of them with no more', () => {
    const one = collectFollowPage({ afterSeq: 0, matches: () => true, maxBytes: 1 });
    visitDown(one, 1, 3);
    expect(one.page()).toMatchObject({ events: [event(1)], hasMore: true });
    const all = collectFollowPage({ afterSeq: 0, matches: (e) => e.seq % 2 === 0, maxBytes: 1e6 });
    visitDown(all, 1, 10);
    expect(all.page()).toMatchObject({ events: [2, 4, 6, 8, 10].map(event), hasMore: false, isGone: false });
  });

  it('tells events after afterSeq that are no longer kept, and not those before since', () => {
    const gone = collectFollowPage({ afterSeq: 10, matches: () => true, maxBytes: 1e6 });
    // the oldest kept is 50: 11 to 49 were rotated out
    visitDown(gone, 50, 60);
    expect(gone.page()).toMatchObject({ isGone: true, oldestSeenSeq: 50, hasMore: false });
    const since = collectFollowPage({ afterSeq: 10, since: 55, matches: () => true, maxBytes: 1e6 });
    visitDown(since, 50, 60);
    expect(since.page()).toMatchObject({ isGone: false, events: [55, 56, 57, 58, 59, 60].map(event) });
  });
});
