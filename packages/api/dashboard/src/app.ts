import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from './components/confirm-dialog.js';
import { ProblemBanner } from './components/problem-banner.js';
import { TokenForm } from './components/token-form.js';
import { TopBar } from './components/top-bar.js';
import { installKeys, KEYS } from './keyboard.js';
import { useRoute } from './router.js';
import { useDash } from './store.js';
import { EventsView } from './views/events-view.js';
import { LogsView } from './views/logs-view.js';
import { OverviewView } from './views/overview-view.js';
import { ProcessView } from './views/process-view.js';

/** The page: the bar, the banner, then the token form or the view the URL names. */
export function App() {
  const route = useRoute();
  const auth = useDash((s) => s.auth);
  // the first look without a token (a server with auth off needs none) is no sign-in yet
  const isProbing = useDash((s) => s.auth === 'checking' && s.token === null);
  const [isHelpOpen, setHelpOpen] = useState(false);
  useEffect(() => installKeys((open) => setHelpOpen((was) => open ?? !was)), []);
  useEffect(() => window.scrollTo(0, 0), [route.view, route.app]);
  const view =
    route.view === 'app'
      ? // keyed by app: going straight to another app starts its view afresh (scale box, busy buttons)
        html`<${ProcessView} key=${route.app} route=${route} />`
      : route.view === 'logs'
        ? html`<${LogsView} route=${route} />`
        : route.view === 'events'
          ? html`<${EventsView} route=${route} />`
          : html`<${OverviewView} route=${route} />`;
  return html`<div class="app">
    <${TopBar} route=${route} onHelp=${() => setHelpOpen(!isHelpOpen)} />
    <${ProblemBanner} />
    ${
      auth === 'ok'
        ? html`<main class="main">${view}</main>`
        : isProbing
          ? html`<main class="center"><p class="muted" role="status">Connecting…</p></main>`
          : html`<${TokenForm} />`
    }
    ${
      isHelpOpen &&
      html`<div class="help" role="dialog" aria-modal="false" aria-labelledby="help-h">
        <div class="help-box panel">
          <h2 id="help-h">Keyboard</h2>
          <dl>${KEYS.map(([k, v]) => html`<dt><kbd>${k}</kbd></dt><dd>${v}</dd>`)}</dl>
          <button type="button" class="btn" onClick=${() => setHelpOpen(false)}>Close</button>
        </div>
      </div>`
    }
    <${ConfirmDialog} />
  </div>`;
}
