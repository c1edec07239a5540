import type { VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

describe('process_scale', () => {
  it('answers an added instance that crashed at once with its exit and err tail, the others as they are', async () => {
    const running = fakeProcess({ id: 0, pid: 100, uptime: 60_000 });
    const added = fakeProcess({ id: 1, instance: 1, pid: 101, uptime: 0 });
    const crashed = fakeProcess({
      id: 1,
      instance: 1,
      pid: null,
      status: 'errored',
      restarts: 15,
      exitCode: 1,
      lastExitReason: 'crash',
    });
    const spec = { name: 'api', minUptimeMs: 1000, dependsOn: [] };
    const control = {
      scale: async () => [running, added],
      describe: async () => [{ id: 0, spec }],
      list: async () => [running, crashed],
      logs: async () => [
        { ts: 0, stream: 'err', id: 1, name: 'api', pid: null, line: 'Error: listen EADDRINUSE' },
      ],
    } as unknown as VelosControl;
    const result = await callTool(control, 'process_scale', { name: 'api', instances: 2 });
    const rows = JSON.parse(result.content[0]!.text);
    expect(rows[0]).toEqual({ i: 0, n: 'api', s: 'on', p: 100, u: '1m', r: 0 });
    expect(rows[1]).toMatchObject({
      i: 1,
      s: 'err',
      exit: { code: 1, why: 'crash' },
      tail: ['Error: listen EADDRINUSE'],
    });
  });
});
