import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';
import { openEventFile } from '../../src/events/event-file.js';

const dirs: string[] = [];
const buses: EventBus[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tick = () => new Promise((resolve) => setImmediate(resolve));
const seqs = (events: VelosEvent[]) => events.map((event) => event.seq);
const online = (at: number) => ({ kind: 'process.online', at, severity: 'info' as const, message: 'up' });

describe('event bus follow when the file fails to read', () => {
  it('gives the backlog read before the error, then the events published meanwhile and the live ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-event-bus-error-'));
    dirs.push(dir);
    const errors: unknown[] = [];
    const bus = createEventBus({
      path: join(dir, 'events.jsonl'),
      ringSize: 2,
      onError: (error) => errors.push(error),
      // the file's events are read, then the read of the rotated file fails (an I/O error)
      openFile: (path, options) => {
        const file = openEventFile(path, options);
        return {
          ...file,
          scanBackwards: async (visit) => {
            await file.scanBackwards(visit);
            throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
          },
        };
      },
    });
    buses.push(bus);
    for (let at = 1; at <= 5; at += 1) bus.publish(online(at));
    await tick();
    const subscription = bus.follow({});
    // published while the backlog is read: after it, once
    bus.publish(online(6));
    const iterator = subscription[Symbol.asyncIterator]();
    expect(seqs((await iterator.next()).value)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs((await iterator.next()).value)).toEqual([6]);
    expect(errors).toEqual([expect.objectContaining({ code: 'EIO' })]);
    const next = iterator.next();
    bus.publish(online(7));
    expect(seqs((await next).value)).toEqual([7]);
    subscription.cancel();
  });
});
