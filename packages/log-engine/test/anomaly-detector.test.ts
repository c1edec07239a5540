import { describe, expect, it } from 'vitest';
import { judgeMinute } from '../src/anomaly-detector.js';

function counters(volume: number[], errors: number[], minHistory = 5) {
  const v = new Uint32Array(60);
  const e = new Uint32Array(60);
  volume.forEach((x, i) => {
    v[i] = x;
  });
  errors.forEach((x, i) => {
    e[i] = x;
  });
  return { volume: v, errors: e, firstMinute: 0, minHistory };
}

describe('judgeMinute', () => {
  it('floors σ at √mean for volume, so a flat history tolerates noise', () => {
    // Flat 100 lines a minute: σ = 0, floor √100 = 10; 115 is 1.5σ, 125 is 2.5σ, 131 is 3.1σ.
    const flat = [100, 100, 100, 100, 100, 100];
    expect(judgeMinute(counters([...flat, 115], []), 6)).toEqual([]);
    expect(judgeMinute(counters([...flat, 125], []), 6)[0]).toMatchObject({
      severity: 'warning',
      zScore: 2.5,
    });
    expect(judgeMinute(counters([...flat, 131], []), 6)[0]).toMatchObject({ severity: 'critical' });
  });

  it('needs 10 lines for a volume anomaly and 3 errors for an error-rate anomaly', () => {
    expect(judgeMinute(counters([1, 1, 1, 1, 1, 1, 9], []), 6)).toEqual([]);
    expect(judgeMinute(counters([5, 5, 5, 5, 5, 5, 4], [0, 0, 0, 0, 0, 0, 2]), 6)).toEqual([]);
    const burst = judgeMinute(counters([5, 5, 5, 5, 5, 5, 5], [0, 0, 0, 0, 0, 0, 3]), 6);
    expect(burst).toEqual([
      {
        minute: 360_000,
        metric: 'errorRate',
        value: 0.6,
        mean: 0,
        stddev: 0,
        zScore: expect.closeTo(12, 9),
        severity: 'critical',
      },
    ]);
  });

  it('judges nothing before the minimum history', () => {
    expect(judgeMinute(counters([10, 10, 500], [0, 0, 400]), 2)).toEqual([]);
  });
});
