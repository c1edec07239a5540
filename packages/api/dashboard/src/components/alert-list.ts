import type { AlertCondition, AlertRule, AlertStatus } from '@velos/core';
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { formatAgo, formatDuration } from '../format.js';
import type { Tone } from '../status.js';
import { isUnreachable, useDash } from '../store.js';
import { Badge } from './badge.js';

const PHASE_TONE: Record<AlertStatus['phase'], Tone> = {
  ok: 'ok',
  pending: 'warn',
  firing: 'bad',
  resolved: 'info',
};

/** The alert rules with their state, instances and last delivery; admins can send a test. */
export function AlertList() {
  const alerts = useDash((s) => s.alerts);
  const scope = useDash((s) => s.scope);
  const isDaemonDown = useDash(isUnreachable);
  const [tested, setTested] = useState<Record<string, string>>({});
  if (!alerts) {
    const note = isDaemonDown
      ? 'The alert rules are not known: the daemon is not reachable.'
      : 'Loading the alert rules…';
    return html`<p class="empty-note">${note}</p>`;
  }
  if (alerts.length === 0) {
    return html`<div class="empty-note">No alert rules. Add one with <code>velos alerts add</code> or an <code>[[alerts]]</code> table in a config file.</div>`;
  }
  const test = async (name: string) => {
    try {
      const answer = await api<unknown>(`/alerts/${seg(name)}/test`, { method: 'POST' });
      const deliveries = (
        Array.isArray(answer) ? answer : ((answer as { deliveries?: unknown[] })?.deliveries ?? [])
      ) as { isOk: boolean }[];
      setTested({
        ...tested,
        [name]: `test sent: ${deliveries.filter((d) => d.isOk).length}/${deliveries.length} channels ok`,
      });
    } catch (e) {
      setTested({ ...tested, [name]: `test failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return html`<ul class="alerts">
    ${alerts.map(
      (a) => html`<li key=${a.rule.name} class=${`alert phase-${a.phase}`}>
        <div class="alert-head">
          <${Badge} label=${{ word: a.phase, tone: PHASE_TONE[a.phase] }} />
          <b class="alert-name">${a.rule.name}</b>
          ${scope === 'admin' && a.rule.channels.length > 0 ? html`<button type="button" class="btn small quiet" onClick=${() => test(a.rule.name)}>Test</button>` : null}
        </div>
        <div class="muted alert-when">
          ${describeAlertWhen(a.rule)}${a.rule.app ? ` · ${a.rule.app}` : ' · every app'} · ${a.rule.severity}${a.since && a.phase !== 'ok' ? ` · ${a.phase} since ${formatAgo(a.since)}` : ''}
        </div>
        ${a.instances.filter((i) => i.phase !== 'ok').map((i) => html`<div class="sub">${i.key}: ${i.phase}${i.escalationLevel > 0 ? ' (escalated)' : ''} — ${i.message}</div>`)}
        ${a.lastDelivery ? html`<div class="sub">last delivery ${formatAgo(a.lastDelivery.at)} via ${a.lastDelivery.channel}: ${a.lastDelivery.isOk ? 'ok' : (a.lastDelivery.error ?? 'failed')}</div>` : null}
        ${tested[a.rule.name] ? html`<div class="sub" role="status">${tested[a.rule.name]}</div>` : null}
      </li>`,
    )}
  </ul>`;
}

/** A rule's condition in words, its `for` included: `3+ restarts in 10 m for 30 s`. */
export function describeAlertWhen(rule: Pick<AlertRule, 'when' | 'forMs'>): string {
  const when = describe(rule.when);
  return rule.forMs > 0 ? `${when} for ${formatDuration(rule.forMs)}` : when;
}

function describe(when: AlertCondition): string {
  switch (when.kind) {
    case 'event':
      return `event ${when.kinds.join(', ')}`;
    case 'restarts':
      return `${when.count}+ restarts in ${formatDuration(when.windowMs)}`;
    case 'memory':
      return `memory above ${Math.round(when.aboveBytes / 1048576)} MB`;
    case 'cpu':
      return `CPU above ${when.abovePercent} %`;
    case 'log':
      return when.signal === 'any' ? 'log signal' : `log ${when.signal.replace('_', ' ')}`;
    case 'job_failed':
      return `job failed ${when.count}× in a row`;
    case 'no_output':
      return 'no output';
    case 'daemon_degraded':
      return 'daemon degraded';
    case 'component_stale':
      return 'component stale';
    default:
      return when.kind;
  }
}
