import { worstStatus } from '@velos/core';
import { describe, expect, it } from 'vitest';
import {
  checkDisk,
  checkIpc,
  checkLogs,
  checkLoopLag,
  checkMonitor,
  checkScheduler,
  checkState,
  diskThresholds,
} from '../src/health/health-checks.js';
import { createRecentCount, HEALTH_RECENT_MS } from '../src/health/health-control.js';
import { startLoopLagSampler } from '../src/health/loop-lag.js';
import { waitFor } from './helpers.js';

const GB = 1e9;

describe('self-health components (OBS-4): thresholds', () => {
  it('disk: degraded under min(1 GB, 5 %) free, unhealthy under min(100 MB, 1 %); env overrides', () => {
    const big = 500 * GB;
    expect(diskThresholds(big, {})).toEqual({ degradedBytes: 1e9, unhealthyBytes: 1e8 });
    // a small volume is judged by its share, not by absolute sizes it can never reach
    expect(diskThresholds(1e9, {})).toEqual({ degradedBytes: 5e7, unhealthyBytes: 1e7 });
    expect(checkDisk({ freeBytes: 2 * GB, totalBytes: big }).status).toBe('healthy');
    expect(checkDisk({ freeBytes: 0.5 * GB, totalBytes: big }).status).toBe('degraded');
    const low = checkDisk({ freeBytes: 0.05 * GB, totalBytes: big });
    expect(low).toMatchObject({ name: 'disk', status: 'unhealthy', value: 0.05 * GB });
    expect(low.reason).toMatch(/free of .*, below/);
    const env = { VELOS_HEALTH_DISK_MIN_BYTES: String(10 * GB), VELOS_HEALTH_DISK_CRITICAL_BYTES: 'x' };
    expect(diskThresholds(big, env)).toEqual({ degradedBytes: 10 * GB, unhealthyBytes: 1e8 });
    expect(checkDisk({ freeBytes: 2 * GB, totalBytes: big }, diskThresholds(big, env)).status).toBe(
      'degraded',
    );
    expect(checkDisk({ error: 'ENOENT' }).status).toBe('degraded');
  });

  it('event loop: degraded over 200 ms of lag, unhealthy over 1 s', () => {
    expect(checkLoopLag(200).status).toBe('healthy');
    expect(checkLoopLag(201).status).toBe('degraded');
    expect(checkLoopLag(1001)).toMatchObject({ status: 'unhealthy', value: 1001 });
  });

  it('event loop: a reset (the end of the start-up) forgets the stalls seen so far', async () => {
    const sampler = startLoopLagSampler(20);
    try {
      const stallUntil = Date.now() + 300;
      while (Date.now() < stallUntil) {
        // the restore and the API's loading, as a start on a loaded machine stalls
      }
      await waitFor(() => sampler.maxLagMs() >= 250 || null, { what: 'the stall in the window' });
      sampler.reset();
      expect(sampler.maxLagMs()).toBeLessThan(250);
      expect(sampler.meanLagMs()).toBe(0);
    } finally {
      sampler.stop();
    }
  });

  it('ipc: degraded from 80 % of the connection cap or with unread answers over budget, unhealthy at the cap or after refusals', () => {
    const stats = { connections: 1, maxConnections: 10, refused: 0, unsentBytes: 0, maxUnsentBytes: 100 };
    expect(checkIpc(stats, 0).status).toBe('healthy');
    expect(checkIpc({ ...stats, connections: 8 }, 0).status).toBe('degraded');
    expect(checkIpc({ ...stats, unsentBytes: 101 }, 0).status).toBe('degraded');
    expect(checkIpc({ ...stats, connections: 10 }, 0).status).toBe('unhealthy');
    expect(checkIpc(stats, 2).reason).toMatch(/2 refused/);
  });

  it('logs, monitor, state and scheduler', () => {
    expect(checkLogs(0, 5, 3).status).toBe('healthy');
    expect(checkLogs(4, 9, 3)).toMatchObject({ status: 'degraded', value: 9 });
    expect(checkMonitor(null, 2000).status).toBe('healthy');
    expect(checkMonitor(5000, 2000).status).toBe('healthy');
    expect(checkMonitor(6001, 2000).status).toBe('degraded');
    expect(checkMonitor(20_001, 2000).status).toBe('unhealthy');
    expect(checkState({ lastWriteAt: 1, lastWriteMs: 3, lastError: null }).status).toBe('healthy');
    expect(checkState({ lastWriteAt: 1, lastWriteMs: 1500, lastError: null }).status).toBe('degraded');
    expect(checkState({ lastWriteAt: 1, lastWriteMs: 3, lastError: 'ENOSPC' })).toMatchObject({
      status: 'unhealthy',
      reason: 'last write failed: ENOSPC',
    });
    expect(checkScheduler(2, []).status).toBe('healthy');
    expect(checkScheduler(2, ['nightly'])).toMatchObject({ status: 'degraded', value: 1 });
  });

  it('the worst component is the status; a recent count forgets growth after a minute', () => {
    expect(worstStatus([])).toBe('healthy');
    expect(worstStatus(['healthy', 'degraded', 'healthy'])).toBe('degraded');
    expect(worstStatus(['degraded', 'unhealthy'])).toBe('unhealthy');
    const count = createRecentCount();
    expect(count.update(0, 1000)).toBe(0);
    expect(count.update(3, 2000)).toBe(3);
    expect(count.update(5, 3000)).toBe(5);
    expect(count.update(5, 3000 + HEALTH_RECENT_MS - 1)).toBe(5);
    expect(count.update(5, 3000 + HEALTH_RECENT_MS + 1)).toBe(0);
    // a counter that restarts lower (a deleted pipeline) is not growth
    expect(count.update(1, 3000 + HEALTH_RECENT_MS + 2)).toBe(0);
  });
});
