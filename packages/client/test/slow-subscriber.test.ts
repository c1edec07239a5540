import { ErrorCodes, isVelosError, type RequestMessage } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, STREAM_MAX_QUEUED_ITEMS, type VelosClient } from '../src/index.js';
import { type FrameServer, type Reply, startFrameServer, waitFor } from './frame-server.js';

let server: FrameServer | null = null;
let client: VelosClient | null = null;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = null;
  server = null;
});

/** A server whose `logs` streams are fed by the test, through the reply of the request that opened them. */
async function streamingServer(): Promise<Map<string, { request: RequestMessage; reply: Reply }>> {
  const streams = new Map<string, { request: RequestMessage; reply: Reply }>();
  server = await startFrameServer((request, reply) => {
    if (request.cmd === 'logs.follow') {
      streams.set((request.payload as { target: string }).target, { request, reply });
    } else if (request.cmd === 'list') {
      reply({ id: request.id, status: 'ok', payload: [] });
    }
  });
  return streams;
}

/** `promise`'s value, or 'stalled' when it has not settled within the deadline (the timer is cleared either way). */
async function orStalled<T>(promise: Promise<T>, deadlineMs = 3000): Promise<T | 'stalled'> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), deadlineMs);
  });
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a slow subscriber on a shared connection', () => {
  it('stalls neither the other subscriptions nor requests, and ends itself once too far behind', async () => {
    const streams = await streamingServer();
    client = createClient({ home: server!.home });
    const slow = client.stream('logs.follow', { target: 'slow', lines: 0, follow: true } as never);
    const fast = client.stream('logs.follow', { target: 'fast', lines: 0, follow: true } as never);
    await waitFor(() => streams.has('slow') && streams.has('fast'));
    const toSlow = streams.get('slow')!;
    // far more batches than anyone reads: the slow consumer never iterates until the end
    for (let i = 0; i < STREAM_MAX_QUEUED_ITEMS + 20; i += 1) {
      toSlow.reply({ id: toSlow.request.id, status: 'stream', payload: { batch: i } });
    }
    const toFast = streams.get('fast')!;
    toFast.reply({ id: toFast.request.id, status: 'stream', payload: { batch: 'live' } });
    const iterator = fast[Symbol.asyncIterator]();
    const first = await orStalled(iterator.next());
    expect(first).toEqual({ done: false, value: { batch: 'live' } });
    const answer = await orStalled(client.request('list', {} as never).then(() => 'answered'));
    expect(answer).toBe('answered');
    // the slow one gets what it had queued, then a clear error; the daemon is told to stop it
    let received = 0;
    let failure: unknown = null;
    try {
      for await (const _ of slow) received += 1;
    } catch (error) {
      failure = error;
    }
    expect(isVelosError(failure) && failure.code).toBe(ErrorCodes.SLOW_CONSUMER);
    expect(received).toBeLessThanOrEqual(STREAM_MAX_QUEUED_ITEMS + 8);
    await waitFor(() =>
      server!.received.some(
        (m) => m.cmd === 'cancel' && (m.payload as { id: number }).id === toSlow.request.id,
      ),
    );
    fast.cancel();
  });
});
