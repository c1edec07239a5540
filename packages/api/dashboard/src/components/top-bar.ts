import { html } from 'htm/preact';
import { type Route, routeHash } from '../router.js';
import { signOut } from '../session.js';
import { useDash } from '../store.js';
import { cycleTheme, useTheme } from '../theme.js';

const NAV = [
  { view: 'overview', label: 'Overview', key: 'o' },
  { view: 'logs', label: 'Logs', key: 'l' },
  { view: 'events', label: 'Events', key: 'e' },
] as const;

/** The bar: the name, the views, the connection's state, the theme and the keys. */
export function TopBar({ route, onHelp }: { route: Route; onHelp: () => void }) {
  const connection = useDash((s) => s.connection);
  const auth = useDash((s) => s.auth);
  const scope = useDash((s) => s.scope);
  const hasToken = useDash((s) => s.token !== null);
  const { mode } = useTheme();
  const live =
    connection === 'live'
      ? { word: 'live', tone: 'ok' }
      : connection === 'connecting'
        ? { word: 'connecting', tone: 'info' }
        : { word: 'reconnecting', tone: 'warn' };
  return html`<header class="topbar">
    <a class="brand" href="#/"><img src="favicon.svg" alt="" width="22" height="22" /> Velos</a>
    ${
      auth === 'ok' &&
      html`<nav aria-label="Views">
        ${NAV.map((n) => html`<a href=${routeHash(n.view)} aria-current=${route.view === n.view || (n.view === 'overview' && route.view === 'app') ? 'page' : undefined}>${n.label}</a>`)}
      </nav>`
    }
    <span class="spacer"></span>
    ${auth === 'ok' && html`<span class=${`conn tone-${live.tone}`} title="The live connection to the server"><span class="dot" aria-hidden="true"></span>${live.word}</span>`}
    ${scope === 'read' && html`<span class="chip">read-only</span>`}
    <button type="button" class="icon-btn" onClick=${cycleTheme} title=${`Theme: ${mode} (click to change)`} aria-label=${`Theme: ${mode}`}>${mode === 'dark' ? '☾' : mode === 'light' ? '☀' : '◐'}</button>
    <button type="button" class="icon-btn" onClick=${onHelp} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
    ${auth === 'ok' && hasToken && html`<button type="button" class="icon-btn" onClick=${signOut} title="Forget the token for this tab" aria-label="Sign out">⎋</button>`}
  </header>`;
}
