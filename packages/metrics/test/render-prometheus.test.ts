import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseExposition, renderPrometheus, type ScrapedApp } from '../src/index.js';
import { sampleProcess, sampleSnapshot } from './sample-snapshot.js';

/** Asserts the exposition holds the sample of `line` (`name{labels} value`), labels in any order. */
function expectSample(text: string, line: string): void {
  const [wanted] = parseExposition(line)[0]!.samples;
  const found = parseExposition(text)
    .flatMap((f) => f.samples)
    .filter((sample) => sample.name === wanted!.name && sameLabels(sample.labels, wanted!.labels));
  expect(
    found.map((sample) => sample.value),
    line,
  ).toEqual([wanted!.value]);
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** Runs `promtool check metrics` on a text; returns what it reported (empty: no problem). */
function promtoolProblems(text: string): string {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? '' : ` (exit ${result.status})`);
}

const jobProcess = sampleProcess(5, {
  name: 'nightly',
  status: 'scheduled',
  health: 'degraded',
  job: {
    runs: { ok: 4, failed: 1 },
    durationSeconds: { bounds: [1, 10, Number.POSITIVE_INFINITY], counts: [1, 4, 5], sum: 22, count: 5 },
  },
  custom: [
    { name: 'orders', type: 'counter', labels: { shop: 'eu', name: 'clash' }, value: 17, updatedAt: 1 },
    { name: 'queue_depth', type: 'gauge', help: 'Jobs waiting.', labels: {}, value: 3, updatedAt: 1 },
    {
      name: 'order_seconds',
      type: 'histogram',
      labels: { route: '/buy "now"\n' },
      histogram: { bounds: [0.1, 1, Number.POSITIVE_INFINITY], counts: [2, 3, 3], sum: 1.2, count: 3 },
      updatedAt: 1,
    },
  ],
});

describe('renderPrometheus', () => {
  it('exposes the names of the design with the process labels', async () => {
    const text = await renderPrometheus(sampleSnapshot(2));
    expectSample(
      text,
      'velos_process_memory_bytes{name="app-0",id="0",instance="0",namespace="default"} 50000000',
    );
    expectSample(text, 'velos_process_restart_total{name="app-1",id="1",instance="0",namespace="default"} 3');
    expectSample(text, 'velos_process_status{name="app-0",id="0",instance="0",namespace="default"} 1');
    expectSample(
      text,
      'velos_process_log_lines_total{name="app-0",id="0",instance="0",namespace="default",stream="err"} 7',
    );
    expectSample(
      text,
      'velos_process_exits_total{name="app-0",id="0",instance="0",namespace="default",reason="crash"} 2',
    );
    expectSample(text, 'velos_daemon_processes{status="online"} 2');
    expectSample(text, 'velos_daemon_processes{status="errored"} 0');
    expectSample(text, 'velos_daemon_ipc_requests_total{cmd="start",outcome="INVALID_ARGUMENT"} 1');
    expectSample(text, 'velos_daemon_ipc_latency_seconds_bucket{le="+Inf"} 11');
    expectSample(text, 'velos_events_total{kind="process.started"} 3');
    expectSample(text, 'velos_alerts{phase="firing"} 1');
    // the refusals of a process carry the labels of its own series
    expectSample(
      text,
      'velos_custom_metrics_rejected_total{name="app-0",id="0",instance="0",namespace="default"} 2',
    );
    expectSample(text, 'velos_host_network_receive_bytes_total{interface="eth0"} 1000');
    expect(text).toContain('# TYPE velos_daemon_ipc_latency_seconds histogram');
    for (const name of ['velos_process_cpu_percent', 'velos_daemon_uptime_seconds', 'velos_host_load15']) {
      expect(text).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
  });

  it.skipIf(!hasPromtool && process.env.CI !== 'true')(
    'writes app names of any script as UTF-8 label values, a namespace with quotes escaped',
    async () => {
      expect(hasPromtool, 'promtool (Debian package prometheus) is required in CI').toBe(true);
      const text = await renderPrometheus(
        sampleSnapshot(2, [
          sampleProcess(0, { name: '注文' }),
          sampleProcess(1, { name: 'заказы-api', namespace: 'ご注文 "eu"\\1' }),
        ]),
      );
      expect(text).toMatch(/^velos_process_restart_total\{name="注文",/m);
      expect(text).toContain('namespace="ご注文 \\"eu\\"\\\\1"');
      expectSample(text, 'velos_process_status{name="注文",id="0",instance="0",namespace="default"} 1');
      expectSample(
        text,
        'velos_process_status{name="заказы-api",id="1",instance="0",namespace="ご注文 \\"eu\\"\\\\1"} 1',
      );
      expect(promtoolProblems(text)).toBe('');
    },
  );

  it('exposes probe health, jobs and custom metrics with the app labels', async () => {
    const text = await renderPrometheus(sampleSnapshot(1, [jobProcess]));
    const labels = 'name="nightly",id="5",instance="0",namespace="default"';
    expectSample(text, `velos_process_status{${labels}} 6`);
    expectSample(text, `velos_process_health{${labels},state="degraded"} 1`);
    expectSample(text, `velos_process_health{${labels},state="healthy"} 0`);
    expectSample(text, `velos_job_runs_total{${labels},outcome="failed"} 1`);
    expectSample(text, `velos_job_duration_seconds_bucket{${labels},le="10"} 4`);
    expectSample(text, `orders_total{${labels},shop="eu",exported_name="clash"} 17`);
    expect(text).toContain('# HELP queue_depth Jobs waiting.');
    expectSample(text, `order_seconds_bucket{${labels},route="/buy \\"now\\"\\n",le="0.1"} 2`);
  });

  it('re-exposes scraped apps with their labels and reports failed scrapes', async () => {
    const families = parseExposition(
      '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code="200",id="x"} 5\n',
    );
    const process = sampleProcess(0);
    const scraped: ScrapedApp[] = [
      {
        process,
        url: 'http://127.0.0.1:1/metrics',
        isUp: true,
        durationSeconds: 0.01,
        errorsTotal: 1,
        families,
      },
      {
        process: sampleProcess(1),
        url: 'http://127.0.0.1:2/metrics',
        isUp: false,
        error: 'HTTP 500',
        durationSeconds: 0.02,
        errorsTotal: 2,
        families: [],
      },
    ];
    const text = await renderPrometheus(sampleSnapshot(2), scraped);
    expectSample(
      text,
      'http_requests_total{name="app-0",id="0",instance="0",namespace="default",code="200",exported_id="x"} 5',
    );
    expectSample(text, 'velos_app_scrape_up{name="app-1",id="1",instance="0",namespace="default"} 0');
    expectSample(
      text,
      'velos_app_scrape_errors_total{name="app-1",id="1",instance="0",namespace="default"} 2',
    );
  });

  it('renames a clashing app label past the app’s own exported_ label, as Prometheus does: no value lost', async () => {
    const families = parseExposition('jobs{id="a",exported_id="b"} 1\njobs{id="a",exported_id="c"} 2\n');
    const text = await renderPrometheus(sampleSnapshot(1), [
      { process: sampleProcess(0), url: 'u', isUp: true, durationSeconds: 0, errorsTotal: 0, families },
    ]);
    const labels = 'name="app-0",id="0",instance="0",namespace="default"';
    expectSample(text, `jobs{${labels},exported_id="b",exported_exported_id="a"} 1`);
    expectSample(text, `jobs{${labels},exported_id="c",exported_exported_id="a"} 2`);
  });

  it('writes a series both published as a custom metric and found at metrics_url once, the custom one', async () => {
    const process = sampleProcess(0, {
      custom: [{ name: 'hits', type: 'counter', labels: {}, value: 2, updatedAt: 0 }],
    });
    const families = parseExposition('# TYPE hits_total counter\nhits_total 5\nhits_total{route="/a"} 1\n');
    const text = await renderPrometheus(sampleSnapshot(1, [process]), [
      { process, url: 'u', isUp: true, durationSeconds: 0, errorsTotal: 0, families },
    ]);
    const labels = 'name="app-0",id="0",instance="0",namespace="default"';
    expect(text.split('\n').filter((line) => line.startsWith('hits_total'))).toEqual([
      `hits_total{${labels}} 2`,
      `hits_total{route="/a",${labels}} 1`,
    ]);
  });

  it('never lets an app family take one of the Velos names', async () => {
    const families = parseExposition(
      '# TYPE velos_process_restart_total counter\nvelos_process_restart_total 999\n',
    );
    const text = await renderPrometheus(sampleSnapshot(1), [
      { process: sampleProcess(0), url: 'u', isUp: true, durationSeconds: 0, errorsTotal: 0, families },
    ]);
    expect(text).not.toContain(' 999');
  });

  it.skipIf(!hasPromtool && process.env.CI !== 'true')(
    'leaves out a family whose names meet another one (a gauge lat_count beside a histogram lat), in either order',
    async () => {
      expect(hasPromtool, 'promtool (Debian package prometheus) is required in CI').toBe(true);
      const lat = {
        name: 'lat',
        type: 'histogram' as const,
        labels: {},
        histogram: { bounds: [1, Number.POSITIVE_INFINITY], counts: [1, 1], sum: 0.5, count: 1 },
        updatedAt: 1,
      };
      const gauge = (name: string) => ({ name, type: 'gauge' as const, labels: {}, value: 7, updatedAt: 1 });
      const scrapedSum = parseExposition('# TYPE lat_sum gauge\nlat_sum 9\n');
      const histogramFirst = await renderPrometheus(
        sampleSnapshot(2, [
          sampleProcess(0, { custom: [lat] }),
          sampleProcess(1, { custom: [gauge('lat_count'), gauge('lat_bucket'), gauge('other')] }),
        ]),
        [
          {
            process: sampleProcess(1),
            url: 'u',
            isUp: true,
            durationSeconds: 0,
            errorsTotal: 0,
            families: scrapedSum,
          },
        ],
      );
      expect(promtoolProblems(histogramFirst)).toBe('');
      expectSample(histogramFirst, 'lat_count{name="app-0",id="0",instance="0",namespace="default"} 1');
      expectSample(histogramFirst, 'other{name="app-1",id="1",instance="0",namespace="default"} 7');
      expect(histogramFirst).not.toMatch(/^lat_\w+\{name="app-1"/m);
      expect(histogramFirst).not.toMatch(/^lat_sum\{.* 9$/m);

      const gaugeFirst = await renderPrometheus(
        sampleSnapshot(2, [
          sampleProcess(0, { custom: [gauge('lat_count')] }),
          sampleProcess(1, { custom: [lat] }),
        ]),
      );
      expect(gaugeFirst).not.toMatch(/^# TYPE lat histogram$/m);
      expectSample(gaugeFirst, 'lat_count{name="app-0",id="0",instance="0",namespace="default"} 7');
      // valid: what is left is promtool's naming advice on a lone gauge called *_count
      expect(promtoolProblems(gaugeFirst)).toBe(
        'lat_count non-histogram and non-summary metrics should not have "_count" suffix (exit 3)',
      );
    },
  );

  it('reads back through its own parser', async () => {
    const text = await renderPrometheus(sampleSnapshot(1, [jobProcess]));
    const families = parseExposition(text);
    const histogram = families.find((f) => f.name === 'order_seconds');
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.samples.find((s) => s.labels.le === '0.1')?.labels.route).toBe('/buy "now"\n');
  });

  it.skipIf(!hasPromtool && process.env.CI !== 'true')(
    'passes promtool check metrics with no problem',
    async () => {
      expect(hasPromtool, 'promtool (Debian package prometheus) is required in CI').toBe(true);
      // an app serving OpenMetrics whatever it is asked: its counter and _created lines as 0.0.4 has them
      const families = parseExposition(
        '# HELP app_hits_total Hits.\n# TYPE app_hits_total counter\napp_hits_total{path="/"} 2\n' +
          '# HELP app_jobs Jobs.\n# TYPE app_jobs counter\napp_jobs_total 4\napp_jobs_created 1.7e9\n# EOF\n',
      );
      const text = await renderPrometheus(sampleSnapshot(3, [sampleProcess(0), jobProcess]), [
        { process: sampleProcess(0), url: 'u', isUp: true, durationSeconds: 0.001, errorsTotal: 0, families },
      ]);
      expect(promtoolProblems(text)).toBe('');
    },
  );
});
