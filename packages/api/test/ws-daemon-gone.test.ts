import type { ProcessInfo, VelosEvent } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appSpec,
  startDaemon,
  startWsHarness,
  type TestDaemon,
  TOKENS,
  type WsHarness,
  waitFor,
} from './ws-harness.js';
import { TestSocket } from './ws-test-client.js';

let harness: WsHarness;
let second: TestDaemon | null = null;
let third: TestDaemon | null = null;
let socket: TestSocket | null = null;

beforeAll(async () => {
  harness = await startWsHarness({ ws: { processesPollMs: 300, retryMaxDelayMs: 400 } });
});
afterAll(async () => {
  await socket?.close();
  await harness.client.kill().catch(() => undefined);
  await second?.stop();
  await third?.stop();
  await harness?.close();
});

describe('a daemon that goes away', () => {
  it('tells DAEMON_UNAVAILABLE, keeps the connection, and resumes the feeds when a daemon is back', async () => {
    socket = await TestSocket.ready(harness.wsUrl, TOKENS.admin);
    socket.send({ type: 'subscribe', topic: 'processes' });
    socket.send({ type: 'subscribe', topic: 'events', kinds: ['process'] });
    expect(await socket.take((m) => m.type === 'processes', 'the snapshot')).toMatchObject({ processes: [] });
    const opened = harness.counts.opened.followEvents;
    const killedAt = Date.now();
    harness.daemon.child.kill('SIGKILL');
    for (const topic of ['processes', 'events']) {
      const error = await socket.take((m) => m.type === 'error' && m.topic === topic, `the ${topic} error`);
      expect(error.code).toBe('DAEMON_UNAVAILABLE');
    }
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong while the daemon is gone');
    // one notice per outage, not one per retry
    await waitFor(
      () => harness.counts.opened.followEvents >= opened + 4,
      'three retries of the events follow',
    );
    expect(socket.messages.filter((m) => m.type === 'error').length).toBe(2);
    // a logs subscription with a backlog is told once too, though both its follow and its read fail
    const follows = harness.counts.opened.followLogs;
    socket.send({ type: 'subscribe', topic: 'logs', lines: 5 });
    await waitFor(() => harness.counts.opened.followLogs >= follows + 3, 'two retries of the logs follow');
    expect(socket.messages.filter((m) => m.type === 'error' && m.topic === 'logs').length).toBe(1);

    second = await startDaemon(harness.home);
    // each subscription is told its feed is live again, with when the outage began (what may be missed)
    const resumed = new Map<string, Record<string, unknown>>();
    for (const topic of ['processes', 'events', 'logs'])
      resumed.set(
        topic,
        await socket.take((m) => m.type === 'resumed' && m.topic === topic, `${topic} resumed`),
      );
    const since = resumed.get('processes')!.since as number;
    expect(since).toBeGreaterThanOrEqual(killedAt);
    expect(since).toBeLessThan(Date.now());
    expect(resumed.get('processes')).toEqual({ type: 'resumed', topic: 'processes', since });
    expect(resumed.get('events')).toEqual({
      type: 'resumed',
      topic: 'events',
      kinds: ['process'],
      since: expect.any(Number),
    });
    expect(resumed.get('logs')).toEqual({
      type: 'resumed',
      topic: 'logs',
      target: 'all',
      since: expect.any(Number),
    });
    // its backlog is read again once the daemon is back: sent, empty (no app runs yet, so no live line
    // can come first), the client knows where its lines start
    const backlog = await socket.take((m) => m.type === 'logs', 'the backlog read again', 5000);
    expect(backlog).toEqual({ type: 'logs', target: 'all', lines: [] });
    await harness.client.start([appSpec('back', 'ticker.js')]);
    const row = await socket.take(
      (m) => m.type === 'processes' && (m.processes as ProcessInfo[]).some((p) => p.name === 'back'),
      'the new app in the processes feed',
    );
    expect(row.snapshot).toBe(false);
    // the events follow reopens on its own backoff, maybe after the start's events: restart the app
    // until one of its events comes through the reopened follow
    const ofBack = (m: { type: string; events?: unknown }) =>
      m.type === 'events' && (m.events as VelosEvent[]).some((e) => e.app === 'back');
    const deadline = Date.now() + 20_000;
    while (!socket.messages.some(ofBack)) {
      if (Date.now() > deadline) throw new Error('no event of the new app after the follow reopened');
      await harness.client.restart('back');
      await socket.take(ofBack, 'an event of the new app', 1500).catch(() => undefined);
    }

    // a second outage: the events subscription is told the newest event it got, to read the gap after it
    await second.stop();
    await socket.take((m) => m.type === 'error' && m.topic === 'events', 'the second outage');
    third = await startDaemon(harness.home);
    const again = await socket.take(
      (m) => m.type === 'resumed' && m.topic === 'events',
      'events resumed again',
    );
    const before = socket.messages.slice(0, socket.messages.indexOf(again));
    const seqs = before.flatMap((m) =>
      m.type === 'events' ? (m.events as VelosEvent[]).map((e) => e.seq) : [],
    );
    expect(again.afterSeq).toBe(Math.max(...seqs));
  });
});
