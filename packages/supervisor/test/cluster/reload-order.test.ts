import { describe, expect, it } from 'vitest';
import { reloadStepEvent } from '../../src/cluster/reload-order.js';
import type { ProcessRecord } from '../../src/process-record.js';

/** The fields of a record the event reads: a run with `pid`, or none. */
function record(pid: number | null): ProcessRecord {
  return {
    id: 4,
    instance: 1,
    app: { spec: { name: 'web' } },
    run: pid === null ? null : { pid },
  } as unknown as ProcessRecord;
}

describe('reloadStepEvent (SUP-6)', () => {
  it('says replaced with both pids for a cluster worker replaced in place', () => {
    expect(reloadStepEvent(record(200), 100, 'reload', 1, 2).message).toBe(
      'reload 1/2: process 4 (web, instance 1) replaced, pid 100 → 200',
    );
  });

  it('says started, not "restarted, pid - → -", for a process that was not running', () => {
    const event = reloadStepEvent(record(null), null, 'restart', 2, 2);
    expect(event.message).toBe('reload 2/2: process 4 (web, instance 1) started, pid starting');
    expect(event.fields).toMatchObject({ old_pid: null, new_pid: null, how: 'restart' });
    expect(reloadStepEvent(record(300), null, 'restart', 1, 1).message).toMatch(/ started, pid 300$/);
    expect(reloadStepEvent(record(300), 250, 'restart', 1, 1).message).toMatch(/ restarted, pid 250 → 300$/);
  });
});
