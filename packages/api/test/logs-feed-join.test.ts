import type { LogLine, LogsResult, Subscription, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import type { FeedClient } from '../src/ws/feed.js';
import { LogsFeed } from '../src/ws/logs-feed.js';

function line(n: number): LogLine {
  return { ts: 1000 + n, stream: 'out', id: 0, name: 'tick', pid: 1, line: `line ${n}` };
}

/** A follow the test feeds batch by batch, and a ring that may hold lines the follow has not sent yet. */
function fakeControl(ring: () => LogLine[]) {
  let push: ((lines: LogLine[]) => void) | null = null;
  const queue: LogLine[][] = [];
  const follow: Subscription<LogLine[]> = {
    cancel: () => undefined,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift() ?? (await new Promise<LogLine[]>((resolve) => (push = resolve)));
        push = null;
        yield next;
      }
    },
  };
  const control = {
    followLogs: () => follow,
    logsResult: async ({ lines }: { lines: number }): Promise<LogsResult> => ({
      lines: ring().slice(-lines),
    }),
  } as unknown as VelosControl;
  const send = (lines: LogLine[]) => {
    const waiting = push;
    push = null;
    if (waiting) waiting(lines);
    else queue.push(lines);
  };
  return { control, send };
}

function client(): FeedClient & { numbers: () => number[] } {
  const got: number[] = [];
  return {
    send: (frame) => {
      const message = JSON.parse(frame.toString()) as { lines?: LogLine[] };
      for (const l of message.lines ?? []) got.push(Number(l.line.split(' ')[1]));
    },
    sendError: () => undefined,
    closeSlow: () => undefined,
    forget: () => undefined,
    inTurn: (read) => void read(),
    numbers: () => got,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('LogsFeed: a client joining a live follow', () => {
  it('gets its backlog, then the live lines after it, when the follow lags behind the ring', async () => {
    // the ring holds 1-20; the shared follow has sent 1-10 so far, 11-20 are in flight
    const ring = Array.from({ length: 20 }, (_, i) => line(i + 1));
    const { control, send } = fakeControl(() => ring);
    const feed = new LogsFeed(control, 'tick', { retryMaxDelayMs: 1000, maxBufferedBytes: 1 << 20 });
    const first = client();
    feed.addWithBacklog(first, 0);
    send(ring.slice(0, 10));
    await tick();
    const joiner = client();
    feed.addWithBacklog(joiner, 6);
    await tick();
    // the follow catches up after the backlog was answered: 11-20, then new lines
    send(ring.slice(10, 16));
    send(ring.slice(16, 20));
    send([line(21), line(22)]);
    await tick();
    expect(joiner.numbers()).toEqual([15, 16, 17, 18, 19, 20, 21, 22]);
    expect(first.numbers()).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    feed.close();
  });
});
