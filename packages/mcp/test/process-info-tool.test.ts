import { APP_DEFAULTS, type MetricsHistory, type ProcessDetail, type VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

const MB = 1_000_000;
const END = 1_800_000_000_000;

/** `api` (id 0) online, as `describe` answers it; `maxMemoryBytes` when given. */
function detail(maxMemoryBytes?: number): ProcessDetail {
  return {
    ...fakeProcess({ memory: 80 * MB, cpu: 1 }),
    spec: {
      ...APP_DEFAULTS,
      name: 'api',
      script: '/srv/api/server.js',
      cwd: '/srv/api',
      envKeys: [],
      ...(maxMemoryBytes === undefined ? {} : { maxMemoryBytes }),
    },
    command: { file: '/usr/bin/node', args: ['/srv/api/server.js'], shell: false },
    outLogPath: '/srv/logs/api-out.log',
    errLogPath: '/srv/logs/api-err.log',
    lastStartedAt: 0,
    cpuPeak: 2,
    memoryPeak: 80 * MB,
    logLines: { out: 1, err: 0 },
    logDropped: 0,
  } as ProcessDetail;
}

/** 11 minutes of 10-second points, RSS from 30 MB up 3 MB a minute. */
function growing(): MetricsHistory {
  const t = Array.from({ length: 66 }, (_, i) => END - (65 - i) * 10_000);
  const zeros = t.map(() => 0);
  const memory = t.map((at) => Math.round(30 * MB + ((at - t[0]!) / 60_000) * 3 * MB));
  return {
    id: 0,
    name: 'api',
    namespace: 'default',
    instance: 0,
    t,
    cpu: zeros,
    memory,
    restarts: zeros,
    logRate: zeros,
  };
}

async function processInfo(d: ProcessDetail): Promise<Record<string, unknown>> {
  const control = {
    describe: async () => [d],
    metricsHistory: async () => [growing()],
  } as unknown as VelosControl;
  const answer = await callTool(control, 'process_info', { target: 'api' });
  expect(answer.isError).toBeFalsy();
  return JSON.parse(answer.content[0]!.text)[0];
}

describe('process_info', () => {
  it('names memory that grows steadily without max_memory (mg), as velos describe --ai does', async () => {
    const info = await processInfo(detail());
    expect(info.mg).toMatchObject({ mbpm: 3, min: 10, from: expect.any(String), to: expect.any(String) });
  });

  it('leaves mg out for an app with max_memory (restarted at its limit)', async () => {
    expect(await processInfo(detail(200 * MB))).not.toHaveProperty('mg');
  });
});
