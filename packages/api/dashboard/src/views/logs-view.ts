import { html } from 'htm/preact';
import { LogPanel } from '../components/log-panel.js';
import { type Route, routeHash, setParams } from '../router.js';
import { groupByApp } from '../status.js';
import { useDash } from '../store.js';

/** The log view: all apps merged or one app, with follow, level, text and range. */
export function LogsView({ route }: { route: Route }) {
  const processes = useDash((s) => s.processes);
  const hasProcesses = useDash((s) => s.hasProcesses);
  const app = route.params.get('app') ?? 'all';
  const names = [...groupByApp(processes.values()).keys()];
  // an app deleted under the open view, or named by an old link: the server follows nothing for it
  // (a process id or a namespace, which the server takes as targets too, is known)
  const isGone =
    app !== 'all' &&
    hasProcesses &&
    !names.includes(app) &&
    ![...processes.values()].some((p) => String(p.id) === app || p.namespace === app);
  return html`<section class="panel logs-view" aria-labelledby="logs-view-h">
    <div class="panel-head">
      <h2 id="logs-view-h">Logs</h2>
      <label>App
        <select value=${app} title=${app === 'all' ? 'all apps' : app} data-app-select onChange=${(e: Event) => setParams({ app: (e.target as HTMLSelectElement).value === 'all' ? null : (e.target as HTMLSelectElement).value })}>
          <option value="all">all apps</option>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
          ${isGone ? html`<option value=${app}>${app} (not listed)</option>` : null}
        </select>
      </label>
    </div>
    ${
      isGone
        ? html`<p class="empty-note" data-log-gone>There is no app called <b>${app}</b> (any more): no lines to follow. <a href=${routeHash('logs')}>Show all apps</a></p>`
        : html`<${LogPanel} key=${app} target=${app} params=${route.params} showApp=${app === 'all'} />`
    }
  </section>`;
}
