import type { VelosEvent } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ActionBar } from '../components/action-bar.js';
import { AppCharts } from '../components/app-charts.js';
import { ConfigPanel, CustomMetricsPanel, ProbesPanel, RunsPanel } from '../components/app-details.js';
import { Badge } from '../components/badge.js';
import { EventList } from '../components/event-list.js';
import { LogPanel } from '../components/log-panel.js';
import { LogSummary } from '../components/log-summary.js';
import { exitText } from '../components/process-row.js';
import { useNow } from '../components/use-now.js';
import { useRestartLoops } from '../components/use-restart-loops.js';
import { mergeEvents } from '../event-filter.js';
import { formatBytes, formatDuration, formatPercent } from '../format.js';
import { nextRunText, runsKey } from '../job-state.js';
import { type Route, routeHash } from '../router.js';
import { sampledSum } from '../samples.js';
import { appLabel } from '../status.js';
import { useDash } from '../store.js';

/** One app: header and actions, charts, the log summary above the lines, events, probes, custom metrics, config, runs. */
export function ProcessView({ route }: { route: Route }) {
  const app = route.app!;
  const processes = useDash((s) => s.processes);
  const hasProcesses = useDash((s) => s.hasProcesses);
  const events = useDash((s) => s.events);
  const metrics = useDash((s) => s.metrics);
  const now = useNow(1000);
  const [ownEvents, setOwnEvents] = useState<VelosEvent[]>([]);
  useEffect(() => {
    setOwnEvents([]);
    void api<{ events: VelosEvent[] }>(`/events${query({ target: app, limit: 30 })}`).then(
      (answer) => setOwnEvents(answer.events),
      () => {},
    );
  }, [app]);
  const loops = useRestartLoops();
  const instances = [...processes.values()]
    .filter((p) => p.name === app)
    .sort((a, b) => a.instance - b.instance);
  if (instances.length === 0) {
    return html`<section class="panel">
      <p class="empty-note">${hasProcesses ? html`There is no app called <b>${app}</b> (any more). <a href=${routeHash('overview')}>Back to all apps</a>` : 'Loading…'}</p>
    </section>`;
  }
  const first = instances[0]!;
  const running = instances.filter((p) => p.status === 'online' && p.startedAt);
  const exited = instances.find((p) => p.lastExitReason);
  const range = route.params.get('range') === '24h' ? '24h' : '1h';
  const appEvents = mergeEvents(
    ownEvents,
    events.filter((e) => e.app === app),
  ).slice(-30);
  return html`<div class="process-view">
    <section class="panel app-head">
      <div class="app-title">
        <a href=${routeHash('overview')} class="back" aria-label="All apps">←</a>
        <h1 title=${app}>${app}</h1>
        <${Badge} label=${appLabel(instances, loops)} />
      </div>
      <dl class="app-facts">
        <div><dt>PID</dt><dd class="num" data-pids>${instances.map((p) => p.pid ?? '–').join(', ')}</dd></div>
        <div><dt>CPU</dt><dd class="num">${formatPercent(sampledSum(instances, (p) => p.cpu))}</dd></div>
        <div><dt>Memory</dt><dd class="num">${formatBytes(sampledSum(instances, (p) => p.memory))}</dd></div>
        <div><dt>Uptime</dt><dd class="num">${running.length ? formatDuration(now - Math.max(...running.map((p) => p.startedAt!))) : '–'}</dd></div>
        <div><dt>Restarts</dt><dd class="num">${instances.reduce((a, p) => a + p.restarts, 0)}</dd></div>
        <div><dt>Last exit</dt><dd>${exited ? exitText(exited) : '–'}</dd></div>
        ${first.type === 'job' ? html`<div><dt>Next run</dt><dd class="num" data-next-run>${nextRunText(first, now)}</dd></div>` : null}
        <div><dt>Mode</dt><dd>${first.type === 'job' ? 'job' : first.execMode} · ${instances.length} × · ${first.namespace}</dd></div>
      </dl>
      <${ActionBar} app=${app} instances=${instances} />
    </section>
    <${AppCharts} app=${app} range=${range} />
    <section class="panel" aria-labelledby="logs-h">
      <div class="panel-head"><h2 id="logs-h">Logs</h2><a class="more" href=${routeHash('logs', null, { app })}>Open in the log view →</a></div>
      <${LogSummary} app=${app} />
      <${LogPanel} target=${app} params=${route.params} showApp=${false} />
    </section>
    <div class="two-col">
      <section class="panel" aria-labelledby="app-events-h">
        <div class="panel-head"><h2 id="app-events-h">Events</h2></div>
        <${EventList} events=${appEvents} empty=${`No events of ${app} yet.`} showApp=${false} />
      </section>
      <section class="panel" aria-labelledby="side-h">
        ${
          first.type === 'job'
            ? html`<div class="panel-head"><h2 id="side-h">Runs</h2></div><${RunsPanel} app=${app} changeKey=${runsKey(first)} />`
            : html`<div class="panel-head"><h2 id="side-h">Probes</h2></div><${ProbesPanel} instances=${instances} />`
        }
      </section>
    </div>
    <section class="panel" aria-labelledby="custom-metrics-h">
      <div class="panel-head"><h2 id="custom-metrics-h">Custom metrics</h2><span class="muted">live, every 5 s</span></div>
      <${CustomMetricsPanel}
        instances=${metrics ? metrics.processes.filter((p) => p.name === app).sort((a, b) => a.instance - b.instance) : null}
      />
    </section>
    <section class="panel" aria-labelledby="config-h">
      <div class="panel-head"><h2 id="config-h">Effective config</h2><span class="muted">read-only</span></div>
      <${ConfigPanel} app=${app} />
    </section>
  </div>`;
}
