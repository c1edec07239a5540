import { describe, expect, it } from 'vitest';
import { rootTicks, WorkerSlots } from '../../src/cluster/worker-slots.js';
import type { ProcessRecord } from '../../src/process-record.js';

const record = { id: 0 } as ProcessRecord;

describe('a cluster worker run', () => {
  it("carries the worker's start time, so a stop leaves alone a later process that got its pid", () => {
    const slots = new WorkerSlots();
    const known = slots.makeRun(slots.add(1, record, 'spawn', 0), 4242, null, 123_456);
    expect(known).toMatchObject({ pid: 4242, startTicks: 123_456 });
    expect(known.isAdopted).toBeUndefined();
    expect(rootTicks(known)).toEqual({ rootStartTicks: 123_456 });
  });

  it('is marked adopted only when taken over, and gives no start time it does not know', () => {
    const slots = new WorkerSlots();
    const adopted = slots.makeRun(slots.add(2, record, 'spawn', 0), 4343, null, 7, true);
    expect(adopted).toMatchObject({ isAdopted: true, startTicks: 7 });
    const unknown = slots.makeRun(slots.add(3, record, 'spawn', 1), 4444, null, undefined);
    expect(unknown.startTicks).toBeUndefined();
    expect(rootTicks(unknown)).toEqual({});
    expect(rootTicks(null)).toEqual({});
  });
});
