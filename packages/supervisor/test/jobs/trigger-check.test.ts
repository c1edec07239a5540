import { APP_DEFAULTS, type AppSpec, type Dependency, ErrorCodes } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { checkTriggerable } from '../../src/jobs/trigger-check.js';
import type { ProcessRecord } from '../../src/process-record.js';

/** A job's process record, as far as the check reads it. */
function job(name: string): ProcessRecord {
  const spec: AppSpec = { ...APP_DEFAULTS, name, script: 'j.sh', cwd: '/srv', env: {}, type: 'job' };
  return { app: { spec } } as unknown as ProcessRecord;
}

const db: Dependency = { name: 'db', condition: 'healthy' };

describe('checkTriggerable (SUP-8, SUP-12)', () => {
  it('lets jobs that wait for nothing through', () => {
    expect(() => checkTriggerable([job('a'), job('b')], () => null)).not.toThrow();
  });

  it('names each waiting job and what it waits for; in a selection of several, nothing is triggered', () => {
    const [a, b, c] = [job('a'), job('b'), job('c')];
    const unmet = new Map<ProcessRecord, Dependency[]>([
      [a, [db, { name: 'cache', condition: 'started' }]],
      [c, []],
    ]);
    const refuse = (records: ProcessRecord[]) => () => checkTriggerable(records, (r) => unmet.get(r) ?? null);
    expect(refuse([a])).toThrow('a waits for db (healthy), cache (started); not triggered');
    expect(refuse([a, b, c])).toThrow(
      'a waits for db (healthy), cache (started); c is starting (its dependencies were just met); nothing triggered',
    );
    expect(refuse([a])).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });

  it('hints at --force where every refused job only has a dependency down since (a waiting one cannot be forced)', () => {
    const [a, b] = [job('a'), job('b')];
    const down = (r: ProcessRecord) => (r === a ? "dependency 'db' is stopped" : null);
    let refused: unknown;
    try {
      checkTriggerable([a], () => null, down);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      message: "a: dependency 'db' is stopped; not triggered (--force runs it anyway)",
      data: { waiting: ['a'], options: [{ option: 'force', text: '--force' }] },
    });
    // b still waits for its first start: no hint, for either
    const waits = (r: ProcessRecord) => (r === b ? [db] : null);
    expect(() => checkTriggerable([a, b], waits, down)).toThrow(
      "a: dependency 'db' is stopped; b waits for db (healthy); not triggered",
    );
  });
});
