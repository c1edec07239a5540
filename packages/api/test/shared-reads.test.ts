import type { ProcessInfo, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { sharedReads } from '../src/control/shared-reads.js';

/** A control whose `list` and `stop` answer when the test says, counting the calls. */
function gatedControl() {
  const calls = { list: 0, stop: 0, describe: 0 };
  const pending: { list: (() => void)[]; stop: (() => void)[] } = { list: [], stop: [] };
  const later = <T>(queue: (() => void)[], value: T) =>
    new Promise<T>((resolve) => {
      queue.push(() => resolve(value));
    });
  const control = {
    list: () => {
      calls.list += 1;
      return later<ProcessInfo[]>(pending.list, []);
    },
    stop: () => {
      calls.stop += 1;
      return later<ProcessInfo[]>(pending.stop, []);
    },
    describe: () => {
      calls.describe += 1;
      return Promise.resolve([]);
    },
  } as unknown as VelosControl;
  const answer = (queue: (() => void)[]) => {
    for (const resolve of queue.splice(0)) resolve();
  };
  const release = () => {
    answer(pending.stop);
    answer(pending.list);
  };
  return { control, calls, release, answerStops: () => answer(pending.stop) };
}

describe('sharedReads', () => {
  it('lets concurrent lists share the call in flight', async () => {
    const { control, calls, release } = gatedControl();
    const shared = sharedReads(control);
    const answers = Array.from({ length: 10 }, () => shared.list());
    expect(calls.list).toBe(1);
    release();
    const lists = await Promise.all(answers);
    expect(new Set(lists).size).toBe(1);
    // the next list, once the first has answered, is a call of its own
    const next = shared.list();
    expect(calls.list).toBe(2);
    release();
    await next;
  });

  it('never answers a list sent before a write that completed since', async () => {
    const { control, calls, release, answerStops } = gatedControl();
    const shared = sharedReads(control);
    const early = shared.list();
    const stopping = shared.stop('web');
    const during = shared.list(); // the write has not completed: it may share the list in flight
    expect(calls.list).toBe(1);
    answerStops();
    await stopping;
    const after = shared.list(); // the write completed while the first list was in flight
    expect(calls.list).toBe(2);
    release();
    await Promise.all([early, during, after]);
  });

  it('passes reads with arguments through', async () => {
    const { control, calls } = gatedControl();
    const shared = sharedReads(control);
    await Promise.all([shared.describe('a'), shared.describe('a')]);
    expect(calls.describe).toBe(2);
  });
});
