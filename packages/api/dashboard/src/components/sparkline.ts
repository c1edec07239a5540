import { html } from 'htm/preact';

/** A small line of the recent values (gaps where null), scaled to its own range from zero. */
export function Sparkline({
  values,
  label,
  width = 84,
  height = 22,
}: {
  values: (number | null)[];
  label: string;
  width?: number;
  height?: number;
}) {
  const points = values
    .map((v, i) => [i, v] as const)
    .filter((p): p is readonly [number, number] => p[1] !== null);
  if (points.length < 2) return html`<span class="spark-empty" style=${`width:${width}px`}></span>`;
  // Scaled to its own min..max (flat when it varies by under 2 %), so a leak or a spike shows.
  const max = Math.max(...points.map((p) => p[1]));
  const min = Math.min(...points.map((p) => p[1]));
  const span = max - min > Math.abs(max) * 0.02 ? max - min : 0;
  const step = width / Math.max(1, values.length - 1);
  const y = (v: number) => (span ? height - 3 - ((v - min) / span) * (height - 6) : height / 2).toFixed(1);
  let line = '';
  let previous = -2;
  for (const [i, v] of points) {
    line += `${i === previous + 1 ? 'L' : 'M'}${(i * step).toFixed(1)} ${y(v)}`;
    previous = i;
  }
  const first = points[0]![0] * step;
  const last = points[points.length - 1]![0] * step;
  const area = `${line}L${last.toFixed(1)} ${height}L${first.toFixed(1)} ${height}Z`;
  return html`<svg class="spark" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${label}>
    <path class="spark-area" d=${area} />
    <path class="spark-line" d=${line} />
  </svg>`;
}

/** Sums series of equal meaning point by point (the instances of an app), aligned at their ends. */
export function sumSeries(series: (number | null)[][]): (number | null)[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  const out: (number | null)[] = new Array(length).fill(null);
  for (const s of series) {
    const offset = length - s.length;
    s.forEach((v, i) => {
      if (v !== null) out[i + offset] = (out[i + offset] ?? 0) + v;
    });
  }
  return out;
}
