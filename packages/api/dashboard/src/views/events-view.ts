import type { VelosEvent } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import { api, query } from '../api.js';
import { AlertList } from '../components/alert-list.js';
import { EventList } from '../components/event-list.js';
import { type Route, setParams } from '../router.js';
import { groupByApp } from '../status.js';
import { addEvents, useDash } from '../store.js';

const CATEGORIES = ['process', 'job', 'log', 'config', 'alert', 'daemon', 'app'];
const SEVERITIES = ['info', 'warning', 'error', 'critical'];

/** Events (filterable by app, category and severity) beside the alert rules and their state. */
export function EventsView({ route }: { route: Route }) {
  const events = useDash((s) => s.events);
  const processes = useDash((s) => s.processes);
  const isDaemonDown = useDash((s) => s.problem !== null);
  const app = route.params.get('app') ?? '';
  const kind = route.params.get('kind') ?? '';
  const severity = route.params.get('severity') ?? '';
  useEffect(() => {
    void api<{ events: VelosEvent[] }>(
      `/events${query({ target: app || undefined, kind: kind || undefined, limit: 200 })}`,
    ).then(
      (answer) => addEvents(answer.events),
      () => {},
    );
  }, [app, kind]);
  const floor = SEVERITIES.indexOf(severity);
  const shown = events.filter(
    (e) =>
      (!app || e.app === app) &&
      (!kind || e.kind.startsWith(`${kind}.`)) &&
      SEVERITIES.indexOf(e.severity) >= floor,
  );
  const select = (name: string, value: string, options: string[], all: string) =>
    html`<select value=${value} aria-label=${name} onChange=${(e: Event) => setParams({ [name]: (e.target as HTMLSelectElement).value || null })}>
      <option value="">${all}</option>${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>`;
  return html`<div class="two-col events-view">
    <section class="panel" aria-labelledby="ev-h">
      <div class="panel-head">
        <h2 id="ev-h">Events</h2>
        <div class="filters">
          ${select('app', app, [...groupByApp(processes.values()).keys()], 'all apps')}
          ${select('kind', kind, CATEGORIES, 'all kinds')}
          ${select('severity', severity, SEVERITIES.slice(1), 'any severity')}
        </div>
      </div>
      <${EventList} events=${shown.slice(-200)} empty=${isDaemonDown && events.length === 0 ? 'The events are not known: the daemon is not reachable.' : 'No event matches these filters.'} />
    </section>
    <section class="panel alerts-panel" aria-labelledby="alerts-h">
      <div class="panel-head"><h2 id="alerts-h">Alert rules</h2></div>
      <${AlertList} />
    </section>
  </div>`;
}
