import type { VelosEvent } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { AlertList } from '../components/alert-list.js';
import { EventList } from '../components/event-list.js';
import { eventsShown, SEVERITIES } from '../event-filter.js';
import { type Route, setParams } from '../router.js';
import { groupByApp } from '../status.js';
import { isUnreachable, useDash } from '../store.js';

const CATEGORIES = ['process', 'job', 'log', 'config', 'alert', 'daemon', 'app'];
/** The most events the view lists. */
const SHOWN_EVENTS = 200;
/** How many events of the app and kind are read when a severity narrows them further in the page. */
const READ_FOR_SEVERITY = 1000;

/** Events (filterable by app, category and severity) beside the alert rules and their state. */
export function EventsView({ route }: { route: Route }) {
  const events = useDash((s) => s.events);
  const processes = useDash((s) => s.processes);
  const isDaemonDown = useDash(isUnreachable);
  const app = route.params.get('app') ?? '';
  const kind = route.params.get('kind') ?? '';
  const severity = route.params.get('severity') ?? '';
  const hasSeverity = severity !== '';
  // The events of these filters are the view's own: the page holds only its newest few hundred of all
  // apps, which a busy home fills in minutes (an app's older events were read, then dropped at once).
  const [read, setRead] = useState<VelosEvent[]>([]);
  useEffect(() => {
    let isCurrent = true;
    setRead([]);
    const limit = hasSeverity ? READ_FOR_SEVERITY : SHOWN_EVENTS;
    void api<{ events: VelosEvent[] }>(
      `/events${query({ target: app || undefined, kind: kind || undefined, limit })}`,
    ).then(
      (answer) => {
        if (isCurrent) setRead(answer.events);
      },
      () => {},
    );
    return () => {
      isCurrent = false;
    };
  }, [app, kind, hasSeverity]);
  const shown = eventsShown(read, events, { app, kind, severity }, SHOWN_EVENTS);
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
      <${EventList} events=${shown} empty=${isDaemonDown && events.length === 0 ? 'The events are not known: the daemon is not reachable.' : 'No event matches these filters.'} />
    </section>
    <section class="panel alerts-panel" aria-labelledby="alerts-h">
      <div class="panel-head"><h2 id="alerts-h">Alert rules</h2></div>
      <${AlertList} />
    </section>
  </div>`;
}
