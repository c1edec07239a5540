import { html } from 'htm/preact';
import { type Route, routeHash } from '../router.js';
import { signOut } from '../session.js';
import { type ConnectionState, useDash } from '../store.js';
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
  const problem = useDash((s) => s.problem?.kind ?? null);
  const { mode } = useTheme();
  const live = connectionWord(connection, problem);
  return html`<header class="topbar">
    <a class="brand" href="#/"><img src="favicon.svg" alt="" width="22" height="22" /> Velos</a>
    ${
      auth === 'ok' &&
      html`<nav aria-label="Views">
        ${NAV.map((n) => html`<a href=${routeHash(n.view)} aria-current=${route.view === n.view || (n.view === 'overview' && route.view === 'app') ? 'page' : undefined}>${n.label}</a>`)}
      </nav>`
    }
    <span class="spacer"></span>
    ${auth === 'ok' && html`<span class=${`conn tone-${live.tone}`} title=${live.title}><span class="dot" aria-hidden="true"></span>${live.word}</span>`}
    ${scope === 'read' && html`<span class="chip">read-only</span>`}
    <button type="button" class="icon-btn" onClick=${cycleTheme} title=${`Theme: ${mode} (click to change)`} aria-label=${`Theme: ${mode}`}>${mode === 'dark' ? '☾' : mode === 'light' ? '☀' : '◐'}</button>
    <button type="button" class="icon-btn" onClick=${onHelp} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
    ${auth === 'ok' && hasToken && html`<button type="button" class="icon-btn" onClick=${signOut} title="Forget the token for this tab" aria-label="Sign out">⎋</button>`}
  </header>`;
}

/**
 * The word of the connection's state: the socket to the server, unless the server answers that it
 * cannot reach the daemon (the socket is up but nothing behind it is live) or cannot be reached.
 */
function connectionWord(
  connection: ConnectionState,
  problem: 'server' | 'daemon' | 'limited' | null,
): { word: string; tone: string; title: string } {
  if (problem === 'daemon') {
    return { word: 'daemon down', tone: 'bad', title: 'The server is up but cannot reach the Velos daemon' };
  }
  const title = 'The live connection to the server';
  if (problem === 'server') return { word: 'server down', tone: 'bad', title };
  if (problem === 'limited' && connection !== 'live') {
    return {
      word: 'rate-limited',
      tone: 'warn',
      title: 'The server refuses this address’s requests for now',
    };
  }
  if (connection === 'live') return { word: 'live', tone: 'ok', title };
  if (connection === 'connecting') return { word: 'connecting', tone: 'info', title };
  return { word: 'reconnecting', tone: 'warn', title };
}
