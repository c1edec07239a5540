import type { MetricsHistory, ProcessInfo } from '@velos/core';
import { html } from 'htm/preact';
import { runAction } from '../actions.js';
import { formatBytes, formatDuration, formatPercent } from '../format.js';
import { nextRunText } from '../job-state.js';
import { navigate, routeHash } from '../router.js';
import { sampledSum } from '../samples.js';
import { appLabel, healthLabel, processLabel, type RestartLoops, type StatusLabel } from '../status.js';
import type { ActionOutcome } from '../store.js';
import { Badge } from './badge.js';
import { Sparkline, sumSeries } from './sparkline.js';

/** What an app row shows. */
export interface AppRowProps {
  app: string;
  instances: ProcessInfo[];
  history: Map<number, MetricsHistory>;
  isExpanded: boolean;
  onToggle: () => void;
  outcome: ActionOutcome | undefined;
  canAct: boolean;
  now: number;
  loops: RestartLoops;
}

/** One app: its summary row, its instances when expanded, and the outcome of the last action. */
export function AppRows({
  app,
  instances,
  history,
  isExpanded,
  onToggle,
  outcome,
  canAct,
  now,
  loops,
}: AppRowProps) {
  const isGroup = instances.length > 1;
  const first = instances[0]!;
  const label = isGroup ? appLabel(instances, loops) : processLabel(first, loops);
  const memory = sumSeries(instances.map((p) => history.get(p.id)?.memory ?? []));
  const running = instances.filter((p) => p.pid !== null);
  const lastExit = instances.find((p) => p.lastExitReason)?.lastExitReason
    ? exitText(instances.find((p) => p.lastExitReason)!)
    : '–';
  const open = (event: KeyboardEvent) => {
    // keys on the row's own buttons and link are theirs: Enter on Stop asked to stop *and* opened the
    // app, Space on ▸ toggled the instances twice
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') navigate('app', app);
    else if (isGroup && (event.key === 'ArrowRight' || event.key === 'ArrowLeft' || event.key === ' ')) {
      if ((event.key === 'ArrowRight') !== isExpanded || event.key === ' ') onToggle();
      event.preventDefault();
    }
  };
  const rows = [
    html`<tr key=${`app:${app}`} class=${`app-row tone-row-${label.tone}`} data-row=${app} tabindex="0" onKeyDown=${open}>
      <td class="c-name">
        ${
          isGroup
            ? html`<button type="button" class="twisty" aria-expanded=${isExpanded} aria-label=${`${isExpanded ? 'Hide' : 'Show'} the instances of ${app}`} onClick=${onToggle}>${isExpanded ? '▾' : '▸'}</button>`
            : html`<span class="twisty-space"></span>`
        }
        <a href=${routeHash('app', app)} class="app-name" title=${app}>${app}</a>
        <span class="sub">${isGroup ? `${instances.length} instances` : first.pid ? `pid ${first.pid}` : jobSub(first, now)}</span>
      </td>
      <td class="c-status"><${Badge} label=${label} /></td>
      <td class="c-health opt"><${HealthCell} label=${isGroup ? worstHealth(instances) : healthLabel(first)} /></td>
      <td class="c-num c-cpu">${formatPercent(sampledSum(running, (p) => p.cpu))}</td>
      <td class="c-mem"><span class="num">${formatBytes(sampledSum(running, (p) => p.memory))}</span>
        <span class="opt"><${Sparkline} values=${memory} label=${`Memory of ${app}, last 15 minutes`} /></span></td>
      <td class="c-num c-restarts">${sum(instances.map((p) => p.restarts))}</td>
      <td class="c-num opt">${formatDuration(uptime(running, now))}</td>
      <td class="c-exit opt">${lastExit}</td>
      <td class="c-actions">${canAct ? html`<${RowActions} app=${app} instances=${instances} />` : null}</td>
    </tr>`,
  ];
  if (isGroup && isExpanded) {
    for (const p of instances) {
      rows.push(html`<tr key=${`p:${p.id}`} class="instance-row">
        <td class="c-name"><span class="twisty-space"></span><span class="inst">#${p.instance}</span> <span class="sub">id ${p.id} · ${p.pid ? `pid ${p.pid}` : 'no pid'}</span></td>
        <td class="c-status"><${Badge} label=${processLabel(p, loops)} /></td>
        <td class="c-health opt"><${HealthCell} label=${healthLabel(p)} /></td>
        <td class="c-num c-cpu">${formatPercent(sampledSum([p], (one) => one.cpu))}</td>
        <td class="c-mem"><span class="num">${formatBytes(sampledSum([p], (one) => one.memory))}</span>
          <span class="opt"><${Sparkline} values=${history.get(p.id)?.memory ?? []} label=${`Memory of ${app} #${p.instance}`} /></span></td>
        <td class="c-num c-restarts">${p.restarts}</td>
        <td class="c-num opt">${formatDuration(uptime([p], now))}</td>
        <td class="c-exit opt">${p.lastExitReason ? exitText(p) : '–'}</td>
        <td class="c-actions"></td>
      </tr>`);
    }
  }
  if (outcome && now - outcome.at < 60_000) {
    rows.push(html`<tr key=${`o:${app}`} class="outcome-row">
      <td colspan="9"><span class=${outcome.isOk ? 'outcome ok' : 'outcome bad'} role="status">${outcome.isOk ? '✓' : '✕'} ${app}: ${outcome.text}</span></td>
    </tr>`);
  }
  return rows;
}

/** The actions a row offers: restart (or start) and stop. */
function RowActions({ app, instances }: { app: string; instances: ProcessInfo[] }) {
  const isRunning = instances.some((p) => p.status !== 'stopped' && p.status !== 'errored');
  return html`<span class="row-actions">
    <button type="button" class="btn small" onClick=${() => runAction(app, 'restart')} title=${`Restart ${app}`}>${isRunning ? 'Restart' : 'Start'}</button>
    ${isRunning && html`<button type="button" class="btn small quiet opt" onClick=${() => runAction(app, 'stop')} title=${`Stop ${app}`}>Stop</button>`}
  </span>`;
}

/** The health cell: a badge, or a quiet dash for an app without probes. */
function HealthCell({ label }: { label: StatusLabel }) {
  return label.word === '–'
    ? html`<span class="muted" title="No probe">–</span>`
    : html`<${Badge} label=${label} />`;
}

/**
 * The last exit as words: `crash (exit 1)`, `memory (SIGKILL)`, `exited (code unknown: re-adopted)`,
 * `ended with its cluster primary` (as `velos describe` says it: the primary's exit, not the worker's).
 */
export function exitText(p: ProcessInfo): string {
  if (p.lastExitReason === 'unknown') return 'exited (code unknown: re-adopted)';
  if (p.lastExitReason === 'primary-exit') return 'ended with its cluster primary';
  const detail = p.signal ? p.signal : p.exitCode !== null ? `exit ${p.exitCode}` : '';
  if (p.lastExitReason === 'exit' && detail) return detail;
  return detail ? `${p.lastExitReason} (${detail})` : String(p.lastExitReason);
}

/** A job's sub-line without a pid: `job · next in 4 m`. */
function jobSub(p: ProcessInfo, now: number): string {
  const next = nextRunText(p, now);
  if (next === null) return '';
  return next === 'none' ? 'job' : `job · next ${next}`;
}

function worstHealth(instances: ProcessInfo[]) {
  const labels = instances.map(healthLabel);
  return labels.find((l) => l.tone === 'bad') ?? labels.find((l) => l.tone === 'warn') ?? labels[0]!;
}

function uptime(running: ProcessInfo[], now: number): number {
  const starts = running.filter((p) => p.status === 'online' && p.startedAt).map((p) => p.startedAt!);
  return starts.length ? now - Math.max(...starts) : 0;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
