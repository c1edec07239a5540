import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { formatAxisTime } from '../format.js';

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const PALETTE = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];

/**
 * A time chart (uPlot, loaded on first use): one line per series over the epoch-ms `t`, values
 * formatted by `format` on the axis and in the legend; new data replaces the old without a redraw flash.
 */
export function TimeChart({
  t,
  series,
  format,
  label,
  theme,
  spanMs,
}: {
  t: number[];
  /** The x axis shows the last `spanMs` up to now, so charts of one page line up in time. */
  spanMs: number;
  series: ChartSeries[];
  format: (v: number) => string;
  label: string;
  theme: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');
  const data = [t.map((ms) => ms / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
  const latest = useRef(data);
  latest.current = data;
  const span = useRef(spanMs);
  span.current = spanMs;

  useEffect(() => {
    let isLive = true;
    let observer: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      const el = box.current;
      if (!isLive || !el) return;
      const css = getComputedStyle(el);
      const color = (name: string) => css.getPropertyValue(name).trim();
      const axis = {
        stroke: color('--muted'),
        grid: { stroke: color('--grid'), width: 1 },
        ticks: { stroke: color('--grid') },
        font: `11px ${css.fontFamily}`,
      };
      const opts: uPlot.Options = {
        width: el.clientWidth || 400,
        height: heightFor(el.clientWidth),
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [(Date.now() - span.current) / 1000, Date.now() / 1000] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          {
            ...axis,
            values: (_u, splits) =>
              splits.map((s, i) => formatAxisTime(s * 1000, i === 0 ? null : splits[i - 1]! * 1000)),
          },
          { ...axis, size: 64, values: (_u, splits) => splits.map(format) },
        ],
        series: [
          {
            value: (_u, v) =>
              v === null ? '–' : new Date(v * 1000).toLocaleTimeString([], { hour12: false }),
          },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: color(PALETTE[i % PALETTE.length]!),
            width: 1.5,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
          })),
        ],
      };
      chart.current = new UPlot(opts, latest.current, el);
      observer = new ResizeObserver(() =>
        chart.current?.setSize({ width: el.clientWidth, height: heightFor(el.clientWidth) }),
      );
      observer.observe(el);
    });
    return () => {
      isLive = false;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [shape, theme]);

  useEffect(() => {
    chart.current?.setData(data);
  });

  return html`<figure class="chart" aria-label=${label}><figcaption>${label}</figcaption><div ref=${box} class="chart-box"></div></figure>`;
}

/** The plot's height: lower on a phone, where the logs below matter more. */
function heightFor(widthPx: number): number {
  return widthPx < 500 ? 110 : 160;
}
