import { html } from 'htm/preact';
import { retryNow } from '../session.js';
import { useDash } from '../store.js';
import { useNow } from './use-now.js';

/** Says plainly when the server or the daemon cannot be reached, and when the next try is. */
export function ProblemBanner() {
  const problem = useDash((s) => s.problem);
  const connection = useDash((s) => s.connection);
  const retryAt = useDash((s) => s.retryAt);
  const now = useNow(1000);
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : null;
  const retry = seconds !== null ? ` Retrying in ${seconds} s.` : '';
  let text: unknown = null;
  if (problem?.kind === 'daemon') {
    text = html`<b>The Velos daemon is not reachable.</b> The API server is up but cannot talk to it
      (${problem.message}). Start it again on the server with <code>velos resurrect</code>; the figures
      below are the last ones known.`;
  } else if (problem?.kind === 'limited') {
    text = html`<b>The Velos API server is limiting this address's requests</b> (${problem.message}): more
      than its rate limit a minute, from this page and whatever shares its address (other tabs, a proxy in
      front of the server: <code>velos serve --rate-limit</code>). The figures below are the last ones known.`;
  } else if (problem?.kind === 'server') {
    text = html`<b>The Velos API server cannot be reached.</b> It may have stopped, or the network is down.`;
  } else if (connection === 'retrying') {
    text = 'The live connection dropped; the figures below may be stale.';
  }
  if (!text) return null;
  return html`<div class="banner" role="alert">
    <span>${text}${retry}</span>
    <button type="button" class="btn small" onClick=${retryNow}>Retry now</button>
  </div>`;
}
