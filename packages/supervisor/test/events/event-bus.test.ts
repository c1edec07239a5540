import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventInput, FOLLOW_SKIPPED_KIND, type VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEventBus,
  DEFAULT_EVENTS_LIMIT,
  EVENTS_ANSWER_MAX_BYTES,
  type EventBus,
} from '../../src/events/event-bus.js';

const dirs: string[] = [];
const buses: EventBus[] = [];

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-event-bus-'));
  dirs.push(dir);
  return join(dir, 'events.jsonl');
}

function openBus(path: string, options: { ringSize?: number; maxFileBytes?: number } = {}): EventBus {
  const bus = createEventBus({ path, ...options });
  buses.push(bus);
  return bus;
}

function input(kind: string, at: number, extra: Partial<EventInput> = {}): EventInput {
  return { kind, at, severity: 'info', message: `${kind} at ${at}`, ...extra };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const seqs = (events: VelosEvent[]) => events.map((event) => event.seq);

afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('event bus', () => {
  it('numbers events from 1, stamps them, tells subscribers and writes them to the file in one batch per tick', async () => {
    const path = tempPath();
    const bus = openBus(path);
    const seen: VelosEvent[] = [];
    bus.published.subscribe((event) => seen.push(event));
    const before = Date.now();
    const first = bus.publish({ kind: 'daemon.started', severity: 'info', message: 'up' });
    bus.publish(input('process.online', 5, { app: 'api', id: 0 }));
    expect(first.seq).toBe(1);
    expect(first.at).toBeGreaterThanOrEqual(before);
    expect(seqs(seen)).toEqual([1, 2]);
    expect(existsSync(path) ? readFileSync(path, 'utf8') : '').toBe('');
    await tick();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).seq)).toEqual([1, 2]);
  });

  it('answers oldest first with the newest `limit` events and hasMore', async () => {
    const bus = openBus(tempPath());
    for (let i = 1; i <= 150; i += 1) bus.publish(input('process.online', i));
    const all = await bus.query({});
    expect(all.events).toHaveLength(DEFAULT_EVENTS_LIMIT);
    expect(all.events[0]!.seq).toBe(51);
    expect(all.events.at(-1)!.seq).toBe(150);
    expect(all.hasMore).toBe(true);
    const five = await bus.query({ limit: 5 });
    expect(seqs(five.events)).toEqual([146, 147, 148, 149, 150]);
    expect((await bus.query({ limit: 150 })).hasMore).toBe(false);
    expect((await bus.query({ limit: 1000 })).events).toHaveLength(150);
  });

  it('filters by since, until, afterSeq, kinds and a selector', async () => {
    const bus = openBus(tempPath());
    bus.publish(input('process.started', 100, { app: 'api', id: 0 }));
    bus.publish(input('process.exited', 200, { app: 'api', id: 0 }));
    bus.publish(input('job.finished', 300, { app: 'nightly', id: 1 }));
    bus.publish(input('process.errored', 400, { app: 'worker', id: 2 }));
    bus.publish(input('app.sync.done', 500, { app: 'worker', id: 2 }));
    expect(seqs((await bus.query({ since: 200 })).events)).toEqual([2, 3, 4, 5]);
    expect(seqs((await bus.query({ until: 300 })).events)).toEqual([1, 2, 3]);
    expect(seqs((await bus.query({ since: 200, until: 400 })).events)).toEqual([2, 3, 4]);
    expect(seqs((await bus.query({ afterSeq: 3 })).events)).toEqual([4, 5]);
    expect(seqs((await bus.query({ kinds: ['exited', 'errored'] })).events)).toEqual([2, 4]);
    expect(seqs((await bus.query({ kinds: ['process'] })).events)).toEqual([1, 2, 4]);
    expect(seqs((await bus.query({ kinds: ['app.sync.done'] })).events)).toEqual([5]);
    expect(seqs((await bus.query({ kinds: ['sync.done', 'job'] })).events)).toEqual([3, 5]);
    expect(seqs((await bus.query({}, (event) => event.app === 'worker')).events)).toEqual([4, 5]);
    expect(
      seqs((await bus.query({ kinds: ['process'], limit: 1 }, (event) => event.app === 'api')).events),
    ).toEqual([2]);
    expect(await bus.query({ kinds: ['nothing'] })).toEqual({ events: [], hasMore: false });
  });

  it('reads the file for events older than the ring, without duplicates', async () => {
    const bus = openBus(tempPath(), { ringSize: 5 });
    for (let i = 1; i <= 30; i += 1)
      bus.publish(input(i % 3 === 0 ? 'process.exited' : 'process.online', i * 10));
    // pending events are written before the file is read
    expect(seqs((await bus.query({ limit: 12 })).events)).toEqual([
      19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
    const exits = await bus.query({ kinds: ['exited'] });
    expect(seqs(exits.events)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    expect(exits.hasMore).toBe(false);
    const window = await bus.query({ since: 80, until: 120 });
    expect(seqs(window.events)).toEqual([8, 9, 10, 11, 12]);
    expect(seqs((await bus.query({ afterSeq: 22, limit: 3 })).events)).toEqual([28, 29, 30]);
    expect((await bus.query({ afterSeq: 22, limit: 3 })).hasMore).toBe(true);
  });

  it('pages back with beforeSeq, from the ring into the file, none skipped and none twice', async () => {
    const bus = openBus(tempPath(), { ringSize: 5 });
    for (let i = 1; i <= 30; i += 1) bus.publish(input('process.online', i * 10));
    const pages: number[][] = [];
    let page = await bus.query({ afterSeq: 10, limit: 7 });
    pages.push(seqs(page.events));
    while (page.hasMore && pages.length < 5) {
      page = await bus.query({ afterSeq: 10, beforeSeq: page.events[0]!.seq, limit: 7 });
      pages.push(seqs(page.events));
    }
    expect(pages).toEqual([
      [24, 25, 26, 27, 28, 29, 30],
      [17, 18, 19, 20, 21, 22, 23],
      [11, 12, 13, 14, 15, 16],
    ]);
    expect(seqs((await bus.query({ beforeSeq: 3 })).events)).toEqual([1, 2]);
  });

  it('continues seq after a reopen and answers from the file what the previous bus wrote', async () => {
    const path = tempPath();
    const first = openBus(path);
    for (let i = 1; i <= 7; i += 1) first.publish(input('process.online', i));
    first.close();
    const second = openBus(path);
    expect((await second.query({})).events).toHaveLength(7);
    const next = second.publish(input('daemon.started', 100));
    expect(next.seq).toBe(8);
    expect(seqs((await second.query({ limit: 3 })).events)).toEqual([6, 7, 8]);
    second.close();
    await tick();
    const third = openBus(path);
    expect(third.publish(input('daemon.started', 200)).seq).toBe(9);
  });

  it('continues seq across a rotation of the file', async () => {
    const path = tempPath();
    const bus = openBus(path, { maxFileBytes: 600 });
    for (let i = 1; i <= 20; i += 1) {
      bus.publish(input('process.online', i));
      await tick(); // one write per event
    }
    expect(existsSync(`${path}.1`)).toBe(true);
    bus.close();
    const reopened = openBus(path, { maxFileBytes: 600 });
    expect(reopened.publish(input('daemon.started', 100)).seq).toBe(21);
  });

  it('follow gives the matching backlog, then each new matching event', async () => {
    const bus = openBus(tempPath());
    bus.publish(input('process.online', 1, { app: 'api' }));
    bus.publish(input('process.exited', 2, { app: 'api' }));
    bus.publish(input('process.exited', 3, { app: 'web' }));
    const subscription = bus.follow({ kinds: ['exited'] }, (event) => event.app === 'api');
    const iterator = subscription[Symbol.asyncIterator]();
    expect(seqs((await iterator.next()).value)).toEqual([2]);
    bus.publish(input('process.online', 4, { app: 'api' }));
    bus.publish(input('process.exited', 5, { app: 'web' }));
    bus.publish(input('process.exited', 6, { app: 'api' }));
    expect(seqs((await iterator.next()).value)).toEqual([6]);
    subscription.cancel();
    expect((await iterator.next()).done).toBe(true);
    // a cancelled follower is unsubscribed
    bus.publish(input('process.exited', 7, { app: 'api' }));
  });

  it('follow gives a reader that fell behind every event it missed, from the ring and the file, none twice', async () => {
    // a ring of 100: most of what the slow reader missed is read back from the file
    const bus = openBus(tempPath(), { ringSize: 100 });
    bus.publish(input('process.exited', 1));
    const subscription = bus.follow({ kinds: ['exited'] });
    const iterator = subscription[Symbol.asyncIterator]();
    // the backlog is read: what comes now is live
    expect((await iterator.next()).value.map((event: VelosEvent) => event.at)).toEqual([1]);
    // 1000 matching events of 5 KB (and others) while the reader takes nothing: far past the follow's queue
    const long = 'x'.repeat(5000);
    for (let i = 1; i <= 1000; i += 1) {
      bus.publish(input('process.online', i * 2));
      bus.publish(input('process.exited', i * 2 + 1, { message: long }));
    }
    const got: VelosEvent[] = [];
    let largestBatchBytes = 0;
    while (got.length < 1000) {
      // nothing more within 2 s: events were lost (the loop ends, the list below says which)
      const next = await Promise.race([
        iterator.next(),
        new Promise<IteratorResult<VelosEvent[]>>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), 2000),
        ),
      ]);
      if (next.done) break;
      got.push(...next.value);
      largestBatchBytes = Math.max(largestBatchBytes, JSON.stringify(next.value).length);
    }
    expect(got.map((event) => event.at)).toEqual(Array.from({ length: 1000 }, (_, i) => (i + 1) * 2 + 1));
    // what is read back goes in batches of about 1 MiB (a frame of the protocol holds at most 16 MiB)
    expect(largestBatchBytes).toBeLessThan(1024 * 1024 + 6000);
    const next = iterator.next();
    bus.publish(input('process.exited', 9999));
    expect((await next).value.map((event: VelosEvent) => event.at)).toEqual([9999]);
    subscription.cancel();
  });

  it('follow gives a reader that fell behind by more than one page every event it missed, page by page', async () => {
    const bus = createEventBus({ path: tempPath(), ringSize: 100, followPageBytes: 20_000 });
    buses.push(bus);
    bus.publish(input('process.exited', 1));
    const subscription = bus.follow({ kinds: ['exited'] });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(seqs((await iterator.next()).value)).toEqual([1]);
    // 700 exits while the reader takes nothing: 256 wait in the follow's queue, the rest (about 60 KB) is
    // read back in pages of 20 KB
    for (let i = 2; i <= 1401; i += 1)
      bus.publish(input(i % 2 === 0 ? 'process.exited' : 'process.online', i));
    const got: VelosEvent[] = [];
    while (got.at(-1)?.at !== 1400) got.push(...((await iterator.next()).value as VelosEvent[]));
    expect(got.filter((event) => event.skipped !== undefined)).toEqual([]);
    expect(got.map((event) => event.at)).toEqual(Array.from({ length: 700 }, (_, i) => 2 + i * 2));
    subscription.cancel();
  });

  it('a follow resumed without a limit gets every event it missed, page by page; a marker only for those no longer kept', async () => {
    const path = tempPath();
    const bus = createEventBus({ path, ringSize: 10, followPageBytes: 2000 });
    buses.push(bus);
    for (let i = 1; i <= 200; i += 1) bus.publish(input(i % 2 === 0 ? 'app.sync.done' : 'process.online', i));
    const resume = async (request: { afterSeq: number; kinds?: string[] }, until: number) => {
      const subscription = bus.follow(request);
      const iterator = subscription[Symbol.asyncIterator]();
      const batches: VelosEvent[][] = [];
      while (batches.at(-1)?.at(-1)?.seq !== until)
        batches.push((await iterator.next()).value as VelosEvent[]);
      subscription.cancel();
      return batches;
    };
    const batches = await resume({ afterSeq: 20 }, 200);
    // 180 events of about 100 bytes: pages of 2000 bytes, none skipped, none twice, in order
    expect(batches.length).toBeGreaterThan(5);
    expect(seqs(batches.flat())).toEqual(Array.from({ length: 180 }, (_, i) => 21 + i));
    expect(seqs((await resume({ afterSeq: 20, kinds: ['sync.done'] }, 200)).flat())).toEqual(
      Array.from({ length: 90 }, (_, i) => 22 + i * 2),
    );
    // the files rotated past the events after seq 1: the gap is told once, then every event still kept
    const rotated = openBus(tempPath(), { ringSize: 10, maxFileBytes: 2000 });
    for (let i = 1; i <= 60; i += 1) {
      rotated.publish(input('process.online', i));
      await tick(); // one write per event: the file rotates every few
    }
    const subscription = rotated.follow({ afterSeq: 1 });
    const iterator = subscription[Symbol.asyncIterator]();
    const got: VelosEvent[] = [];
    while (got.at(-1)?.seq !== 60) got.push(...((await iterator.next()).value as VelosEvent[]));
    subscription.cancel();
    expect(got[0]).toMatchObject({ kind: FOLLOW_SKIPPED_KIND, fields: { skipped: 0, at_least: true } });
    expect(got.filter((event) => event.skipped !== undefined)).toHaveLength(1);
    expect(seqs(got.slice(1))).toEqual(
      Array.from({ length: 60 - got[0]!.seq }, (_, i) => got[0]!.seq + 1 + i),
    );
  });

  it('a resumed follow is told of the events it cannot be given: past its limit, or no longer kept', async () => {
    const bus = openBus(tempPath(), { ringSize: 10, maxFileBytes: 2000 });
    for (let i = 1; i <= 60; i += 1) {
      bus.publish(input('process.online', i));
      await tick(); // one write per event: the file rotates every few
    }
    const first = async (request: { afterSeq: number; limit?: number }) => {
      const subscription = bus.follow(request);
      const batch = (await subscription[Symbol.asyncIterator]().next()).value as VelosEvent[];
      subscription.cancel();
      return batch;
    };
    const limited = await first({ afterSeq: 52, limit: 5 });
    expect(limited[0]).toMatchObject({ kind: FOLLOW_SKIPPED_KIND, seq: 55, skipped: 3 });
    expect(seqs(limited.slice(1))).toEqual([56, 57, 58, 59, 60]);
    // events 2 and on left the files: the gap is told, its size is not known
    const gone = await first({ afterSeq: 1, limit: 1000 });
    expect(gone[0]).toMatchObject({
      kind: FOLLOW_SKIPPED_KIND,
      skipped: 0,
      fields: { skipped: 0, at_least: true },
      message: 'events may have been skipped: this follow fell behind by more than events.jsonl keeps',
    });
    expect(gone[0]!.seq).toBe(gone[1]!.seq - 1);
    expect(gone.at(-1)!.seq).toBe(60);
    // none missed: no marker
    expect(seqs(await first({ afterSeq: 57 }))).toEqual([58, 59, 60]);
  });

  it('answers at most 8 MiB of events, the newest, saying older ones were left out (a frame holds 16 MiB)', async () => {
    const bus = openBus(tempPath(), { ringSize: 100 });
    const long = 'x'.repeat(5000);
    for (let i = 1; i <= 3000; i += 1) bus.publish(input('app.big', i, { message: long }));
    for (const answer of [await bus.query({ limit: 10_000 }), bus.querySync({ limit: 10_000 })]) {
      expect(answer.hasMore).toBe(true);
      const bytes = answer.events.reduce((sum, event) => sum + JSON.stringify(event).length, 0);
      expect(bytes).toBeLessThanOrEqual(EVENTS_ANSWER_MAX_BYTES);
      expect(bytes).toBeGreaterThan(EVENTS_ANSWER_MAX_BYTES - 6000);
      // the newest, oldest first, none missing in between
      expect(answer.events.at(-1)!.at).toBe(3000);
      expect(answer.events.map((event) => event.at)).toEqual(
        Array.from({ length: answer.events.length }, (_, i) => 3001 - answer.events.length + i),
      );
    }
  });

  it('follow with afterSeq resumes a feed without repeating events', async () => {
    const bus = openBus(tempPath());
    for (let i = 1; i <= 5; i += 1) bus.publish(input('process.online', i));
    const subscription = bus.follow({ afterSeq: 3 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(seqs((await iterator.next()).value)).toEqual([4, 5]);
    const next = iterator.next();
    bus.publish(input('process.online', 6));
    expect(seqs((await next).value)).toEqual([6]);
    subscription.cancel();
  });

  it('reads a big file without blocking the loop, with the answers of a blocking read', async () => {
    // 8 MB of events older than the ring: a scan over all of it takes a hundred chunks of 64 KiB
    const path = tempPath();
    const lines: string[] = [];
    const exits: number[] = [];
    for (let seq = 1; seq <= 30_000; seq += 1) {
      const kind = seq % 40 === 0 ? 'process.exited' : 'process.online';
      if (kind === 'process.exited') exits.push(seq);
      const event = {
        seq,
        at: seq * 10,
        kind,
        severity: 'info',
        app: seq % 80 === 0 ? 'web' : 'api',
        message: 'x'.repeat(250),
      };
      lines.push(JSON.stringify(event));
    }
    writeFileSync(path, `${lines.join('\n')}\n`);
    const bus = openBus(path, { ringSize: 10 });
    bus.publish(input('process.exited', 400_000, { app: 'api' }));
    const requests = [
      { kinds: ['exited'], limit: 10_000 },
      { kinds: ['exited'], since: 150_000, limit: 10_000 },
      { limit: 50 },
      { until: 1000, limit: 10_000 },
      { afterSeq: 29_990 },
    ];
    for (const request of requests) {
      // a timer of 0 ms is served between two chunks: it counts the turns of the loop during the read
      let turns = 0;
      const timer = setInterval(() => {
        turns += 1;
      }, 0);
      const answer = await bus.query(request, (event) => event.app === 'api');
      clearInterval(timer);
      expect(answer).toEqual(bus.querySync(request, (event) => event.app === 'api'));
      if (request.kinds !== undefined && request.since === undefined) {
        expect(seqs(answer.events)).toEqual([...exits.filter((seq) => seq % 80 !== 0), 30_001]);
        expect(turns).toBeGreaterThanOrEqual(10);
      }
    }
  });

  it('keeps working in memory when the file cannot be written', async () => {
    const errors: unknown[] = [];
    const bus = createEventBus({
      path: join(tempPath(), 'no-dir', 'events.jsonl'),
      onError: (error) => errors.push(error),
    });
    buses.push(bus);
    bus.publish(input('process.online', 1));
    bus.publish(input('process.online', 2));
    expect(seqs((await bus.query({})).events)).toEqual([1, 2]);
    await tick();
    expect(errors.length).toBeGreaterThan(0);
    expect(seqs((await bus.query({})).events)).toEqual([1, 2]);
  });
});
