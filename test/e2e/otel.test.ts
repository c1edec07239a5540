import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  killDaemon,
  listState,
  readPidFile,
  velosOk,
  waitFor,
} from './helpers.js';
import { type OtlpReceiver, type SpanRecord, startOtlpReceiver } from './otlp-receiver.js';

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await cleanupHomes();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(
  status?: (path: string) => number,
  tls?: Parameters<typeof startOtlpReceiver>[1],
): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(status, tls);
  receivers.push(started);
  return started;
}

const VERSION = (
  JSON.parse(readFileSync(join(FIXTURES, '../packages/core/package.json'), 'utf8')) as { version: string }
).version;

/** Starts the fixture that crashes once and then runs, and waits until it is online after its one restart. */
async function startCrashOnce(home: string, env?: Record<string, string>): Promise<number> {
  const marker = join(home, 'crashed-once');
  await velosOk(['start', join(FIXTURES, 'crash-then-run.js'), '--name', 'otapp', '--', marker], {
    home,
    env,
  });
  const row = await waitFor(
    async () =>
      (await listState(home)).find((r) => r.name === 'otapp' && r.status === 'online' && r.restarts === 1),
    { message: 'otapp online after one restart' },
  );
  return row.pid as number;
}

function runSpans(spans: SpanRecord[], app: string): SpanRecord[] {
  return spans.filter((s) => s.name === 'velos.process.run' && s.attributes['velos.process.name'] === app);
}

describe('OpenTelemetry export (OBS-5)', () => {
  it('sends metrics and lifecycle spans to the [metrics.otlp] endpoint of config.toml', async () => {
    const home = createHome();
    const otlp = await receiver();
    writeFileSync(
      join(home, 'config.toml'),
      `[metrics.otlp]\nendpoint = "${otlp.endpoint}"\ninterval = "1s"\nheaders = { "x-api-key" = "s3cret" }\n`,
    );
    const pid = await startCrashOnce(home);
    const crashedPid = Number(readFileSync(join(home, 'crashed-once'), 'utf8'));

    // metrics: names, the labels, the fixture's memory and its one restart, the resource
    const memory = await waitFor(
      () =>
        otlp
          .points()
          .find(
            (p) => p.name === 'velos_process_memory_bytes' && p.attributes.name === 'otapp' && p.value > 0,
          ),
      { message: 'a memory point of otapp above 0', timeoutMs: 30_000 },
    );
    expect(memory.kind).toBe('gauge');
    expect(memory.attributes).toMatchObject({ name: 'otapp', id: '0', instance: '0', namespace: 'default' });
    expect(memory.resource).toMatchObject({
      'service.name': 'velos',
      'service.version': VERSION,
      'host.name': hostname(),
    });
    const restarts = await waitFor(
      () =>
        otlp
          .points()
          .find(
            (p) => p.name === 'velos_process_restart_total' && p.attributes.name === 'otapp' && p.value === 1,
          ),
      { message: 'restart_total 1 for otapp' },
    );
    expect(restarts).toMatchObject({ kind: 'sum', isMonotonic: true });
    const names = new Set(otlp.points().map((p) => p.name));
    for (const name of [
      'velos_process_cpu_percent',
      'velos_process_memory_bytes',
      'velos_process_uptime_seconds',
      'velos_process_status',
      'velos_process_log_lines_total',
      'velos_daemon_memory_bytes',
      'velos_daemon_uptime_seconds',
      'velos_daemon_processes',
      'velos_host_memory_total_bytes',
    ]) {
      expect(names, name).toContain(name);
    }
    const status = otlp
      .points()
      .findLast((p) => p.name === 'velos_process_status' && p.attributes.name === 'otapp');
    expect(status?.value).toBe(1);
    const metricsPost = otlp.requests.find((r) => r.path === '/v1/metrics');
    expect(metricsPost?.headers['x-api-key']).toBe('s3cret');
    expect(metricsPost?.headers['content-type']).toContain('application/json');

    // spans: the crashed run ended with its pid, exit code and reason; the next run after a stop
    const crashed = await waitFor(
      () => runSpans(otlp.spans(), 'otapp').find((s) => s.attributes['process.pid'] === crashedPid),
      {
        message: 'the span of the crashed run',
      },
    );
    expect(crashed.attributes).toMatchObject({
      'velos.process.id': 0,
      'velos.process.instance': 0,
      'velos.process.namespace': 'default',
      'process.exit.code': 1,
      'velos.process.exit.reason': 'crash',
      'velos.process.restarts': 0,
    });
    expect(crashed.status.code).toBe(2);
    expect(crashed.endMs).toBeGreaterThanOrEqual(crashed.startMs);
    expect(crashed.resource).toMatchObject({ 'service.name': 'velos', 'host.name': hostname() });
    const restarting = await waitFor(() => otlp.spans().find((s) => s.name === 'process.restarting'), {
      message: 'the process.restarting span',
    });
    expect(restarting.traceId).toBe(crashed.traceId);
    expect(restarting.parentSpanId).toBe(crashed.spanId);

    await velosOk(['stop', 'otapp'], { home });
    const second = await waitFor(
      () => runSpans(otlp.spans(), 'otapp').find((s) => s.attributes['process.pid'] === pid),
      {
        message: 'the span of the second run, ended by the stop',
      },
    );
    expect(second.attributes['velos.process.restarts']).toBe(1);
    expect(second.attributes['velos.process.memory_bytes']).toBeGreaterThan(0);
    expect(second.status.code ?? 0).toBe(0);
    expect(second.links).toEqual([{ traceId: crashed.traceId, spanId: crashed.spanId }]);
    expect(second.events.map((e) => e.name)).toContain('process.online');

    // the export is flushed when the daemon stops: its own stopping event arrives (the stop that
    // `velos kill` asks for, sent over the socket: no CLI process)
    await killDaemon(home);
    await waitFor(() => otlp.spans().find((s) => s.name === 'daemon.stopping'), {
      message: 'the daemon.stopping span, sent on close',
    });
  });

  it('takes the endpoint and interval from OTEL_* variables; a collector that fails is a daemon.log line, not fatal', async () => {
    const home = createHome();
    let isDown = true;
    const otlp = await receiver(() => (isDown ? 503 : 200));
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_SERVICE_NAME: 'edge-box',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-from-env=yes',
    };
    await startCrashOnce(home, env);
    const daemonLog = join(home, 'daemon.log');
    await waitFor(() => readFileSync(daemonLog, 'utf8').includes('otlp: metrics export to'), {
      message: 'a failed export in daemon.log',
      timeoutMs: 30_000,
    });
    isDown = false;
    const point = await waitFor(
      () => {
        const posts = otlp.requests.filter((r) => r.path === '/v1/metrics').length;
        return (
          posts > 0 && otlp.points().find((p) => p.name === 'velos_process_restart_total' && p.value === 1)
        );
      },
      { message: 'restart_total 1 once the collector answers', timeoutMs: 30_000 },
    );
    expect(point.resource).toMatchObject({ 'service.name': 'edge-box', 'deployment.environment': 'test' });
    expect(otlp.requests.find((r) => r.path === '/v1/metrics')?.headers['x-from-env']).toBe('yes');
    await waitFor(() => readFileSync(daemonLog, 'utf8').includes('works again'), {
      message: 'the recovery line',
    });
    const failures = readFileSync(daemonLog, 'utf8')
      .split('\n')
      .filter((line) => line.includes('export to') && line.includes('failed'));
    expect(failures.length).toBeLessThanOrEqual(2);
    expect((await listState(home)).find((r) => r.name === 'otapp')?.status).toBe('online');

    // a deleted process's series stop (the SDK would repeat their last values forever otherwise)
    await velosOk(['delete', 'otapp'], { home });
    const afterDelete = otlp.requests.length;
    await waitFor(
      () =>
        otlp.requests.slice(afterDelete).some((r) => {
          if (r.path !== '/v1/metrics') return false;
          const names = JSON.stringify(r.body);
          return names.includes('velos_daemon_uptime_seconds') && !names.includes('"otapp"');
        }),
      { message: 'a metrics export without the deleted app' },
    );
  });

  it.runIf(hasOpenssl())(
    'exports over HTTPS to a collector whose authority NODE_EXTRA_CA_CERTS adds',
    async () => {
      const home = createHome();
      const { certPath, keyPath } = makeSelfSigned(home);
      const otlp = await receiver(undefined, { cert: readFileSync(certPath), key: readFileSync(keyPath) });
      await startCrashOnce(home, {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        NODE_EXTRA_CA_CERTS: certPath,
      });
      await waitFor(
        () => otlp.points().find((p) => p.name === 'velos_process_restart_total' && p.value === 1),
        {
          message: 'metrics over HTTPS',
          timeoutMs: 30_000,
        },
      );
      await waitFor(() => runSpans(otlp.spans(), 'otapp')[0], {
        message: 'spans over HTTPS',
        timeoutMs: 30_000,
      });
      expect(readFileSync(join(home, 'daemon.log'), 'utf8')).not.toContain('failed');
    },
  );

  it('OTEL_SDK_DISABLED=true wins over config.toml: nothing is exported', async () => {
    const home = createHome();
    const otlp = await receiver();
    writeFileSync(
      join(home, 'config.toml'),
      `[metrics.otlp]\nendpoint = "${otlp.endpoint}"\ninterval = "1s"\n`,
    );
    await startCrashOnce(home, { OTEL_SDK_DISABLED: 'true' });
    const daemonLog = join(home, 'daemon.log');
    await waitFor(
      () => readFileSync(daemonLog, 'utf8').includes('otlp: export off (OTEL_SDK_DISABLED=true)'),
      {
        message: 'the export-off line',
      },
    );
    expect(readFileSync(daemonLog, 'utf8')).not.toContain('otlp: exporting');
    expect(otlp.requests).toEqual([]);
  });

  it('starts, moves and stops the export when config.toml changes and SIGHUP reloads it', async () => {
    const home = createHome();
    const [first, second] = [await receiver(), await receiver()];
    await startCrashOnce(home);
    const daemonPid = readPidFile(home) as number;
    const daemonLog = join(home, 'daemon.log');
    expect(readFileSync(daemonLog, 'utf8')).not.toContain('otlp:');
    const reloadWith = (text: string) => {
      writeFileSync(join(home, 'config.toml'), text);
      process.kill(daemonPid, 'SIGHUP');
    };

    reloadWith(`[metrics.otlp]\nendpoint = "${first.endpoint}"\ninterval = "1s"\nevents = false\n`);
    await waitFor(() => first.points().find((p) => p.name === 'velos_process_memory_bytes'), {
      message: 'metrics at the first endpoint',
    });
    expect(first.requests.filter((r) => r.path === '/v1/traces')).toEqual([]);

    reloadWith(`[metrics.otlp]\nendpoint = "${second.endpoint}"\ninterval = "1s"\n`);
    await waitFor(() => second.points().find((p) => p.name === 'velos_process_memory_bytes'), {
      message: 'metrics at the second endpoint',
    });
    // the run going on when the export started is opened from the snapshot, and ends with the stop
    await velosOk(['stop', 'otapp'], { home });
    const resumed = await waitFor(() => runSpans(second.spans(), 'otapp')[0], {
      message: 'the resumed run span',
    });
    expect(resumed.attributes).toMatchObject({ 'velos.run.resumed': true, 'velos.process.restarts': 1 });

    reloadWith('[defaults]\nkill_timeout = "3s"\n');
    await waitFor(() => readFileSync(daemonLog, 'utf8').includes('otlp: export stopped'), {
      message: 'the export-stopped line',
    });
    expect(readFileSync(daemonLog, 'utf8').match(/otlp: exporting metrics to/g)).toHaveLength(2);
  });
});
