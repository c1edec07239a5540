import type { AppSpec, JobRun, ProcessInfo, ProcessMetrics } from '@velos/core';
import {
  CUSTOM_METRICS_SHOWN,
  customMetricValueText,
  summarizeCustomMetrics,
} from '@velos/core/custom-metric-view';
import { specToConfig } from '@velos/core/spec-to-config';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query, seg } from '../api.js';
import { formatAgo, formatClock, formatDuration } from '../format.js';
import { healthLabel } from '../status.js';
import { inlineToml } from '../toml-inline.js';
import { Badge } from './badge.js';

/** Reads `path` when `key` changes and every `everyMs`; gives the answer or the error's message. */
function usePolled<T>(
  path: string | null,
  everyMs: number,
  changeKey = '',
): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    if (!path) return;
    let isLive = true;
    const load = () =>
      api<T>(path).then(
        (data) => isLive && setState({ data, error: null }),
        (e: unknown) => isLive && setState({ data: null, error: e instanceof Error ? e.message : String(e) }),
      );
    void load();
    const timer = setInterval(load, everyMs);
    return () => {
      isLive = false;
      clearInterval(timer);
    };
  }, [path, everyMs, changeKey]);
  return state;
}

/** The app's effective config, read-only, with the file it came from. */
export function ConfigPanel({ app }: { app: string }) {
  const { data, error } = usePolled<{ spec?: AppSpec; config?: AppSpec } & Partial<AppSpec>>(
    `/config/${seg(app)}`,
    60_000,
  );
  if (error) return html`<p class="empty-note">The config is not available: ${error}</p>`;
  if (!data) return html`<p class="empty-note">Loading…</p>`;
  const spec = (data.spec ?? data.config ?? data) as AppSpec;
  // the keys and units of velos.toml (max_restarts, min_uptime = "5s"), as `velos config show` prints them
  const entries = Object.entries(specToConfig(spec)).filter(
    ([key, value]) => key !== 'env' && !(Array.isArray(value) && value.length === 0),
  );
  const envKeys = Object.keys(spec.env ?? {}).sort();
  const ownKeys = Object.keys(spec.ownEnv ?? {}).sort();
  return html`<div class="config">
    <p class="muted">${spec.source?.file ? html`From <code>${spec.source.file}</code>${spec.source.envProfile ? ` (env ${spec.source.envProfile})` : ''}` : 'Started from the command line (no config file).'}</p>
    <dl class="kv">
      ${entries.map(([key, value]) => html`<dt>${key}</dt><dd><code>${typeof value === 'string' ? value : inlineToml(value)}</code></dd>`)}
      <dt>env</dt>
      <dd>
        <details>
          <summary>${ownKeys.length ? `${ownKeys.join(', ')} set for the app; ` : ''}${envKeys.length} variables in all (names only)</summary>
          <code>${envKeys.join(' ')}</code>
        </details>
      </dd>
    </dl>
  </div>`;
}

/** Probe health of each instance: state, readiness and the last failure. */
export function ProbesPanel({ instances }: { instances: ProcessInfo[] }) {
  const withProbes = instances.filter((p) => p.health);
  if (withProbes.length === 0)
    return html`<p class="empty-note">No liveness or readiness probe: set <code>liveness_probe</code> in the app's config to have one.</p>`;
  return html`<ul class="probes">
    ${withProbes.map(
      (p) => html`<li key=${p.id}>
        <span class="inst">#${p.instance}</span> <${Badge} label=${healthLabel(p)} /> <span class="muted">${p.health!.ready ? 'ready' : 'not ready'}</span>
        ${p.health!.lastFailure ? html`<div class="sub">last failure (${p.health!.lastFailure.probe}) ${formatAgo(p.health!.lastFailure.at)}: ${p.health!.lastFailure.reason}</div>` : null}
      </li>`,
    )}
  </ul>`;
}

/**
 * OBS-6: the custom metrics each instance reports, from the metrics snapshot the page keeps live: the
 * first series by name, a histogram as count, sum, p50 and p95, then how many more.
 */
export function CustomMetricsPanel({ instances }: { instances: ProcessMetrics[] | null }) {
  if (!instances) return html`<p class="empty-note">Loading…</p>`;
  const reporting = instances.filter((p) => p.custom?.length);
  if (reporting.length === 0)
    return html`<p class="empty-note">No custom metrics: an app reports them with a <code>velos_metric</code> JSON line or <code>@velos/app</code>.</p>`;
  const isSeveral = instances.length > 1;
  return html`<div class="custom-metrics">
    ${reporting.map((p) => {
      const { shown, more } = summarizeCustomMetrics(p.custom!, CUSTOM_METRICS_SHOWN);
      return html`<table class="metric-table" key=${p.id} data-instance=${p.instance}>
        ${isSeveral ? html`<caption class="muted">#${p.instance}</caption>` : null}
        <thead><tr><th scope="col">Series</th><th scope="col">Type</th><th scope="col" class="c-num">Value</th></tr></thead>
        <tbody>
          ${shown.map(
            (view) => html`<tr key=${view.series} data-series=${view.series}>
              <td><code>${view.series}</code></td>
              <td class="muted">${view.type}</td>
              <td class="c-num num">${customMetricValueText(view)}</td>
            </tr>`,
          )}
        </tbody>
        ${more > 0 ? html`<tfoot><tr><td colspan="3" class="muted">+${more} more (velos describe --json lists them all)</td></tr></tfoot>` : null}
      </table>`;
    })}
  </div>`;
}

/**
 * A job's runs, newest first: outcome, trigger, start, duration, exit; read again every 15 s and whenever
 * `changeKey` changes (a run started or ended: see `runsKey`).
 */
export function RunsPanel({ app, changeKey }: { app: string; changeKey: string }) {
  const { data, error } = usePolled<{ runs: (JobRun & { name: string })[] } | (JobRun & { name: string })[]>(
    `/jobs/${seg(app)}/runs${query({ limit: 20 })}`,
    15_000,
    changeKey,
  );
  if (error) return html`<p class="empty-note">The runs are not available: ${error}</p>`;
  const runs = Array.isArray(data) ? data : (data?.runs ?? []);
  if (runs.length === 0) return html`<p class="empty-note">${data ? 'No runs yet.' : 'Loading…'}</p>`;
  const tone = (o: JobRun['outcome']) =>
    o === 'ok' ? 'ok' : o === 'running' ? 'info' : o === 'stopped' ? 'idle' : 'bad';
  return html`<table class="runs">
    <thead><tr><th scope="col">Run</th><th scope="col">Outcome</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col" class="c-num">Took</th><th scope="col">Exit</th></tr></thead>
    <tbody>
      ${runs.map(
        (r) => html`<tr key=${r.seq}>
          <td class="num">${r.seq}</td>
          <td><${Badge} label=${{ word: r.outcome, tone: tone(r.outcome) }} /></td>
          <td>${r.trigger}</td>
          <td class="num">${formatClock(r.startedAt)}</td>
          <td class="c-num">${r.endedAt ? tookText(r.endedAt - r.startedAt) : '…'}</td>
          <td class="num">${r.signal ?? r.exitCode ?? '–'}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A run's duration: milliseconds under a second, else the duration. */
function tookText(ms: number): string {
  return ms < 1000 ? `${Math.max(0, ms)} ms` : formatDuration(ms);
}
