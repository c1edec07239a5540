import type { DaemonHealth, ProcessInfo, ReportedComponent, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

const AT = 1_800_000_000_000;

function component(name: string, overrides: Partial<ReportedComponent> = {}): ReportedComponent {
  return {
    name,
    status: 'healthy',
    intervalMs: 60_000,
    lastReportAt: AT - 90_000,
    isStale: false,
    since: AT - 3_600_000,
    reports: 3,
    ...overrides,
  };
}

/** Calls health_check on a server whose control answers `health` and `processes` (none by default). */
async function healthCheck(
  health: DaemonHealth,
  processes: ProcessInfo[] = [],
): Promise<Record<string, unknown>> {
  const control = {
    health: async () => health,
    list: async () => processes,
    metricsHistory: async () => [],
  } as unknown as VelosControl;
  const result = await callTool(control, 'health_check', {});
  return JSON.parse(result.content[0]!.text);
}

describe('health_check and reported components', () => {
  it('names the stale and the unhealthy ones apart from the score, and not the healthy ones', async () => {
    const answer = await healthCheck({
      status: 'healthy',
      components: [{ name: 'ipc', status: 'healthy' }],
      at: AT,
      reported: [
        component('backup', { isStale: true }),
        component('queue', { status: 'unhealthy', message: 'lag 9m', lastReportAt: AT - 5000, app: 'api' }),
        component('cache'),
      ],
    });
    expect(answer).toMatchObject({ score: 100, s: 'healthy', daemon: 'healthy' });
    // the keys of velos components --ai and of velos health --ai's rep: app and interval too
    expect(answer.rep).toEqual([
      { n: 'backup', s: 'healthy', stale: true, iv: '1m', ago: '2m' },
      { n: 'queue', s: 'unhealthy', a: 'api', m: 'lag 9m', iv: '1m', ago: '5s' },
    ]);
  });

  it('says nothing of components when all report healthy in time', async () => {
    const answer = await healthCheck({
      status: 'healthy',
      components: [],
      at: AT,
      reported: [component('cache')],
    });
    expect(answer).not.toHaveProperty('rep');
  });

  it('names an app ok only when none of its processes is bad (a cluster with one errored instance is not)', async () => {
    const proc = (id: number, name: string, status: ProcessInfo['status']): ProcessInfo =>
      fakeProcess({
        id,
        name,
        instance: id,
        status,
        pid: status === 'online' ? 100 + id : null,
        execMode: 'cluster',
      });
    const answer = await healthCheck({ status: 'healthy', components: [], at: AT }, [
      proc(0, 'api', 'online'),
      proc(1, 'api', 'errored'),
      proc(2, 'worker', 'online'),
    ]);
    expect((answer.bad as { n: string; i: number }[]).map((p) => [p.n, p.i])).toEqual([['api', 1]]);
    expect(answer.ok).toEqual(['worker']);
  });

  it('gives the namespace of a bad process outside default (ns), as process_list does', async () => {
    const answer = await healthCheck({ status: 'healthy', components: [], at: AT }, [
      fakeProcess({ id: 0, name: 'api', status: 'errored', pid: null }),
      fakeProcess({ id: 1, name: 'billing', namespace: 'shop', status: 'errored', pid: null }),
    ]);
    expect(answer.bad).toEqual([
      { n: 'api', i: 0, score: 0, issues: expect.any(Array) },
      { n: 'billing', i: 1, ns: 'shop', score: 0, issues: expect.any(Array) },
    ]);
  });
});
