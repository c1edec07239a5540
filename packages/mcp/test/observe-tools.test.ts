import type { MetricsHistory, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';

/** A history of one process of `namespace`, two points. */
function history(id: number, name: string, namespace: string): MetricsHistory {
  return {
    id,
    name,
    instance: 0,
    namespace,
    t: [1000, 61_000],
    cpu: [1, 2],
    memory: [10 * 1024 * 1024, 12 * 1024 * 1024],
    restarts: [0, 0],
    logRate: [0, 0],
  };
}

describe('metrics_history', () => {
  it('names the namespace of a process outside default (ns), as process_list and metrics_snapshot do', async () => {
    const metricsHistory = async () => [history(0, 'api', 'default'), history(1, 'billing', 'shop')];
    const control = { metricsHistory } as unknown as VelosControl;
    const answer = JSON.parse(
      (await callTool(control, 'metrics_history', { target: 'all' })).content[0]!.text,
    );
    expect(answer[0]).not.toHaveProperty('ns');
    expect(answer[1]).toMatchObject({ i: 1, n: 'billing', ns: 'shop' });
  });
});
