import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emptyResource } from '@opentelemetry/resources';
import type { MetricsSnapshot } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricPipeline } from '../src/metric-pipeline.js';
import { quietSnapshot } from './snapshot-fixture.js';

interface OtlpJsonPoint {
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface OtlpJsonMetric {
  name: string;
  sum?: { dataPoints: OtlpJsonPoint[] };
  gauge?: { dataPoints: OtlpJsonPoint[] };
}
interface OtlpJsonExport {
  resourceMetrics: { scopeMetrics: { metrics: OtlpJsonMetric[] }[] }[];
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A collector stand-in: keeps every OTLP/HTTP JSON metrics export it receives. */
async function startReceiver(): Promise<{ url: string; exports: OtlpJsonExport[] }> {
  const exports: OtlpJsonExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJsonExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, exports };
}

function snapshot(interfaces: string[]): MetricsSnapshot {
  const quiet = quietSnapshot();
  const network = interfaces.map((name) => ({ interface: name, rxBytes: 10, txBytes: 20 }));
  return { ...quiet, at: Date.now(), host: { ...quiet.host, network } };
}

/** The interfaces of the received exports' `velos_host_network_receive_bytes_total`, one list per export. */
function interfacesByExport(exports: OtlpJsonExport[]): string[][] {
  return exports.map((received) =>
    received.resourceMetrics
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .filter((m) => m.name === 'velos_host_network_receive_bytes_total')
      .flatMap((m) => m.sum?.dataPoints ?? [])
      .map((p) => p.attributes?.find((a) => a.key === 'interface')?.value.stringValue ?? '')
      .sort(),
  );
}

async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startMetricPipeline', () => {
  it('stops sending a network interface that is gone (the SDK repeated its last value for ever)', async () => {
    const receiver = await startReceiver();
    let interfaces = ['eth0', 'veth1a2b'];
    const pipeline = startMetricPipeline({
      url: receiver.url,
      headers: {},
      intervalMs: 100,
      timeoutMs: 100,
      resource: emptyResource(),
      scope: { name: 'velos', version: '1.2.3' },
      failures: { failed: () => undefined, succeeded: () => undefined },
      readSnapshot: async () => snapshot(interfaces),
      onSnapshot: () => undefined,
    });
    closers.push(() => pipeline.close());
    await waitFor(
      () => (interfacesByExport(receiver.exports).some((names) => names.length === 2) ? true : undefined),
      'an export with both interfaces',
    );
    interfaces = ['eth0'];
    // without the interface in the snapshot (read at most once per 250 ms), the next provider's
    // exports leave it out; the old provider's last ones, in flight, may still carry it
    const firstWithout = await waitFor(
      () => {
        const index = interfacesByExport(receiver.exports).findIndex((names) => names.length === 1);
        return index === -1 ? undefined : index;
      },
      'an export without veth1a2b',
      3000,
    );
    const later = await waitFor(() => {
      const after = interfacesByExport(receiver.exports.slice(firstWithout + 1));
      return after.length >= 3 ? after : undefined;
    }, 'three more exports');
    for (const names of later) expect(names).toEqual(['eth0']);
  });
});
