import type { MetricsHistory } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query, seg } from '../api.js';
import { formatBytes, formatPercent } from '../format.js';
import { setParams } from '../router.js';
import { useTheme } from '../theme.js';
import { type ChartSeries, TimeChart } from './time-chart.js';

const RANGES = {
  '1h': { sinceMs: 3_600_000, refreshMs: 10_000 },
  '24h': { sinceMs: 86_400_000, refreshMs: 60_000 },
} as const;
const POINTS = 360;

/** CPU and memory of an app's processes over the last hour or day, one line per instance. */
export function AppCharts({ app, range }: { app: string; range: '1h' | '24h' }) {
  const [history, setHistory] = useState<MetricsHistory[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { theme } = useTheme();
  useEffect(() => {
    let isLive = true;
    const { sinceMs, refreshMs } = RANGES[range];
    const load = async () => {
      try {
        const answer = await api<{ history: MetricsHistory[] }>(
          `/metrics/history/${seg(app)}${query({ sinceMs, points: POINTS })}`,
        );
        if (!isLive) return;
        setHistory(answer.history);
        setError(null);
      } catch (e) {
        if (isLive) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = setInterval(load, refreshMs);
    return () => {
      isLive = false;
      clearInterval(timer);
    };
  }, [app, range]);
  const longest = history?.reduce<MetricsHistory | null>(
    (a, h) => (!a || h.t.length > a.t.length ? h : a),
    null,
  );
  const t = longest?.t ?? [];
  const align = (values: (number | null)[]) => [
    ...new Array(Math.max(0, t.length - values.length)).fill(null),
    ...values,
  ];
  const pick = (key: 'cpu' | 'memory'): ChartSeries[] =>
    (history ?? []).map((h) => ({
      label: history!.length > 1 ? `#${h.instance}` : h.name,
      values: align(h[key]),
    }));
  return html`<section class="panel" aria-labelledby="charts-h">
    <div class="panel-head">
      <h2 id="charts-h">CPU and memory</h2>
      <div class="seg" role="group" aria-label="Time range">
        ${(['1h', '24h'] as const).map((r) => html`<button type="button" class=${`btn small${r === range ? ' on' : ''}`} aria-pressed=${r === range} onClick=${() => setParams({ range: r === '1h' ? null : r })}>${r}</button>`)}
      </div>
    </div>
    ${
      error
        ? html`<p class="empty-note">The history is not available: ${error}</p>`
        : t.length < 2
          ? html`<p class="empty-note">${history ? 'Not enough samples yet: the history fills in as the daemon samples the processes.' : 'Loading the history…'}</p>`
          : html`<div class="charts">
              <${TimeChart} label="CPU (100 % = one core)" t=${t} series=${pick('cpu')}
                spanMs=${RANGES[range].sinceMs} format=${formatPercent} theme=${theme} />
              <${TimeChart} label="Memory (RSS)" t=${t} series=${pick('memory')}
                spanMs=${RANGES[range].sinceMs} format=${formatBytes} theme=${theme} />
            </div>`
    }
  </section>`;
}
