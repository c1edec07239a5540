import type { VelosEvent } from '@velos/core';
import { html } from 'htm/preact';
import { formatAgo, formatClock } from '../format.js';
import { routeHash } from '../router.js';
import { useNow } from './use-now.js';

const GROUP_SPAN_MS = 3_600_000;

/**
 * Events newest first: time, severity (as a word), kind, app and the message. `limit` > 0 groups
 * the last hour's: the newest event of each app and kind, with how many (a crash loop is one row).
 */
export function EventList({
  events,
  empty,
  showApp = true,
  groupLimit = 0,
}: {
  events: VelosEvent[];
  empty: string;
  showApp?: boolean;
  groupLimit?: number;
}) {
  const now = useNow(10_000);
  if (events.length === 0) return html`<p class="empty-note">${empty}</p>`;
  const grouped = groupLimit > 0 ? groupEvents(events, groupLimit, now) : [];
  const newest = groupLimit > 0 ? events.slice(-groupLimit) : events;
  // The page holds the newest few hundred events: when they do not reach back an hour, counts are lower bounds.
  const isPartial = events.length >= 100 && now - events[0]!.at < GROUP_SPAN_MS;
  const rows = grouped.length > 0 ? grouped : [...newest].reverse().map((e) => ({ e, count: 1 }));
  return html`<ol class="events">
    ${rows.map(
      ({ e, count }) => html`<li key=${e.seq} class=${`event sev-${e.severity}`}>
        <time class="ev-time num" datetime=${new Date(e.at).toISOString()} title=${formatAgo(e.at, now)}>${formatClock(e.at)}</time>
        <span class="sev">${e.severity}</span>
        <span class="ev-kind" title=${e.kind}>${e.kind}</span>
        ${showApp ? (e.app ? html`<a class="ev-app" href=${routeHash('app', e.app)} title=${e.app}>${e.app}</a>` : html`<span class="ev-app"></span>`) : null}
        <span class="ev-msg">${e.message}</span>
        ${count > 1 ? html`<span class="ev-count num" title=${`${isPartial ? 'at least ' : ''}${count} events of this kind for this app in the last hour`}>×${count}${isPartial ? '+' : ''}</span>` : null}
      </li>`,
    )}
  </ol>`;
}

/** Of the last hour: the newest event of each app and kind (newest first, at most `limit`), with its count. */
function groupEvents(events: VelosEvent[], limit: number, now: number): { e: VelosEvent; count: number }[] {
  const groups = new Map<string, { e: VelosEvent; count: number }>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (now - e.at > GROUP_SPAN_MS) break;
    const key = `${e.app ?? ''}\0${e.kind}`;
    const group = groups.get(key);
    if (group) group.count++;
    else if (groups.size < limit) groups.set(key, { e, count: 1 });
  }
  return [...groups.values()];
}
