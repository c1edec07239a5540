import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWsHarness, TOKENS, type WsHarness, waitFor } from './ws-harness.js';
import { openSilentClient, TestSocket } from './ws-test-client.js';

const MAX_BUFFERED_BYTES = 256 * 1024;
const MAX_CONNECTIONS = 4;
const MAX_PENDING_AUTH = 2;
let harness: WsHarness;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  harness = await startWsHarness({
    ws: {
      maxConnections: MAX_CONNECTIONS,
      maxPendingAuth: MAX_PENDING_AUTH,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      maxMessageBytes: 4096,
    },
  });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});
afterAll(async () => {
  await harness?.close();
});

async function ready(): Promise<TestSocket> {
  const socket = await TestSocket.ready(harness.wsUrl, TOKENS.read);
  sockets.push(socket);
  return socket;
}

describe('connection limits', () => {
  it('refuses the connection past the cap with HTTP 429, and takes one again once a client left', async () => {
    const open = [];
    for (let i = 0; i < MAX_CONNECTIONS; i += 1) open.push(await ready());
    await expect(TestSocket.open(harness.wsUrl, { token: TOKENS.read })).rejects.toThrow(/429/);
    expect(harness.logLines.some((line) => line.includes('refused a connection'))).toBe(true);
    await open[0]!.close();
    await waitFor(async () => {
      const socket = await TestSocket.open(harness.wsUrl, { token: TOKENS.read });
      sockets.push(socket);
      return true;
    }, 'a connection after one left');
  });

  it('closes the oldest connection waiting to authenticate past the cap, so tokenless clients hold few slots', async () => {
    const waiting: TestSocket[] = [];
    for (let i = 0; i <= MAX_PENDING_AUTH; i += 1) {
      const socket = await TestSocket.open(harness.wsUrl);
      sockets.push(socket);
      waiting.push(socket);
    }
    expect(await waiting[0]!.closed).toEqual({
      code: 4429,
      reason: 'too many connections waiting to authenticate',
    });
    // the others wait on, and may still authenticate; a client with a token gets in
    waiting[1]!.send({ type: 'auth', token: TOKENS.read });
    await waiting[1]!.take((m) => m.type === 'ready', 'ready after the auth message');
    expect(waiting[2]!.closeState).toBeNull();
    await ready();
  });

  it('closes with 4413 on a message larger than the limit', async () => {
    const socket = await ready();
    socket.send({ type: 'auth', token: 'x'.repeat(1000) });
    await socket.take((m) => m.type === 'error', 'an error under the limit');
    socket.send({ type: 'subscribe', topic: 'logs', target: 'x'.repeat(5000) });
    expect((await socket.closed).code).toBe(4413);
  });

  it('answers malformed messages with an error naming the field, and closes with 4400 after five in a row', async () => {
    const socket = await ready();
    const cases: [object | string | Buffer, Record<string, unknown>][] = [
      ['{"type":"subscribe","topic":"nope"}', { field: 'topic' }],
      [
        { type: 'subscribe', topic: 'logs', lines: -1 },
        { field: 'lines', topic: 'logs' },
      ],
      [
        { type: 'subscribe', topic: 'events', kinds: 'process' },
        { field: 'kinds', topic: 'events' },
      ],
      [{ type: 'subscribe', topic: 'processes', extra: 1 }, { field: 'extra' }],
    ];
    // the types there are, not "not a value it takes"
    socket.send({ type: 5 });
    expect(await socket.take((m) => m.type === 'error', 'the error for type 5')).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'type',
      message: 'type: expected one of "auth", "subscribe", "unsubscribe", "ping", got 5',
    });
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong after the bad type');
    for (const [message, expected] of cases) {
      socket.send(message);
      const error = await socket.take((m) => m.type === 'error', `the error for ${JSON.stringify(message)}`);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', ...expected });
      expect(error.message).toContain(String(expected.field));
    }
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong (a valid message resets the count)');
    for (const bad of ['not json', '[1,2]', '{"type":"hello"}', Buffer.from([1, 2, 3])]) {
      socket.ws.send(bad, { binary: Buffer.isBuffer(bad) });
    }
    await waitFor(() => socket.messages.filter((m) => m.type === 'error').length === 9, 'four more errors');
    expect(socket.closeState).toBeNull();
    socket.send('{oops');
    expect((await socket.closed).code).toBe(4400);
  });
});

describe('subscription churn', () => {
  it('reads one backlog at a time per connection, and none for a subscription dropped before its turn', async () => {
    await harness.startApp('churn', 'chatty.js', { COUNT: '50', RATE: '0', STAY: '1' });
    await waitFor(
      async () => (await harness.client.logsResult({ target: 'churn', lines: 50 })).lines.length === 50,
      'the lines',
    );
    const before = harness.counts.calls.logsResult;
    harness.counts.peakBacklogReads = 0;
    const socket = await ready();
    const pairs = 200;
    for (let i = 0; i < pairs; i++) {
      socket.send({ type: 'subscribe', topic: 'logs', target: 'churn', lines: 50 });
      socket.send({ type: 'unsubscribe', topic: 'logs', target: 'churn' });
    }
    socket.send({ type: 'subscribe', topic: 'logs', target: 'churn', lines: 50 });
    const backlog = await socket.take(
      (m) => m.type === 'logs' && (m.lines as unknown[]).length === 50,
      "the last subscription's backlog",
    );
    expect(backlog.target).toBe('churn');
    // one read at a time, and far fewer than the subscriptions: those dropped before their turn read nothing
    expect(harness.counts.peakBacklogReads).toBe(1);
    expect(harness.counts.calls.logsResult - before).toBeLessThan(pairs / 4);
    await harness.client.delete('churn');
  });
});

describe('backlogs', () => {
  it('sends a backlog larger than half the unsent-bytes limit cut to its newest lines, and keeps the client', async () => {
    // 400 lines of 1 KB: about 450 KB of JSON, over the 256 KiB a client may leave unsent
    await harness.startApp('tall', 'chatty.js', { COUNT: '400', RATE: '0', PAD: '1000', STAY: '1' });
    await waitFor(
      async () => (await harness.client.logsResult({ target: 'tall', lines: 400 })).lines.length === 400,
      'the 400 lines',
    );
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'logs', target: 'tall', lines: 400 });
    const backlog = await socket.take((m) => m.type === 'logs', 'the backlog');
    const lines = backlog.lines as { line: string }[];
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.at(-1)?.line.startsWith('line 400 ')).toBe(true);
    expect(backlog.cut).toEqual({ omittedLines: 400 - lines.length, maxBytes: MAX_BUFFERED_BYTES / 2 });
    expect(JSON.stringify(backlog).length).toBeLessThanOrEqual(MAX_BUFFERED_BYTES / 2);
    // still open and served: it was no slow consumer
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'the pong');
    expect(socket.closeState).toBeNull();
    await harness.client.delete('tall');
  });
});

describe('slow consumers', () => {
  let silent: Socket | null = null;
  afterEach(() => {
    silent?.destroy();
    silent = null;
  });

  it('closes a client that stops reading with 4508, bounded, and cancels its daemon follow', async () => {
    const total = 200_000;
    await harness.startApp('flood', 'chatty.js', {
      COUNT: String(total),
      RATE: '0',
      PAD: '150',
      STAY: '1',
      DELAY_MS: '1500',
    });
    silent = await openSilentClient(harness.wsUrl, TOKENS.read, [
      { type: 'subscribe', topic: 'logs', target: 'flood' },
    ]);
    await waitFor(() => harness.counts.active.followLogs === 1, 'the shared follow');
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    try {
      const notice = await waitFor(
        () => harness.logLines.find((line) => line.includes('slow consumer')),
        'the slow consumer closed',
        60_000,
      );
      const unsent = Number(/(\d+) bytes unsent/.exec(notice)?.[1]);
      // what the server holds for it: the limit plus the one batch that passed it (a batch is at most 4 MiB)
      expect(unsent).toBeGreaterThan(MAX_BUFFERED_BYTES);
      expect(unsent).toBeLessThan(MAX_BUFFERED_BYTES + 4.5 * 1024 * 1024);
      await waitFor(() => harness.counts.active.followLogs === 0, 'the follow cancelled');
      const captured = await waitFor(
        async () => {
          const [detail] = await harness.client.describe('flood');
          return detail!.logLines.out === total ? detail : null;
        },
        'the whole flood captured',
        60_000,
      );
      expect(captured.logLines.out).toBe(total);
      // the flood was ~32 MB of lines (~50 MB as JSON, well over the 30 MB bound); the server never held it
      expect(rssPeak - rssBefore).toBeLessThan(30 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
  });

  it('lets a client that fell behind and reads again see the 4508 close', async () => {
    // its own app, quiet until the client follows it; then restarted into a flood of ~16 MB (half
    // the bound test's, which must dwarf what the server may hold: here it only has to fill the socket)
    await harness.startApp('lag', 'chatty.js', { COUNT: '1', RATE: '0', STAY: '1' });
    const lagging = await ready();
    lagging.send({ type: 'subscribe', topic: 'logs', target: 'lag' });
    await waitFor(() => harness.counts.active.followLogs === 1, 'the follow');
    const raw = (lagging.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    const isSlowNotice = (line: string) => line.includes('slow consumer');
    const closedBefore = harness.logLines.filter(isSlowNotice).length;
    await harness.client.restart('lag', {
      ownEnv: { PATH: process.env.PATH ?? '', COUNT: '100000', RATE: '0', PAD: '150', STAY: '1' },
    });
    await waitFor(
      () => harness.logLines.filter(isSlowNotice).length > closedBefore,
      'the lagging client closed',
      60_000,
    );
    raw.resume();
    expect(await lagging.closed).toEqual({ code: 4508, reason: 'slow consumer' });
    expect(lagging.messages.filter((m) => m.type === 'logs').length).toBeGreaterThan(0);
    await harness.client.delete('lag');
  });
});

describe('server close', () => {
  it('closes every connection with 1001 and cancels every daemon subscription', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'processes' });
    socket.send({ type: 'subscribe', topic: 'events' });
    socket.send({ type: 'subscribe', topic: 'logs', target: 'all' });
    await socket.take((m) => m.type === 'processes', 'the snapshot');
    await waitFor(
      () => harness.counts.active.followEvents === 2 && harness.counts.active.followLogs === 1,
      'the follows',
    );
    await harness.app.close();
    expect((await socket.closed).code).toBe(1001);
    await waitFor(
      () => harness.counts.active.followEvents + harness.counts.active.followLogs === 0,
      'every follow cancelled',
    );
  });
});
