import type { VelosEvent } from '@velos/core';
import { html } from 'htm/preact';
import { formatAgo, formatClock } from '../format.js';
import { routeHash } from '../router.js';
import { useNow } from './use-now.js';

/** Events newest first: time, severity (as a word), kind, app and the message. */
export function EventList({
  events,
  empty,
  showApp = true,
}: {
  events: VelosEvent[];
  empty: string;
  showApp?: boolean;
}) {
  const now = useNow(10_000);
  if (events.length === 0) return html`<p class="empty-note">${empty}</p>`;
  return html`<ol class="events">
    ${[...events].reverse().map(
      (e) => html`<li key=${e.seq} class=${`event sev-${e.severity}`}>
        <time class="ev-time num" datetime=${new Date(e.at).toISOString()} title=${formatAgo(e.at, now)}>${formatClock(e.at)}</time>
        <span class="sev">${e.severity}</span>
        <span class="ev-kind">${e.kind}</span>
        ${showApp && e.app ? html`<a class="ev-app" href=${routeHash('app', e.app)}>${e.app}</a>` : null}
        <span class="ev-msg">${e.message}</span>
      </li>`,
    )}
  </ol>`;
}
