import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsSnapshot, ProcessInfo, ProcessMetrics } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSpec, Harness, type RawClient, waitFor } from '../helpers.js';

const harness = new Harness();
let home = '';
let client: RawClient;

const snapshot = () => client.call<MetricsSnapshot>('metrics');
const processOf = (snap: MetricsSnapshot, name: string): ProcessMetrics => {
  const found = snap.processes.find((p) => p.name === name);
  if (!found) throw new Error(`no process ${name} in the snapshot`);
  return found;
};
/** Polls the snapshot until `check` holds for process `name`. */
const waitForProcess = (name: string, check: (p: ProcessMetrics) => boolean, what: string) =>
  waitFor(
    async () => {
      const found = processOf(await snapshot(), name);
      return check(found) ? found : null;
    },
    { what, timeoutMs: 25_000 },
  );

beforeAll(async () => {
  home = harness.home();
  ({ client } = await harness.startDaemon(home));
  await client.call('start', {
    apps: [
      appSpec(home, {
        name: 'crasher',
        script: 'crash-after.js',
        env: { CRASH_AFTER_MS: '300' },
        restartDelayMs: 200,
        // errored after 4 crashes: the test counts 2 (each crash is a Node process started again)
        maxRestarts: 3,
      }),
      appSpec(home, { name: 'mix', script: 'log-mix.js', env: { COUNT: '600', RATE: '300', STAY: '1' } }),
      {
        ...appSpec(home, {
          name: 'tick',
          script: 'job-counter.js',
          type: 'job',
          env: { COUNTER_FILE: join(home, 'tick.count'), EXIT_CODES: '0,1' },
        }),
        intervalMs: 300,
      },
      appSpec(home, { name: 'node-metrics', script: 'app-metrics.js', env: { CRASH: '1' } }),
      appSpec(home, { name: 'py-metrics', script: 'app_metrics.py' }),
    ],
  });
});

afterAll(() => harness.cleanup());

describe('the metrics snapshot of a real daemon (OBS-1)', () => {
  it('counts IPC requests by command and outcome, with their latency', async () => {
    const before = await snapshot();
    const listed = (snap: MetricsSnapshot) =>
      snap.daemon.ipcRequests.find((row) => row.cmd === 'list' && row.outcome === 'ok')?.count ?? 0;
    for (let i = 0; i < 5; i += 1) await client.call('list');
    await client.request('describe', { target: 'no-such-app' });
    await client.request('no.such.command');
    const after = await snapshot();
    expect(listed(after) - listed(before)).toBe(5);
    expect(after.daemon.ipcRequests).toContainEqual({
      cmd: 'describe',
      outcome: 'TARGET_NOT_FOUND',
      count: 1,
    });
    expect(after.daemon.ipcRequests.find((row) => row.outcome === 'UNKNOWN_COMMAND')?.cmd).toBe('other');
    const latency = after.daemon.ipcLatencySeconds;
    expect(latency.count).toBeGreaterThanOrEqual(before.daemon.ipcLatencySeconds.count + 7);
    expect(latency.counts.at(-1)).toBe(latency.count);
    expect(latency.bounds.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(latency.sum).toBeGreaterThan(0);
  });

  it('counts exits by reason after crashes, and events by kind', async () => {
    const crasher = await waitForProcess('crasher', (p) => (p.exits.crash ?? 0) >= 2, 'two crashes counted');
    expect(crasher.restarts).toBeGreaterThanOrEqual(1);
    await client.call('restart', { target: 'py-metrics' });
    const snap = await snapshot();
    expect(processOf(snap, 'py-metrics').exits).toEqual({ user: 1 });
    expect(snap.daemon.events['process.exited']).toBeGreaterThanOrEqual(2);
    expect(snap.daemon.events['daemon.started']).toBe(1);
  });

  it('keeps the restarts since added across velos reset, which sets those velos list shows back to 0', async () => {
    // errored after its crashes: its count stands still
    const before = (await waitForProcess('crasher', (p) => p.status === 'errored', 'crasher errored'))
      .restarts;
    expect(before).toBeGreaterThanOrEqual(2);
    const [reset] = (await client.call<{ processes: ProcessInfo[] }>('reset', { target: 'crasher' }))
      .processes;
    expect(reset!.restarts).toBe(0);
    expect(processOf(await snapshot(), 'crasher').restarts).toBe(before);
    // the restarts after the reset add to it: the exported counter never goes down
    await client.call('restart', { target: 'crasher' });
    const total = (await waitForProcess('crasher', (p) => p.status === 'errored', 'crasher errored again'))
      .restarts;
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
    const listed = processes.find((p) => p.name === 'crasher')!.restarts;
    expect(listed).toBeGreaterThanOrEqual(1);
    expect(total).toBe(before + listed);
  });

  it('tells the memory outside the heap and the active handles by type (what the soak watches)', async () => {
    const snap = await snapshot();
    expect(snap.daemon.externalBytes).toBeGreaterThan(0);
    // the IPC server listens and children run: pipes and child processes are active handles
    expect(snap.daemon.activeResources!.PipeWrap).toBeGreaterThanOrEqual(1);
    expect(snap.daemon.activeResources!.ProcessWrap).toBeGreaterThanOrEqual(1);
  });

  it('counts log lines at level error of a process printing them', async () => {
    const mix = await waitForProcess(
      'mix',
      (p) => p.logErrors > 0 && p.logLines.out + p.logLines.err >= 600,
      'log errors',
    );
    // the first batches pass before the live engine is loaded; about a quarter of the mix are errors
    expect(mix.logErrors).toBeLessThan(mix.logLines.out + mix.logLines.err);
    expect(mix.logErrors).toBeGreaterThan(30);
    expect(processOf(await snapshot(), 'crasher').logErrors).toBeGreaterThanOrEqual(0);
  });

  it('counts job runs by outcome with a duration histogram', async () => {
    const tick = await waitForProcess(
      'tick',
      (p) => (p.job?.runs.ok ?? 0) >= 2 && (p.job?.runs.failed ?? 0) >= 1,
      'job runs counted',
    );
    const { durationSeconds } = tick.job!;
    expect(durationSeconds.count).toBe((tick.job!.runs.ok ?? 0) + (tick.job!.runs.failed ?? 0));
    expect(durationSeconds.sum).toBeGreaterThan(0);
    expect(processOf(await snapshot(), 'crasher').job).toBeUndefined();
    // counted: no more runs (a Node process every 300 ms, for the rest of the file)
    await client.call('stop', { target: 'tick' });
  });

  it('has plausible host figures and the event-loop lag', async () => {
    await snapshot();
    const { host, daemon } = await snapshot();
    expect(host.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(host.cpuPercent).toBeLessThanOrEqual(100);
    expect(host.memoryAvailableBytes).toBeGreaterThan(0);
    expect(host.memoryAvailableBytes).toBeLessThanOrEqual(host.memoryTotalBytes);
    expect(host.disk.path).toBe(home);
    expect(host.disk.totalBytes).toBeGreaterThan(0);
    expect(host.disk.availableBytes).toBeLessThanOrEqual(host.disk.totalBytes);
    expect(host.network.every((row) => row.interface !== 'lo' && row.rxBytes >= 0)).toBe(true);
    expect(daemon.eventLoopLagSeconds.max).toBeGreaterThanOrEqual(daemon.eventLoopLagSeconds.mean);
    expect(daemon.alerts).toEqual({});
  });
});

describe('custom app metrics (OBS-6)', () => {
  it('shows the Node fixture’s counter, gauge and histogram, kept across its restarts', async () => {
    const node = await waitForProcess(
      'node-metrics',
      (p) =>
        p.restarts >= 1 &&
        (p.custom?.find((s) => s.name === 'orders_total' && s.labels.shop === 'eu')?.value ?? 0) >= 6,
      'orders_total of two runs',
    );
    const series = (name: string) => node.custom!.filter((s) => s.name === name);
    expect(series('orders_total').map((s) => [s.type, s.labels, s.help])).toEqual([
      ['counter', { shop: 'eu' }, 'Orders placed'],
      ['counter', { shop: 'us' }, 'Orders placed'],
    ]);
    expect(series('queue_depth')[0]).toMatchObject({ type: 'gauge', value: 15 });
    const histogram = series('checkout_seconds')[0]!.histogram!;
    expect(histogram.bounds).toEqual([0.1, 0.5, 1, Number.POSITIVE_INFINITY]);
    expect(histogram.counts.map((n) => n / (histogram.count / 2))).toEqual([0, 1, 2, 2]);
    expect(series('after_malformed_total')[0]!.value).toBeGreaterThanOrEqual(1);
  });

  it('shows the Python fixture’s metrics with its labels', async () => {
    const py = await waitForProcess(
      'py-metrics',
      (p) => (p.custom?.length ?? 0) === 3,
      'three python series',
    );
    expect(py.custom!.find((s) => s.name === 'py_jobs_total')).toMatchObject({
      type: 'counter',
      labels: { queue: 'mail' },
    });
    expect(py.custom!.find((s) => s.name === 'py_temperature')).toMatchObject({
      value: 21.5,
      labels: { room: 'lab' },
    });
    expect(py.custom!.find((s) => s.name === 'py_latency_seconds')!.histogram!.count).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('counts malformed reports per process, tells daemon.log once, keeps the lines in the log, and lives', async () => {
    const snap = await waitFor(
      async () => {
        const s = await snapshot();
        const py = s.daemon.customMetricsRejected.find((row) => row.name === 'py-metrics');
        const node = s.daemon.customMetricsRejected.find((row) => row.name === 'node-metrics');
        return py && node && node.count >= 6 ? s : null;
      },
      { what: 'rejections counted' },
    );
    // three refusals per run of the crashing fixture, over two runs at least: counted, not reset
    expect(
      snap.daemon.customMetricsRejected.find((row) => row.name === 'node-metrics')!.count,
    ).toBeGreaterThanOrEqual(6);
    const daemonLog = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(daemonLog.match(/node-metrics \(id \d+\): a velos_metric report was refused/g)).toHaveLength(1);
    expect(daemonLog).toMatch(/py-metrics \(id \d+\): a velos_metric report was refused \(py_bad: value/);
    const { lines } = await client.call<{ lines: { line: string }[] }>('logs', {
      target: 'py-metrics',
      lines: 50,
    });
    expect(lines.some((l) => l.line.includes('"velos_metric": "py_bad"') || l.line.includes('py_bad'))).toBe(
      true,
    );
    expect((await client.call<{ pid: number }>('ping')).pid).toBeGreaterThan(0);
  });

  it('takes a cluster worker’s reports over its IPC channel (process.send), not its output', async () => {
    await client.call('start', {
      apps: [
        appSpec(home, {
          name: 'worker-metrics',
          script: 'app-metrics.js',
          execMode: 'cluster',
          instances: 2,
        }),
      ],
    });
    const workers = await waitFor(
      async () => {
        const found = (await snapshot()).processes.filter((p) => p.name === 'worker-metrics');
        return found.length === 2 &&
          found.every((p) => p.custom?.some((s) => s.name === 'after_malformed_total'))
          ? found
          : null;
      },
      { what: 'the custom metrics of both workers' },
    );
    for (const worker of workers) {
      expect(worker.custom!.find((s) => s.name === 'orders_total' && s.labels.shop === 'eu')!.value).toBe(3);
    }
    const { lines } = await client.call<{ lines: { line: string }[] }>('logs', {
      target: 'worker-metrics',
      lines: 100,
    });
    expect(lines.some((l) => l.line.includes('app-metrics fixture ready'))).toBe(true);
    expect(lines.some((l) => l.line.includes('"labels":{"shop":"eu"}'))).toBe(false);
    await client.call('delete', { target: 'worker-metrics' });
  });

  it('counts a cluster worker replaced by velos reload as an exit by reload, beside its restart', async () => {
    await client.call('start', {
      apps: [appSpec(home, { name: 'rolled', script: 'ticker.js', execMode: 'cluster', instances: 1 })],
    });
    await waitForProcess('rolled', (p) => p.status === 'online', 'the worker online');
    await client.call('reload', { target: 'rolled' }, 30_000);
    const rolled = await waitForProcess('rolled', (p) => p.restarts >= 1, 'the reload counted');
    expect(rolled.restarts).toBe(1);
    expect(rolled.exits).toEqual({ reload: 1 });
    await client.call('delete', { target: 'rolled' });
  });

  it('holds the series limit of a process and drops its series when it is deleted', async () => {
    await client.call('start', {
      apps: [appSpec(home, { name: 'many', script: 'app-metrics.js', env: { SERIES: '1100' } })],
    });
    const many = await waitForProcess(
      'many',
      (p) => (p.custom?.filter((s) => s.name === 'many_series').length ?? 0) >= 990,
      'many series',
    );
    // 5 series of the fixed reports + 995 of many_series; the other 105 and the 3 malformed are refused
    await waitFor(
      async () => {
        const s = await snapshot();
        return s.daemon.customMetricsRejected.find((row) => row.name === 'many')?.count === 108;
      },
      { what: 'series over the limit refused' },
    );
    expect(processOf(await snapshot(), 'many').custom!.length).toBe(1000);
    await client.call('delete', { target: 'many' });
    const after = await snapshot();
    expect(after.processes.some((p) => p.id === many.id)).toBe(false);
    expect(after.daemon.customMetricsRejected.some((row) => row.id === many.id)).toBe(false);
  });
});
