import { findMemoryGrowth, type MetricsHistory } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { findGrowthsWithoutLimit } from '../src/output/memory-growth.js';
import { renderProcessDetails, toAiDetail } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

const plain = createColors(false);
const MB = 1_000_000;
const END = 1_700_000_000_000;

/**
 * A metrics history as the daemon answers `metricsHistory` with `MEMORY_GROWTH_HISTORY` (10-second
 * points over 11 minutes): RSS from 30 MB up `mbPerMin`, with a garbage collection's dip every minute.
 */
function history(id: number, mbPerMin: number, gapAt?: number): MetricsHistory {
  const t = Array.from({ length: 66 }, (_, i) => END - (65 - i) * 10_000);
  const memory = t.map((at, i) => {
    if (i === gapAt) return null;
    const minutes = (at - t[0]!) / 60_000;
    return Math.round(30 * MB + minutes * mbPerMin * MB - (i % 6 === 5 ? 2 * MB : 0));
  });
  const nulls = t.map(() => 0);
  return {
    id,
    name: 'api',
    namespace: 'default',
    instance: 0,
    t,
    cpu: nulls,
    memory,
    restarts: nulls,
    logRate: nulls,
  };
}

describe('velos describe: memory that grows without max_memory (OBS-7)', () => {
  it('flags a process whose RSS grows steadily, as MCP health_check does, in text and --ai', () => {
    const leaking = history(0, 3);
    const growths = findGrowthsWithoutLimit([processDetail()], [leaking]);
    const growth = growths.get(0)!;
    expect(growth).toEqual(findMemoryGrowth(leaking.t, leaking.memory));
    expect(growth.mbPerMin).toBeCloseTo(3, 0);
    expect(growth.minutes).toBe(10);

    const text = renderProcessDetails([processDetail()], plain, END, growths);
    expect(text).toMatch(
      /^ {2}memory growth +growing ~3(\.\d)? MB\/min for 10 min \(\d+(\.\d)?M → \d+(\.\d)?M\), no max_memory$/m,
    );
    // right under the memory line
    const lines = text.split('\n');
    expect(lines[lines.findIndex((line) => /^ {2}memory +/.test(line)) + 1]).toMatch(/^ {2}memory growth /);
    expect(toAiDetail(processDetail(), growth).mg).toEqual({
      mbpm: growth.mbPerMin,
      min: 10,
      from: expect.stringMatching(/^\d+(\.\d)?M$/),
      to: expect.stringMatching(/^\d+(\.\d)?M$/),
    });
  });

  it('leaves out a process with max_memory, a stopped one, flat memory and a history with a gap', () => {
    const bounded = processDetail();
    bounded.spec.maxMemoryBytes = 200 * MB;
    const stopped = processDetail({ status: 'stopped', pid: null });
    expect(findGrowthsWithoutLimit([bounded], [history(0, 3)]).size).toBe(0);
    expect(findGrowthsWithoutLimit([stopped], [history(0, 3)]).size).toBe(0);
    expect(findGrowthsWithoutLimit([processDetail()], [history(0, 0)]).size).toBe(0);
    expect(findGrowthsWithoutLimit([processDetail()], [history(0, 3, 30)]).size).toBe(0);
    // another process's history does not flag this one
    expect(findGrowthsWithoutLimit([processDetail()], [history(1, 3)]).size).toBe(0);
    expect(renderProcessDetails([processDetail()], plain, END)).not.toMatch(/memory growth/);
  });
});
