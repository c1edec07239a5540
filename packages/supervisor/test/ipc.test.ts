import { join } from 'node:path';
import { ErrorCodes, type LogLine } from '@velos/core';
import { encodeFrame, FRAME_HEADER_BYTES } from '@velos/core/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { type IpcServer, type StreamSink, startIpcServer } from '../src/ipc-server.js';
import { appSpec, Harness, RawClient, waitFor } from './helpers.js';

const harness = new Harness();
const servers: IpcServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await harness.cleanup();
});

function header(length: number, magic = [0x56, 0x45], version = 1): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head[0] = magic[0]!;
  head[1] = magic[1]!;
  head[2] = version;
  head.writeUInt32LE(length, 3);
  return head;
}

const BAD_FRAMES: { name: string; bytes: () => Buffer; code: string; halfClose?: boolean }[] = [
  {
    name: 'garbage',
    bytes: () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    code: ErrorCodes.PROTOCOL_ERROR,
  },
  {
    name: 'wrong magic',
    bytes: () => Buffer.concat([header(1, [0x50, 0x4b]), Buffer.from([0xc0])]),
    code: ErrorCodes.PROTOCOL_ERROR,
  },
  {
    name: 'wrong version',
    bytes: () => Buffer.concat([header(1, undefined, 9), Buffer.from([0xc0])]),
    code: ErrorCodes.PROTOCOL_ERROR,
  },
  { name: 'a 100 MiB claim', bytes: () => header(100 * 1024 * 1024), code: ErrorCodes.FRAME_TOO_LARGE },
  {
    name: 'truncated, then closed',
    bytes: () => encodeFrame({ id: 5, cmd: 'ping' }).subarray(0, 10),
    code: ErrorCodes.PROTOCOL_ERROR,
    halfClose: true,
  },
  {
    name: 'invalid msgpack',
    bytes: () => Buffer.concat([header(1), Buffer.from([0xc1])]),
    code: ErrorCodes.PROTOCOL_ERROR,
  },
  { name: 'not a request', bytes: () => encodeFrame(['ping']), code: ErrorCodes.PROTOCOL_ERROR },
];

describe('IPC server (real daemon)', () => {
  it('answers each bad frame with one id-0 error and closes only that connection', async () => {
    const home = harness.home();
    const { client: pinger } = await harness.startDaemon(home);
    let answered = 0;
    let isPinging = true;
    const pinging = (async () => {
      while (isPinging) {
        await pinger.call('ping', undefined, 5000);
        answered += 1;
      }
    })();
    for (const bad of BAD_FRAMES) {
      const raw = await harness.connect(home);
      raw.socket.write(bad.bytes());
      if (bad.halfClose) raw.socket.end();
      await raw.closed;
      expect(raw.messages, bad.name).toHaveLength(1);
      expect(raw.messages[0], bad.name).toMatchObject({
        id: 0,
        status: 'error',
        payload: { code: bad.code },
      });
    }
    const before = answered;
    await waitFor(() => answered > before + 2, { what: 'pings after the bad frames' });
    isPinging = false;
    await pinging;
    expect((await pinger.call<{ processes: number }>('ping')).processes).toBe(0);
  });

  it('keeps the connection open after an unknown command or an invalid payload', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const unknown = await client.request('frobnicate', { x: 1 });
    expect(unknown).toMatchObject({ status: 'error', payload: { code: ErrorCodes.UNKNOWN_COMMAND } });
    const invalid = await client.request('stop', { target: 5 });
    expect(invalid.status).toBe('error');
    expect(invalid.payload).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
    expect((invalid.payload as { message: string }).message).toBe(
      'stop: target: expected a string or an array, got 5',
    );
    const badSpec = await client.request('start', {
      apps: [{ ...appSpec(home, { name: 'x' }), cwd: 'relative' }],
    });
    expect((badSpec.payload as { message: string }).message).toBe(
      'start: apps[0].cwd: expected an absolute path, got "relative"',
    );
    const missing = await client.request('describe', { target: 'ghost' });
    expect(missing.payload).toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: "no process matches 'ghost'",
    });
    expect((await client.request('ping')).status).toBe('ok');
  });

  it('serves many requests in flight on one connection, each answered when it finishes', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', {
      apps: [appSpec(home, { name: 'stubborn', script: 'ignore-sigterm.js', killTimeoutMs: 1000 })],
    });
    await waitFor(
      async () => (await client.call<{ lines: LogLine[] }>('logs', { target: 'stubborn' })).lines.length > 0,
    );
    const stopId = client.send('stop', { target: 'stubborn' });
    const pingIds = Array.from({ length: 30 }, () => client.send('ping'));
    const listId = client.send('list');
    const pings = await Promise.all(pingIds.map((id) => client.next((m) => m.id === id)));
    expect(pings.every((m) => m.status === 'ok')).toBe(true);
    await client.next((m) => m.id === listId);
    const order = () => client.messages.map((m) => m.id);
    expect(order()).not.toContain(stopId);
    const stop = await client.next((m) => m.id === stopId);
    expect(stop).toMatchObject({ status: 'ok' });
    expect(order().indexOf(stopId)).toBe(order().length - 1);
  });

  it('answers other clients while a large start is spawning', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const other = await harness.connect(home);
    const count = 60;
    const apps = Array.from({ length: count }, (_, i) =>
      appSpec(home, { name: `s${i}`, script: 'sleep', args: ['300'] }),
    );
    const startId = client.send('start', { apps });
    type Listed = { processes: { status: string }[] };
    const midway = await waitFor(
      async () => {
        const listed = await other.call<Listed>('list');
        return listed.processes.length > 0 ? listed : null;
      },
      { what: 'the first registered process' },
    );
    expect(client.messages.find((m) => m.id === startId)).toBeUndefined();
    expect(midway.processes.some((p) => p.status === 'starting')).toBe(true);
    const started = await client.next((m) => m.id === startId, 60_000);
    expect((started.payload as Listed).processes).toHaveLength(count);
    const listed = await other.call<Listed>('list');
    expect(listed.processes.filter((p) => p.status === 'online')).toHaveLength(count);
  });

  it('streams logs.follow until cancelled, then answers the stream with end', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', {
      apps: [appSpec(home, { name: 'chat', script: 'chatty.js', env: { RATE: '40', STAY: '1' } })],
    });
    const streamId = client.send('logs.follow', { target: 'chat', lines: 2 });
    const items = () => client.messages.filter((m) => m.id === streamId && m.status === 'stream');
    await waitFor(() => items().length >= 3, { what: '3 stream items' });
    const lines = items().flatMap((m) => (m.payload as { lines: LogLine[] }).lines);
    expect(lines.every((l) => l.name === 'chat' && /^line \d+$/.test(l.line))).toBe(true);
    const numbers = lines.map((l) => Number(l.line.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));

    const cancelId = client.send('cancel', { id: streamId });
    const end = await client.next((m) => m.id === streamId && m.status === 'end');
    expect(end.payload).toMatchObject({ dropped: 0 });
    expect(await client.next((m) => m.id === cancelId)).toMatchObject({
      status: 'ok',
      payload: { cancelled: true },
    });
    const count = items().length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(items().length).toBe(count);
    expect((await client.request('ping')).status).toBe('ok');
  });

  it('drops a stream when its client disconnects and keeps serving others', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', {
      apps: [appSpec(home, { name: 'chat', script: 'chatty.js', env: { RATE: '200', STAY: '1' } })],
    });
    const follower = await harness.connect(home);
    const id = follower.send('logs.follow', {});
    await follower.next((m) => m.id === id && m.status === 'stream');
    follower.close();
    await follower.closed;
    const other = await harness.connect(home);
    for (let i = 0; i < 5; i += 1) expect((await other.request('ping')).status).toBe('ok');
    expect((await client.call<{ processes: unknown[] }>('list')).processes).toHaveLength(1);
  });
});

describe('IPC server back-pressure', () => {
  it('bounds what a stalled stream reader costs: the oldest items are dropped and counted', async () => {
    const home = harness.home();
    const socketPath = join(home, 'test.sock');
    const total = 3000;
    const item = 'x'.repeat(2048);
    servers.push(
      await startIpcServer({
        socketPath,
        maxQueuedItems: 100,
        dispatcher: {
          isStream: (cmd) => cmd === 'flood',
          request: async () => ({ pong: true }),
          stream: async (_cmd, _payload, sink: StreamSink) => {
            setImmediate(() => {
              for (let seq = 0; seq < total; seq += 1) sink.push({ seq, item });
              sink.end();
            });
            return () => undefined;
          },
        },
      }),
    );
    const client = await RawClient.connect(socketPath);
    client.socket.pause();
    const id = client.send('flood');
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.socket.resume();
    const end = await client.next((m) => m.id === id && m.status === 'end');
    const received = client.messages.filter((m) => m.id === id && m.status === 'stream');
    const payloads = received.map((m) => m.payload as { seq: number; dropped?: number });
    const dropped = (end.payload as { dropped: number }).dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(received.length + dropped).toBe(total);
    expect(payloads.reduce((sum, p) => sum + (p.dropped ?? 0), 0)).toBe(dropped);
    const seqs = payloads.map((p) => p.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(total - 1);
    client.close();
  });

  it('answers requests on other connections while a stream reader is stalled', async () => {
    const home = harness.home();
    const socketPath = join(home, 'test.sock');
    let sink: StreamSink | null = null;
    servers.push(
      await startIpcServer({
        socketPath,
        dispatcher: {
          isStream: (cmd) => cmd === 'flood',
          request: async () => ({ pong: true }),
          stream: async (_cmd, _payload, streamSink) => {
            sink = streamSink;
            return () => undefined;
          },
        },
      }),
    );
    const stalled = await RawClient.connect(socketPath);
    stalled.socket.pause();
    stalled.send('flood');
    const opened = await waitFor(() => sink, { what: 'the stream to open' });
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 2000; i += 1) opened.push({ i, big });
    const other = await RawClient.connect(socketPath);
    const startedAt = Date.now();
    for (let i = 0; i < 5; i += 1) expect(await other.call('ping', undefined, 2000)).toEqual({ pong: true });
    expect(Date.now() - startedAt).toBeLessThan(2000);
    stalled.close();
    other.close();
  });
});
