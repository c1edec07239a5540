import { html } from 'htm/preact';
import { LogPanel } from '../components/log-panel.js';
import { type Route, setParams } from '../router.js';
import { groupByApp } from '../status.js';
import { useDash } from '../store.js';

/** The log view: all apps merged or one app, with follow, level, text and range. */
export function LogsView({ route }: { route: Route }) {
  const processes = useDash((s) => s.processes);
  const app = route.params.get('app') ?? 'all';
  const names = [...groupByApp(processes.values()).keys()];
  return html`<section class="panel logs-view" aria-labelledby="logs-view-h">
    <div class="panel-head">
      <h2 id="logs-view-h">Logs</h2>
      <label>App
        <select value=${app} title=${app === 'all' ? 'all apps' : app} data-app-select onChange=${(e: Event) => setParams({ app: (e.target as HTMLSelectElement).value === 'all' ? null : (e.target as HTMLSelectElement).value })}>
          <option value="all">all apps</option>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </label>
    </div>
    <${LogPanel} key=${app} target=${app} params=${route.params} showApp=${app === 'all'} />
  </section>`;
}
