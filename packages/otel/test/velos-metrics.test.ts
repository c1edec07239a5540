import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MetricsSnapshot } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { VELOS_METRICS } from '../src/velos-metrics.js';
import { quietSnapshot } from './snapshot-fixture.js';

/** The histograms: sent by the snapshot producer (the SDK has no observable histogram), not by VELOS_METRICS. */
const HISTOGRAMS = ['velos_daemon_ipc_latency_seconds', 'velos_job_duration_seconds'];

/** Velos' own names of the Prometheus endpoint: the tables of docs/metrics.md before the apps' own metrics. */
function prometheusNames(): string[] {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url)), 'utf8');
  const own = doc.slice(doc.indexOf('### Per process'), doc.indexOf("### Apps' own metrics"));
  const names = new Set<string>();
  for (const line of own.split('\n')) {
    if (!line.startsWith('| `velos_')) continue;
    const first = line.split('|')[1]!;
    for (const match of first.matchAll(/`(velos_[a-z0-9_]+)`/g)) names.add(match[1]!);
  }
  return [...names].filter((name) => !HISTOGRAMS.includes(name)).sort();
}

function snapshot(): MetricsSnapshot {
  const quiet = quietSnapshot();
  const customMetricsRejected = [{ id: 3, name: 'shop', instance: 1, namespace: 'web', count: 7 }];
  return {
    ...quiet,
    daemon: { ...quiet.daemon, customMetricsRejected },
    host: { ...quiet.host, cpuCount: 8 },
  };
}

const pointsOf = (name: string) => [
  ...VELOS_METRICS.find((metric) => metric.name === name)!.points(snapshot()),
];

describe('VELOS_METRICS', () => {
  it("exports every one of Velos' own Prometheus names (one set of dashboards for both paths)", () => {
    const names = prometheusNames();
    expect(names.length).toBeGreaterThan(30);
    expect(VELOS_METRICS.map((metric) => metric.name).sort()).toEqual(names);
  });

  it('reads the daemon info, the CPUs, the free disk and the refused custom metric reports from the snapshot', () => {
    expect(pointsOf('velos_daemon_info')).toEqual([[1, { version: '1.2.3', pid: '42' }]]);
    expect(pointsOf('velos_host_cpus')).toEqual([[8, {}]]);
    expect(pointsOf('velos_host_disk_free_bytes')).toEqual([[60, { path: '/srv' }]]);
    expect(pointsOf('velos_custom_metrics_rejected_total')).toEqual([
      [7, { name: 'shop', id: '3', instance: '1', namespace: 'web' }],
    ]);
    expect(VELOS_METRICS.find((metric) => metric.name === 'velos_custom_metrics_rejected_total')!.kind).toBe(
      'counter',
    );
  });

  it('sends every status and alert phase, 0 included, as /metrics does (a left-out point keeps its last value in a backend)', () => {
    const counts = snapshot();
    counts.daemon.processes = { online: 2 };
    counts.daemon.alerts = { firing: 1 };
    const points = (name: string) => [
      ...VELOS_METRICS.find((metric) => metric.name === name)!.points(counts),
    ];
    expect(points('velos_daemon_processes')).toEqual([
      [0, { status: 'stopped' }],
      [2, { status: 'online' }],
      [0, { status: 'errored' }],
      [0, { status: 'starting' }],
      [0, { status: 'stopping' }],
      [0, { status: 'waiting-restart' }],
      [0, { status: 'scheduled' }],
    ]);
    expect(points('velos_alerts')).toEqual([
      [0, { phase: 'ok' }],
      [0, { phase: 'pending' }],
      [1, { phase: 'firing' }],
      [0, { phase: 'resolved' }],
    ]);
  });
});
