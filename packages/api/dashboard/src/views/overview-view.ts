import { html } from 'htm/preact';
import { EventList } from '../components/event-list.js';
import { ProcessTable } from '../components/process-table.js';
import { SummaryStrip } from '../components/summary-strip.js';
import { type Route, routeHash, setParams } from '../router.js';
import { isUnreachable, useDash } from '../store.js';

/** The overview: the summary, the process table and the last hour's events, grouped by app and kind. */
export function OverviewView({ route }: { route: Route }) {
  const processes = useDash((s) => s.processes);
  const hasProcesses = useDash((s) => s.hasProcesses);
  const events = useDash((s) => s.events);
  const isDaemonDown = useDash(isUnreachable);
  const filter = route.params.get('q') ?? '';
  const show = route.params.get('show');
  const sort = (route.params.get('sort') ?? 'name') as 'name' | 'cpu' | 'memory' | 'restarts';
  return html`<div class="overview">
    <${SummaryStrip} selected=${show} />
    <section class="panel" aria-labelledby="apps-h">
      <div class="panel-head">
        <h2 id="apps-h">Apps</h2>
        <label class="filter">
          <span class="sr-only">Filter apps by name</span>
          <input type="search" data-filter placeholder="Filter apps  ( / )" value=${filter} onInput=${(e: Event) => setParams({ q: (e.target as HTMLInputElement).value })} />
        </label>
      </div>
      ${
        !hasProcesses
          ? html`<p class="empty-note">${isDaemonDown ? 'The apps are not known yet: the daemon is not reachable.' : 'Loading the processes…'}</p>`
          : processes.size === 0
            ? html`<div class="empty">
                <h3>No apps yet</h3>
                <p>Start one from a shell on this machine and it appears here at once:</p>
                <pre class="cmd">velos start app.js --name web</pre>
                <p class="muted">or every app of a config file: <code>velos start velos.toml</code></p>
              </div>`
            : html`<${ProcessTable} filter=${filter} show=${show} sort=${sort} />`
      }
    </section>
    <section class="panel" aria-labelledby="events-h">
      <div class="panel-head">
        <h2 id="events-h">Recent events <span class="muted">· last hour, newest of each kind</span></h2>
        <a href=${routeHash('events')} class="more">All events and alerts →</a>
      </div>
      <${EventList} events=${events} groupLimit=${20} empty=${isDaemonDown ? 'The events are not known: the daemon is not reachable.' : 'No events yet: they appear as apps start, exit and restart.'} />
    </section>
  </div>`;
}
