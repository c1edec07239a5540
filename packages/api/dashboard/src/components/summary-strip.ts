import { html } from 'htm/preact';
import { formatAgo, formatBytes, formatPercent } from '../format.js';
import { routeHash, setParams } from '../router.js';
import { appLabel, groupByApp, summaryBucket } from '../status.js';
import { isUnreachable, useDash } from '../store.js';
import { Badge } from './badge.js';
import { useRestartLoops } from './use-restart-loops.js';

const BUCKETS = [
  { key: 'online', tone: 'ok', word: 'online' },
  { key: 'degraded', tone: 'warn', word: 'degraded' },
  { key: 'errored', tone: 'bad', word: 'errored' },
  { key: 'stopped', tone: 'idle', word: 'stopped' },
  { key: 'scheduled', tone: 'info', word: 'scheduled' },
] as const;
/** Shown only while it counts something (or is the filter): most homes have no jobs. */
const OPTIONAL_BUCKETS: ReadonlySet<string> = new Set(['scheduled']);

/** The answer first: apps by state, the daemon's self-health, the host, and the newest problem. */
export function SummaryStrip({ selected }: { selected: string | null }) {
  const processes = useDash((s) => s.processes);
  // until a list arrived the counts are unknown, not 0 (a page opened while the daemon is down)
  const hasProcesses = useDash((s) => s.hasProcesses);
  const status = useDash((s) => s.status);
  const isDaemonDown = useDash(isUnreachable);
  const metrics = useDash((s) => s.metrics);
  const events = useDash((s) => s.events);
  const problem = useDash((s) => s.lastProblem);
  const problemSearch = useDash((s) => s.problemSearch);
  const alerts = useDash((s) => s.alerts);
  const firing = (alerts ?? []).filter((a) => a.phase === 'firing');
  const loops = useRestartLoops();
  const counts = { online: 0, degraded: 0, errored: 0, stopped: 0, scheduled: 0 };
  for (const instances of groupByApp(processes.values()).values())
    counts[summaryBucket(appLabel(instances, loops))]++;
  const health = status?.health;
  const worst = health?.components.find((c) => c.status !== 'healthy');
  const host = metrics?.host;
  return html`<section class="summary" aria-label="Summary">
    <div class="counts">
      ${BUCKETS.filter((b) => !OPTIONAL_BUCKETS.has(b.key) || counts[b.key] > 0 || selected === b.key).map(
        (b) => html`<button
          type="button"
          class=${`count tone-${b.tone}${counts[b.key] === 0 || !hasProcesses ? ' zero' : ''}${selected === b.key ? ' selected' : ''}`}
          aria-pressed=${selected === b.key}
          title=${`Show only ${b.word} apps`}
          onClick=${() => setParams({ show: selected === b.key ? null : b.key })}
        >
          <span class="count-n">${hasProcesses ? counts[b.key] : '–'}</span>
          <span class="count-word"><span class="dot" aria-hidden="true"></span>${b.word}</span>
        </button>`,
      )}
    </div>
    <div class="facts">
      <div class="fact">
        <span class="fact-k">Daemon</span>
        ${
          isDaemonDown
            ? html`<${Badge} label=${{ word: 'unreachable', tone: 'bad' }} />`
            : health
              ? html`<${Badge} label=${{ word: health.status, tone: health.status === 'healthy' ? 'ok' : health.status === 'degraded' ? 'warn' : 'bad' }} />
              ${worst ? html`<span class="fact-note">${worst.name}: ${worst.reason ?? worst.status}</span>` : html`<span class="fact-note">v${status?.daemon.version} · pid ${status?.daemon.pid}</span>`}`
              : html`<span class="muted">…</span>`
        }
      </div>
      ${
        host &&
        html`<div class="fact">
          <span class="fact-k">Host</span>
          <span class="num">CPU ${formatPercent(host.cpuPercent)}</span>
          <span class="num">mem ${formatBytes(host.memoryTotalBytes - host.memoryAvailableBytes)} / ${formatBytes(host.memoryTotalBytes)}</span>
          <span class="num fact-note">load ${host.load.map((l) => l.toFixed(2)).join(' ')}</span>
        </div>`
      }
      ${
        firing.length > 0 &&
        html`<div class="fact">
          <span class="fact-k">Alerts</span>
          <a href=${routeHash('events')}><${Badge} label=${{ word: `${firing.length} firing`, tone: 'bad' }} /></a>
          <span class="fact-note">${firing.map((a) => a.rule.name).join(', ')}</span>
        </div>`
      }
      <div class="fact problem">
        <span class="fact-k">Last problem</span>
        ${
          problem
            ? html`<a class=${`problem-link sev-${problem.severity}`} href=${problem.app ? routeHash('app', problem.app) : routeHash('events')}>
                <span class="sev">${problem.severity}</span> ${problem.message}
                <span class="muted"> · ${formatAgo(problem.at)}</span></a>`
            : isDaemonDown && events.length === 0
              ? html`<span class="muted">unknown: the daemon is not reachable</span>`
              : problemSearch !== null && !problemSearch.isAll
                ? html`<span class="muted">none in the newest ${problemSearch.count.toLocaleString('en-US')} events</span>`
                : html`<span class="muted">none recorded</span>`
        }
      </div>
    </div>
  </section>`;
}
