import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findAppEventLines } from '../../src/logs/app-event-lines.js';
import { createCustomMetricIntake } from '../../src/metrics/custom-metric-intake.js';
import { parseCustomMetric } from '../../src/metrics/custom-metric-parse.js';
import {
  CUSTOM_METRIC_MAX_SERIES_PER_PROCESS,
  createCustomMetricStore,
  type SeriesBudget,
} from '../../src/metrics/custom-metric-store.js';
import { createProcessFigures } from '../../src/metrics/process-figures.js';

const reasonOf = (value: unknown): string => {
  const parsed = parseCustomMetric(value);
  return parsed.ok ? 'ok' : parsed.reason;
};

describe('parseCustomMetric', () => {
  it('takes counters (increment 1 by default), gauges (set, inc, dec) and histograms with buckets', () => {
    expect(
      parseCustomMetric('{"velos_metric":"orders_total","type":"counter","labels":{"shop":"eu","n":3}}'),
    ).toEqual({
      ok: true,
      report: { name: 'orders_total', type: 'counter', op: 'inc', value: 1, labels: { shop: 'eu', n: '3' } },
    });
    expect(
      parseCustomMetric({ velos_metric: 'depth', type: 'gauge', value: 4, help: 'Depth' }),
    ).toMatchObject({
      report: { op: 'set', value: 4, help: 'Depth' },
    });
    expect(parseCustomMetric({ velos_metric: 'conns', type: 'gauge', op: 'dec' })).toMatchObject({
      report: { op: 'inc', value: -1 },
    });
    expect(
      parseCustomMetric({ velos_metric: 'lat', type: 'histogram', value: 0.2, buckets: [0.1, 1] }),
    ).toMatchObject({ report: { op: 'observe', value: 0.2, buckets: [0.1, 1] } });
  });

  it('refuses malformed reports with a reason', () => {
    expect(reasonOf('{"velos_metric":')).toBe('not valid JSON');
    expect(reasonOf('["velos_metric"]')).toBe('not a JSON object');
    expect(reasonOf({ velos_metric: 'bad name!', type: 'counter' })).toMatch(/expected a metric name/);
    // ':' is Prometheus's for recording rules (promtool warns of it, OpenTelemetry refuses it)
    expect(reasonOf({ velos_metric: 'http:requests:rate5m', type: 'gauge', value: 1 })).toBe(
      "http:requests:rate5m: ':' is kept for Prometheus recording rules, not for a program's own metrics: use '_' (http_requests_rate5m)",
    );
    expect(reasonOf({ velos_metric: ':x', type: 'counter' })).toMatch(/use '_' \(_x\)/);
    expect(reasonOf({ velos_metric: '1:x', type: 'counter' })).toMatch(/expected a metric name/);
    expect(reasonOf({ velos_metric: 'velos_process_cpu_percent', type: 'gauge', value: 1 })).toMatch(
      /velos_ prefix/,
    );
    expect(reasonOf({ velos_metric: 'x', type: 'summary' })).toMatch(
      /type: expected counter, gauge or histogram/,
    );
    // promtool: 'non-counter metrics should not have "_total" suffix'
    expect(reasonOf({ velos_metric: 'queue_total', type: 'gauge', value: 1 })).toBe(
      "queue_total: '_total' marks a counter, not a gauge: name the gauge queue, or report a counter",
    );
    expect(reasonOf({ velos_metric: 'lat_total', type: 'histogram', value: 1 })).toMatch(/marks a counter/);
    expect(reasonOf({ velos_metric: 'orders_total', type: 'counter' })).toBe('ok');
    expect(reasonOf({ velos_metric: 'x', type: 'counter', value: -1 })).toMatch(/only goes up/);
    expect(reasonOf({ velos_metric: 'x', type: 'gauge', value: Number.NaN })).toMatch(/finite number/);
    expect(reasonOf({ velos_metric: 'x', type: 'gauge', value: '3' })).toMatch(/finite number/);
    expect(reasonOf({ velos_metric: 'x', type: 'gauge' })).toMatch(/finite number/);
    expect(reasonOf({ velos_metric: 'x', type: 'histogram' })).toMatch(/finite number/);
    expect(reasonOf({ velos_metric: 'x', type: 'counter', op: 'set' })).toMatch(/op: expected none/);
    expect(reasonOf({ velos_metric: 'x', type: 'counter', buckets: [1] })).toMatch(/only a histogram/);
    expect(reasonOf({ velos_metric: 'x', type: 'histogram', value: 1, buckets: [2, 1] })).toMatch(
      /ascending/,
    );
  });

  it('refuses reserved, invalid and too many labels', () => {
    for (const reserved of ['id', 'name', 'instance', 'namespace', 'le']) {
      expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: { [reserved]: 'a' } })).toMatch(
        /reserved/,
      );
    }
    expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: { 'a-b': 'a' } })).toMatch(
      /not a label name/,
    );
    expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: { __a: 'a' } })).toMatch(
      /not a label name/,
    );
    expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: { a: { b: 1 } } })).toMatch(
      /expected a string/,
    );
    expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: { a: 'v'.repeat(201) } })).toMatch(
      /longer than/,
    );
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}`, 'v']));
    expect(reasonOf({ velos_metric: 'x', type: 'counter', labels: many })).toMatch(/at most 10/);
  });

  it('docs/metrics.md says a reserved label is refused, as the code does, not renamed', () => {
    const doc = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');
    const custom = doc
      .slice(doc.indexOf('**Custom metrics**'), doc.indexOf('## `metrics_url`'))
      .replace(/\s+/g, ' ');
    const reason = reasonOf({ velos_metric: 'x', type: 'counter', labels: { id: 'a' } });
    expect(reason).toMatch(/^x: labels: 'id' is reserved/);
    expect(custom).toContain("is refused (`labels: 'id' is reserved`");
    expect(custom).not.toMatch(/app label named like one of Velos' four becomes/);
  });
});

describe('custom metric store', () => {
  const report = (value: unknown) => {
    const parsed = parseCustomMetric(value);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.report;
  };

  it('adds, sets and observes per series (labels in any order are one series)', () => {
    const store = createCustomMetricStore({ used: 0 });
    store.apply(report({ velos_metric: 'c', type: 'counter', labels: { a: '1', b: '2' } }), 1);
    store.apply(report({ velos_metric: 'c', type: 'counter', value: 2, labels: { b: '2', a: '1' } }), 2);
    store.apply(report({ velos_metric: 'g', type: 'gauge', value: 5 }), 3);
    store.apply(report({ velos_metric: 'g', type: 'gauge', op: 'inc', value: 2 }), 4);
    store.apply(report({ velos_metric: 'h', type: 'histogram', value: 3 }), 5);
    expect(store.series()).toEqual([
      { name: 'c', type: 'counter', labels: { a: '1', b: '2' }, value: 3, updatedAt: 2 },
      { name: 'g', type: 'gauge', labels: {}, value: 7, updatedAt: 4 },
      {
        name: 'h',
        type: 'histogram',
        labels: {},
        updatedAt: 5,
        histogram: {
          bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Number.POSITIVE_INFINITY],
          counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
          sum: 3,
          count: 1,
        },
      },
    ]);
  });

  it('reads an empty label value as no label, as Prometheus does: one series, not the same one twice', () => {
    const store = createCustomMetricStore({ used: 0 });
    store.apply(report({ velos_metric: 'g', type: 'gauge', value: 2, labels: { path: '' } }), 1);
    store.apply(report({ velos_metric: 'g', type: 'gauge', value: 3 }), 2);
    expect(store.series()).toEqual([{ name: 'g', type: 'gauge', labels: {}, value: 3, updatedAt: 2 }]);
  });

  it('refuses a report that would carry a total to Infinity (rate() of +Inf is NaN)', () => {
    const store = createCustomMetricStore({ used: 0 });
    const big = { value: Number.MAX_VALUE };
    expect(store.apply(report({ velos_metric: 'c', type: 'counter', ...big }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'c', type: 'counter', ...big }))).toMatch(
      /c: the total would pass the largest number/,
    );
    expect(store.apply(report({ velos_metric: 'g', type: 'gauge', ...big }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'g', type: 'gauge', op: 'inc', ...big }))).toMatch(/largest/);
    expect(store.apply(report({ velos_metric: 'g', type: 'gauge', op: 'dec', ...big }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'h', type: 'histogram', ...big }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'h', type: 'histogram', ...big }))).toMatch(/largest/);
    const values = store.series().map((row) => row.value ?? row.histogram?.sum);
    expect(values).toEqual([Number.MAX_VALUE, 0, Number.MAX_VALUE]);
  });

  it('keeps a name to one type and its first buckets', () => {
    const store = createCustomMetricStore({ used: 0 });
    expect(store.apply(report({ velos_metric: 'm', type: 'counter' }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'm', type: 'gauge', value: 1 }))).toMatch(/already a counter/);
    store.apply(report({ velos_metric: 'h', type: 'histogram', value: 1, buckets: [1, 2] }));
    expect(store.apply(report({ velos_metric: 'h', type: 'histogram', value: 1, buckets: [1, 3] }))).toMatch(
      /buckets differ/,
    );
    expect(
      store.apply(report({ velos_metric: 'h', type: 'histogram', value: 1, buckets: [1, 2] })),
    ).toBeNull();
  });

  it('refuses a name whose exposition meets another metric of the process, in either order', () => {
    const store = createCustomMetricStore({ used: 0 });
    expect(store.apply(report({ velos_metric: 'sum_h', type: 'histogram', value: 1 }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'sum_h_sum', type: 'gauge', value: 1 }))).toBe(
      'sum_h_sum: its exposed name sum_h_sum is taken by the histogram sum_h',
    );
    expect(store.apply(report({ velos_metric: 'sum_h_bucket', type: 'counter' }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'lat_count', type: 'gauge', value: 1 }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'lat', type: 'histogram', value: 1 }))).toBe(
      'lat: its exposed name lat_count is taken by the gauge lat_count',
    );
    // a counter is exposed with _total: `c` and `c_total` would be one family with duplicate series
    expect(store.apply(report({ velos_metric: 'c', type: 'counter' }))).toBeNull();
    expect(store.apply(report({ velos_metric: 'c_total', type: 'counter' }))).toBe(
      'c_total: its exposed name c_total is taken by the counter c',
    );
    expect(store.series().map((s) => s.name)).toEqual(['sum_h', 'sum_h_bucket', 'lat_count', 'c']);
    // the first metric goes on as before
    expect(store.apply(report({ velos_metric: 'sum_h', type: 'histogram', value: 2 }))).toBeNull();
    store.release();
    expect(store.apply(report({ velos_metric: 'lat', type: 'histogram', value: 1 }))).toBeNull();
  });

  it('holds the series limits of a process and of all processes, and gives series back on release', () => {
    const budget: SeriesBudget = { used: 0 };
    const store = createCustomMetricStore(budget);
    for (let i = 0; i < CUSTOM_METRIC_MAX_SERIES_PER_PROCESS; i += 1) {
      expect(store.apply(report({ velos_metric: 's', type: 'counter', labels: { i } }))).toBeNull();
    }
    expect(store.apply(report({ velos_metric: 's', type: 'counter', labels: { i: 'new' } }))).toMatch(
      /over 1000 series/,
    );
    expect(store.apply(report({ velos_metric: 's', type: 'counter', labels: { i: 0 } }))).toBeNull();
    expect(budget.used).toBe(1000);
    const full = createCustomMetricStore({ used: 20_000 });
    expect(full.apply(report({ velos_metric: 's', type: 'counter' }))).toMatch(/all processes/);
    store.release();
    expect(budget.used).toBe(0);
    expect(store.series()).toEqual([]);
  });
});

describe('custom metric intake', () => {
  it('counts refusals and tells daemon.log once per process; a rate over 1000/s is refused', () => {
    const figures = createProcessFigures();
    const logged: string[] = [];
    const accept = createCustomMetricIntake({
      figuresOf: (id) => (id === 1 ? figures : undefined),
      budget: { used: 0 },
      log: (line) => logged.push(line),
    });
    accept({ id: 1, name: 'api', value: '{"velos_metric":"ok_total","type":"counter"}' });
    accept({ id: 1, name: 'api', value: '{"velos_metric":"bad!","type":"counter"}' });
    accept({ id: 1, name: 'api', value: '{"velos_metric":"x","type":"nope"}' });
    accept({ id: 2, name: 'gone', value: '{"velos_metric":"bad!"}' });
    expect(figures.rejected).toBe(2);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^api \(id 1\): a velos_metric report was refused \(velos_metric: expected/);
    for (let i = 0; i < 1100; i += 1)
      accept({ id: 1, name: 'api', value: { velos_metric: 'fast_total', type: 'counter' } });
    expect(figures.rejected).toBeGreaterThanOrEqual(2 + 100);
    expect(figures.custom!.series().find((s) => s.name === 'fast_total')!.value).toBeLessThanOrEqual(1000);
  });

  it('refuses a report whose name meets another metric the way it refuses a type conflict', () => {
    const figures = createProcessFigures();
    const logged: string[] = [];
    const accept = createCustomMetricIntake({
      figuresOf: () => figures,
      budget: { used: 0 },
      log: (line) => logged.push(line),
    });
    accept({ id: 1, name: 'api', value: '{"velos_metric":"sum_h","type":"histogram","value":1}' });
    accept({ id: 1, name: 'api', value: '{"velos_metric":"sum_h_sum","type":"gauge","value":1}' });
    expect(figures.rejected).toBe(1);
    expect(logged).toEqual([
      'api (id 1): a velos_metric report was refused (sum_h_sum: its exposed name sum_h_sum is taken by the histogram sum_h); it stays a log line, later refusals are only counted (customMetricsRejected in velos metrics)',
    ]);
  });
});

describe('velos_metric lines', () => {
  it('are found with the event lines in one pass, each kind to its callback', () => {
    const events: string[] = [];
    const metrics: string[] = [];
    const text =
      '{"velos_metric":"a_total","type":"counter"}\nplain "velos_x" text\n{"velos_event":"e"}\n' +
      '{"x":"velos_metrics","velos_metric":"b"}\n"velos_metric" not a JSON line\n{"velos_events_total":1}\n';
    findAppEventLines(
      Buffer.from(text),
      (line) => events.push(line),
      (line) => metrics.push(line),
    );
    expect(events).toEqual(['{"velos_event":"e"}']);
    expect(metrics).toEqual([
      '{"velos_metric":"a_total","type":"counter"}',
      '{"x":"velos_metrics","velos_metric":"b"}',
    ]);
  });

  it('are left alone by a pipeline that only asks for events', () => {
    const events: string[] = [];
    findAppEventLines(Buffer.from('{"velos_metric":"a"}\n{"velos_event":"e"}\n'), (line) =>
      events.push(line),
    );
    expect(events).toEqual(['{"velos_event":"e"}']);
  });
});
