import type { DaemonHealth } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { toAiHealth } from '../src/output/daemon-health.js';

const health = (diskStatus: 'healthy' | 'degraded'): DaemonHealth => ({
  status: diskStatus,
  at: 0,
  components: [
    { name: 'ipc', status: 'healthy' },
    { name: 'disk', status: diskStatus, ...(diskStatus === 'healthy' ? {} : { reason: '1G free' }) },
  ],
});

describe('velos health --ai', () => {
  it('names the components that are not healthy, and leaves bad out when there are none', () => {
    expect(toAiHealth(health('healthy'))).toEqual({ s: 'healthy', ok: ['ipc', 'disk'] });
    expect(toAiHealth(health('degraded'))).toEqual({
      s: 'degraded',
      bad: [{ n: 'disk', s: 'degraded', r: '1G free' }],
      ok: ['ipc'],
    });
  });
});
