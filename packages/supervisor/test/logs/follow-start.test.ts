import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { followLogs } from '../../src/log-queries.js';
import type { ProcessRecord } from '../../src/process-record.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('the start of a follow', () => {
  it('gives a line once when it came just before the tail was taken (its live delivery still pending)', async () => {
    const dir = await harness.dir();
    const pipeline = harness.pipeline({
      id: 0,
      name: 'app',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    pipeline.note('out', 'first');
    await new Promise((resolve) => setImmediate(resolve));
    // the writer's check before a tail takes its time on disk; here the tail is taken at once, in the same
    // turn of the event loop as a line read just before it, as when that check ends in the turn of a read
    pipeline.tailReady = () => Promise.resolve();
    const record = { id: 0, app: { spec: { name: 'app' }, ids: [0] }, pipeline } as unknown as ProcessRecord;
    const follow = followLogs([record], 2, 'out');
    pipeline.note('out', 'second');
    const seen: LogLine[] = [];
    const reading = (async () => {
      for await (const batch of follow) seen.push(...batch);
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    pipeline.note('out', 'third');
    await new Promise((resolve) => setTimeout(resolve, 100));
    follow.cancel();
    await reading;
    expect(seen.map((line) => line.line)).toEqual(['first', 'second', 'third']);
  });
});
