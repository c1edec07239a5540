import type { ProcessInfo, VelosEvent } from '@velos/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWsHarness, TOKENS, type WsHarness, waitFor } from './ws-harness.js';
import { logTexts, type ServerMessage, TestSocket } from './ws-test-client.js';

let harness: WsHarness;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  harness = await startWsHarness();
  await harness.startApp('tick', 'ticker.js', { TICK_MS: '100' });
  await harness.startApp('burst', 'chatty.js', { COUNT: '30', RATE: '0', STAY: '1' });
  await waitFor(
    async () => (await harness.client.logsResult({ target: 'burst', lines: 100 })).lines.length === 30,
    'the 30 lines of burst',
  );
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await waitFor(
    () => harness.counts.active.followLogs + harness.counts.active.followEvents === 0,
    'no subscription',
  );
});
afterAll(async () => {
  await harness?.close();
});

async function ready(token: string = TOKENS.read): Promise<TestSocket> {
  const socket = await TestSocket.ready(harness.wsUrl, token);
  sockets.push(socket);
  return socket;
}

const rowsOf = (message: ServerMessage) => message.processes as ProcessInfo[];

describe('the processes topic', () => {
  it('sends a snapshot, then the changed row with a new pid after a restart', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'processes' });
    const snapshot = await socket.take((m) => m.type === 'processes', 'the snapshot');
    expect(snapshot.snapshot).toBe(true);
    const tick = rowsOf(snapshot).find((row) => row.name === 'tick')!;
    expect(tick.status).toBe('online');
    expect(
      rowsOf(snapshot)
        .map((row) => row.name)
        .sort(),
    ).toEqual(['burst', 'tick']);
    await harness.client.restart('tick');
    const change = await socket.take(
      (m) =>
        m.type === 'processes' &&
        rowsOf(m).some((row) => row.name === 'tick' && row.status === 'online' && row.pid !== tick.pid),
      'the restarted row',
    );
    expect(change.snapshot).toBe(false);
    expect(change.removed).toEqual([]);
  });

  it('tells the ids of deleted processes and shares one event follow among clients', async () => {
    const opened = harness.counts.opened.followEvents;
    const [first, second] = [await ready(), await ready()];
    for (const socket of [first, second]) socket.send({ type: 'subscribe', topic: 'processes' });
    for (const socket of [first, second]) await socket.take((m) => m.snapshot === true, 'the snapshot');
    expect(harness.counts.opened.followEvents - opened).toBe(1);
    const [gone] = await harness.startApp('short', 'silent.js');
    await first.take(
      (m) => m.type === 'processes' && rowsOf(m).some((row) => row.id === gone!.id),
      'the new row',
    );
    await harness.client.delete('short');
    for (const socket of [first, second]) {
      await socket.take(
        (m) => m.type === 'processes' && (m.removed as number[]).includes(gone!.id),
        'the removal',
      );
    }
  });
});

describe('the logs topic', () => {
  it('sends the backlog asked for, then live lines, whole and in order', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'logs', target: 'burst', lines: 10 });
    const backlog = await socket.take((m) => m.type === 'logs', 'the backlog');
    expect(backlog.target).toBe('burst');
    expect((backlog.lines as { line: string }[]).map((line) => line.line)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${21 + i}`),
    );
    const live = await ready();
    live.send({ type: 'subscribe', topic: 'logs', target: 'tick', lines: 0 });
    await waitFor(() => logTexts(live).filter((line) => line.includes(' line ')).length >= 8, 'ticker lines');
    const numbers = logTexts(live)
      .map((line) => /line (\d+)$/.exec(line)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i));
  });

  it('sends the backlog even when the app has no lines yet, so a page knows it arrived', async () => {
    await harness.startApp('hush', 'silent.js');
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'logs', target: 'hush', lines: 10 });
    const backlog = await socket.take((m) => m.type === 'logs', 'the empty backlog');
    expect(backlog).toMatchObject({ target: 'hush', lines: [] });
    await harness.client.delete('hush');
  });

  it('gives a client joining a live follow its backlog, then the live lines, without gap or repeat', async () => {
    const first = await ready();
    first.send({ type: 'subscribe', topic: 'logs', target: 'tick' });
    await waitFor(() => logTexts(first).length >= 3, 'lines for the first client');
    const joiner = await ready();
    joiner.send({ type: 'subscribe', topic: 'logs', target: 'tick', lines: 6 });
    const numbered = () =>
      logTexts(joiner)
        .map((line) => /line (\d+)$/.exec(line)?.[1])
        .filter((n) => n !== undefined)
        .map(Number);
    await waitFor(() => numbered().length >= 15, 'fifteen numbered lines for the joiner');
    const numbers = numbered();
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i));
  });

  it('shares one daemon follow per target and cancels it when the last client leaves', async () => {
    const before = harness.counts.opened.followLogs;
    const clients = [await ready(), await ready(), await ready()];
    for (const socket of clients) socket.send({ type: 'subscribe', topic: 'logs', target: 'tick' });
    for (const socket of clients) await waitFor(() => logTexts(socket).length >= 2, 'lines for every client');
    expect(harness.counts.opened.followLogs - before).toBe(1);
    expect(harness.counts.active.followLogs).toBe(1);
    clients[0]!.send({ type: 'unsubscribe', topic: 'logs', target: 'tick' });
    await clients[1]!.close();
    clients[0]!.send({ type: 'ping' });
    await clients[0]!.take((m) => m.type === 'pong', 'pong');
    expect(harness.counts.active.followLogs).toBe(1);
    const count = logTexts(clients[0]!).length;
    await waitFor(() => logTexts(clients[2]!).length >= count + 3, 'lines for the last client');
    expect(logTexts(clients[0]!).length).toBeLessThanOrEqual(count + 1);
    await clients[2]!.close();
    await waitFor(() => harness.counts.active.followLogs === 0, 'the follow cancelled');
  });

  it('refuses a target longer than the protocol takes as REST does, naming the field', async () => {
    const socket = await ready();
    for (const topic of ['logs', 'events']) {
      socket.send({ type: 'subscribe', topic, target: 'a'.repeat(230) });
      expect(await socket.take((m) => m.type === 'error', 'an error')).toEqual({
        type: 'error',
        code: 'INVALID_ARGUMENT',
        message: 'target: expected at most 200 characters, got 230',
        topic,
        field: 'target',
      });
    }
  });

  it('answers an unknown target with TARGET_NOT_FOUND and keeps the connection', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'logs', target: 'tick' });
    socket.send({ type: 'subscribe', topic: 'logs', target: 'nope' });
    const error = await socket.take((m) => m.type === 'error', 'an error');
    // its target tells the client which of its logs subscriptions it is about
    expect(error).toMatchObject({ code: 'TARGET_NOT_FOUND', topic: 'logs', target: 'nope' });
    socket.send({ type: 'unsubscribe', topic: 'logs', target: 'ghost' });
    const notSubscribed = await socket.take((m) => m.type === 'error', 'the unsubscribe error');
    expect(notSubscribed).toMatchObject({ code: 'INVALID_ARGUMENT', topic: 'logs', target: 'ghost' });
    socket.send({ type: 'unsubscribe', topic: 'logs', target: 'tick' });
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong');
    await waitFor(() => harness.counts.active.followLogs === 0, 'no follow left');
  });
});

describe('the events and metrics topics', () => {
  it('takes an events target "all" as no target: one subscription, each event once', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'events', kinds: ['app'] });
    socket.send({ type: 'subscribe', topic: 'events', target: 'all', kinds: ['app'] });
    await waitFor(() => harness.counts.active.followEvents === 1, 'one event follow');
    await harness.client.emitEvent({ name: 'once.only', message: 'once' });
    await socket.take((m) => m.type === 'events', 'the event');
    // a ping answered after it: a second copy would have come before
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong');
    expect(socket.messages.filter((m) => m.type === 'events')).toHaveLength(1);
    socket.send({ type: 'unsubscribe', topic: 'events', kinds: ['app'] });
    await waitFor(() => harness.counts.active.followEvents === 0, 'the follow cancelled');
    expect(socket.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('answers an events target that names nothing with TARGET_NOT_FOUND, as a logs one (docs/api-websocket.md)', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'events', target: 'nope' });
    socket.send({ type: 'subscribe', topic: 'events', target: 'nope', kinds: ['process'] });
    const error = await socket.take((m) => m.type === 'error', 'an error');
    expect(error).toMatchObject({ code: 'TARGET_NOT_FOUND', topic: 'events', target: 'nope', kinds: [] });
    const withKinds = await socket.take((m) => m.type === 'error', 'the error with kinds');
    expect(withKinds).toMatchObject({ topic: 'events', target: 'nope', kinds: ['process'] });
    // the subscription was dropped: asking again is told again, not taken as a duplicate
    socket.send({ type: 'subscribe', topic: 'events', target: 'nope' });
    await socket.take((m) => m.type === 'error', 'the second error');
    await waitFor(() => harness.counts.active.followEvents === 0, 'no follow left');
  });

  it('sends new events matching the kinds and target', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'events', target: 'tick', kinds: ['process'] });
    socket.send({ type: 'subscribe', topic: 'events', kinds: ['app'] });
    await waitFor(() => harness.counts.active.followEvents >= 2, 'two event follows');
    await harness.client.emitEvent({ name: 'deploy.done', message: 'deployed' });
    await harness.client.restart('tick');
    const app = await socket.take(
      (m) => m.type === 'events' && (m.events as VelosEvent[]).some((e) => e.kind === 'app.deploy.done'),
      'the app event',
    );
    expect((app.events as VelosEvent[])[0]!.message).toBe('deployed');
    await socket.take(
      (m) =>
        m.type === 'events' &&
        (m.events as VelosEvent[]).some((e) => e.kind === 'process.online' && e.app === 'tick'),
      'the process event',
    );
    const kinds = socket.messages
      .filter((m) => m.type === 'events')
      .flatMap((m) => (m.events as VelosEvent[]).map((e) => e.kind));
    expect(kinds.every((kind) => kind.startsWith('process.') || kind.startsWith('app.'))).toBe(true);
  });

  it('sends a metrics snapshot every intervalMs, one poll per interval for all clients', async () => {
    const [first, second] = [await ready(), await ready()];
    const before = harness.counts.calls.metrics;
    for (const socket of [first, second])
      socket.send({ type: 'subscribe', topic: 'metrics', intervalMs: 1000 });
    for (const socket of [first, second]) {
      await waitFor(
        () => socket.messages.filter((m) => m.type === 'metrics').length >= 3,
        'three snapshots',
        10_000,
      );
    }
    const snapshot = first.messages.find((m) => m.type === 'metrics')!.metrics as { processes: unknown[] };
    expect(snapshot.processes.length).toBeGreaterThanOrEqual(2);
    const polls = harness.counts.calls.metrics - before;
    expect(polls).toBeLessThanOrEqual(first.messages.filter((m) => m.type === 'metrics').length + 1);
    first.send({ type: 'subscribe', topic: 'metrics', intervalMs: 10 });
    const error = await first.take((m) => m.type === 'error', 'an error');
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'intervalMs', topic: 'metrics' });
  });

  it('stops sending a topic after unsubscribe', async () => {
    const socket = await ready();
    socket.send({ type: 'subscribe', topic: 'metrics', intervalMs: 1000 });
    await socket.take((m) => m.type === 'metrics', 'a snapshot');
    socket.send({ type: 'unsubscribe', topic: 'metrics', intervalMs: 1000 });
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong');
    const count = socket.messages.length;
    const watcher = await ready();
    watcher.send({ type: 'subscribe', topic: 'metrics', intervalMs: 1000 });
    await waitFor(
      () => watcher.messages.filter((m) => m.type === 'metrics').length >= 3,
      'three snapshots elsewhere',
      10_000,
    );
    expect(socket.messages.length).toBe(count);
    socket.send({ type: 'unsubscribe', topic: 'metrics', intervalMs: 1000 });
    expect(await socket.take((m) => m.type === 'error', 'an error')).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
