import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toAiDetail } from '../src/ai.js';
import {
  customMetricValueText,
  formatMetricNumber,
  histogramQuantile,
  summarizeCustomMetrics,
} from '../src/custom-metric-view.js';
import { APP_DEFAULTS } from '../src/index.js';
import type { CustomMetricSeries, HistogramData } from '../src/metrics.js';
import type { ProcessDetail } from '../src/process-info.js';

const AT = 1_700_000_000_000;

/** The histogram of 0.2 and 0.7 in buckets 0.1/0.5/1 (fixtures/app-metrics.js's `checkout_seconds`). */
const CHECKOUT: HistogramData = {
  bounds: [0.1, 0.5, 1, Number.POSITIVE_INFINITY],
  counts: [0, 1, 2, 2],
  sum: 0.2 + 0.7,
  count: 2,
};

function counter(name: string, value: number, labels: Record<string, string> = {}): CustomMetricSeries {
  return { name, type: 'counter', labels, value, updatedAt: AT };
}

describe('custom metrics as describe and the dashboard show them (OBS-6)', () => {
  it('estimates percentiles inside the bucket they fall in', () => {
    expect(histogramQuantile(CHECKOUT, 0.5)).toBeCloseTo(0.5);
    expect(histogramQuantile(CHECKOUT, 0.95)).toBeCloseTo(0.95);
    expect(histogramQuantile(CHECKOUT, 0.25)).toBeCloseTo(0.3);
    // everything in the first bucket: from 0 to its bound
    expect(histogramQuantile({ bounds: [2, Infinity], counts: [4, 4], sum: 4, count: 4 }, 0.5)).toBe(1);
  });

  it('gives the largest finite bound in the +Inf bucket, also when JSON turned it into null', () => {
    const high: HistogramData = { bounds: [0.1, 1, Infinity], counts: [0, 1, 10], sum: 90, count: 10 };
    expect(histogramQuantile(high, 0.95)).toBe(1);
    const overJson = JSON.parse(JSON.stringify(high)) as HistogramData;
    expect(overJson.bounds[2]).toBeNull();
    expect(histogramQuantile(overJson, 0.95)).toBe(1);
    expect(histogramQuantile({ ...high, counts: [0, 0, 0], count: 0, sum: 0 }, 0.5)).toBeNull();
  });

  it('sorts by the exposed name and labels, keeps the first N and counts the rest', () => {
    const series: CustomMetricSeries[] = [
      counter('orders_total', 2, { shop: 'us' }),
      { name: 'queue_depth', type: 'gauge', labels: {}, value: 15, updatedAt: AT },
      counter('backups', 1),
      counter('orders_total', 3, { shop: 'eu' }),
      { name: 'checkout_seconds', type: 'histogram', labels: {}, histogram: CHECKOUT, updatedAt: AT },
    ];
    const { shown, more } = summarizeCustomMetrics(series, 4);
    expect(shown.map((view) => view.series)).toEqual([
      'backups_total',
      'checkout_seconds',
      'orders_total{shop="eu"}',
      'orders_total{shop="us"}',
    ]);
    expect(more).toBe(1);
    expect(shown.map(customMetricValueText)).toEqual(['1', 'count 2, sum 0.9, p50 0.5, p95 0.95', '3', '2']);
  });

  it('escapes label values as the exposition does and keeps numbers short', () => {
    const { shown } = summarizeCustomMetrics([counter('x', 1, { z: 'a"b', a: 'c\\d' })]);
    expect(shown[0]!.series).toBe('x_total{a="c\\\\d",z="a\\"b"}');
    expect(formatMetricNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatMetricNumber(1_234_567)).toBe('1234567');
  });

  it('puts mx and mxo in describe --ai, and docs/ai-output.md names them', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      counter('jobs', i, { q: `q${String(i).padStart(2, '0')}` }),
    );
    const detail = {
      id: 0,
      name: 'shop',
      namespace: 'default',
      instance: 0,
      pid: null,
      status: 'stopped',
      restarts: 0,
      unstableRestarts: 0,
      cpu: 0,
      memory: 0,
      uptime: 0,
      startedAt: null,
      createdAt: AT,
      exitCode: null,
      signal: null,
      lastExitReason: null,
      restartAt: null,
      execMode: 'fork',
      type: 'service',
      spec: { ...APP_DEFAULTS, name: 'shop', script: '/srv/shop.js', cwd: '/srv', envKeys: [] },
      command: { file: '/usr/bin/node', args: ['/srv/shop.js'], shell: false },
      outLogPath: '/logs/shop-out.log',
      errLogPath: '/logs/shop-err.log',
      lastStartedAt: null,
      cpuPeak: 0,
      memoryPeak: 0,
      logLines: { out: 0, err: 0 },
      logDropped: 0,
      custom: many,
    } satisfies ProcessDetail;
    const ai = toAiDetail(detail);
    expect(Object.keys(ai.mx as object)).toHaveLength(10);
    expect((ai.mx as Record<string, number>)['jobs_total{q="q00"}']).toBe(0);
    expect(ai.mxo).toBe(2);
    expect(toAiDetail({ ...detail, custom: undefined }).mx).toBeUndefined();

    const docs = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'ai-output.md'), 'utf8');
    const describeRow = docs.split('\n').find((line) => line.startsWith('| `describe` |'))!;
    for (const key of ['mx', 'mxo']) expect(describeRow).toContain(`\`${key}\``);
  });
});
