import { describe, expect, it } from 'vitest';
import { createEventCounts } from '../../src/metrics/event-counts.js';
import { createHistogram } from '../../src/metrics/histogram.js';
import { createIpcRequestStats } from '../../src/metrics/ipc-request-stats.js';
import { cpuPercentBetween, parseMemInfo, parseNetDev, parseProcStat } from '../../src/metrics/proc-host.js';

describe('host figures from /proc', () => {
  it('reads busy and total CPU ticks and the busy percent between two samples', () => {
    const first = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n')!;
    expect(first).toEqual({ busy: 150, total: 1000 });
    const second = parseProcStat('cpu  200 0 100 1600 100 0 0 0 0 0\n')!;
    expect(cpuPercentBetween(first, second)).toBeCloseTo(15, 5);
    expect(cpuPercentBetween(second, second)).toBe(0);
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
  });

  it('reads MemTotal and MemAvailable, the latter null on old kernels', () => {
    expect(
      parseMemInfo('MemTotal:       16318480 kB\nMemFree:  1 kB\nMemAvailable:    8000000 kB\n'),
    ).toEqual({
      totalBytes: 16318480 * 1024,
      availableBytes: 8000000 * 1024,
    });
    expect(parseMemInfo('MemTotal: 1000 kB\nMemFree: 10 kB\n')).toEqual({
      totalBytes: 1024000,
      availableBytes: null,
    });
    expect(parseMemInfo('')).toBeNull();
  });

  it('reads bytes per interface, loopback left out', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     100    0    0    0     0          0         0   123456     100    0    0    0     0       0          0
  eth0: 987654321  5000    0    0    0     0          0         0 12345678    4000    0    0    0     0       0          0
`;
    expect(parseNetDev(text)).toEqual([{ interface: 'eth0', rxBytes: 987654321, txBytes: 12345678 }]);
    expect(parseNetDev('')).toEqual([]);
  });
});

describe('daemon counters', () => {
  it('a histogram counts cumulatively with +Inf last', () => {
    const histogram = createHistogram([1, 5]);
    for (const value of [0.5, 1, 3, 10]) histogram.observe(value);
    expect(histogram.toData()).toEqual({
      bounds: [1, 5, Number.POSITIVE_INFINITY],
      counts: [2, 3, 4],
      sum: 14.5,
      count: 4,
    });
  });

  it('IPC requests count by command and outcome; unknown commands are one row; streams have no latency', () => {
    const stats = createIpcRequestStats();
    stats.record('list', 'ok', 0.002);
    stats.record('list', 'ok', 0.003);
    stats.record('describe', 'TARGET_NOT_FOUND', 0.001);
    stats.record('made.up', 'UNKNOWN_COMMAND', 0.0001);
    stats.record('other.made.up', 'UNKNOWN_COMMAND', 0.0001);
    stats.record('logs.follow', 'ok', null);
    expect(stats.requests()).toEqual([
      { cmd: 'list', outcome: 'ok', count: 2 },
      { cmd: 'describe', outcome: 'TARGET_NOT_FOUND', count: 1 },
      { cmd: 'other', outcome: 'UNKNOWN_COMMAND', count: 2 },
      { cmd: 'logs.follow', outcome: 'ok', count: 1 },
    ]);
    expect(stats.latency().count).toBe(5);
  });

  it('event kinds are counted up to a bound', () => {
    const counts = createEventCounts();
    for (let i = 0; i < 600; i += 1) counts.count(`app.k${i}`);
    counts.count('app.k0');
    const byKind = counts.byKind();
    expect(Object.keys(byKind)).toHaveLength(501);
    expect(byKind['app.k0']).toBe(2);
    expect(byKind.other).toBe(100);
  });
});
