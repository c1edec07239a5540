import { ErrorCodes, type LogLine } from '@velos/core';
import { encodeFrame, MAX_FRAME_BYTES } from '@velos/core/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { appSpec, Harness, type RawClient, waitFor } from './helpers.js';
import {
  DAEMON_ENV,
  header,
  isAlive,
  keepPinging,
  protocolError,
  rssBytes,
  rssFallenTo,
  settledRss,
} from './ipc-helpers.js';

/** Frame timeout of the flood test's daemon: longer than any flood takes, whatever the load. */
const FLOOD_FRAME_TIMEOUT_MS = 300_000;

const harness = new Harness();
afterEach(() => harness.cleanup());

/** `count` (40) connections each announce a 16 MiB frame and send all of it but one byte, then close. */
async function partialFrameFlood(
  home: string,
  pid: number,
  count = 40,
): Promise<{ refused: number; message: string; peakRss: number }> {
  const body = Buffer.alloc(MAX_FRAME_BYTES - 1, 0x61);
  const attackers: RawClient[] = [];
  for (let i = 0; i < count; i += 1) attackers.push(await harness.connect(home));
  let peakRss = rssBytes(pid);
  const sampling = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssBytes(pid));
    } catch {
      // the daemon is gone (a failed test's teardown): the test reports that, not this timer
    }
  }, 20);
  try {
    // done when all of it is read, or when refused: the daemon closes a refused connection only 2 s later
    await Promise.all(
      attackers.map(
        (attacker) =>
          new Promise<void>((resolve) => {
            attacker.socket.write(header(MAX_FRAME_BYTES));
            attacker.socket.write(body, () => resolve());
            attacker.socket.once('data', () => resolve());
            attacker.closed.then(() => resolve());
          }),
      ),
    );
  } finally {
    clearInterval(sampling);
  }
  const refused = attackers.filter((attacker) => attacker.messages.length > 0);
  for (const attacker of refused) {
    expect(attacker.messages[0]).toMatchObject({
      id: 0,
      status: 'error',
      payload: { code: ErrorCodes.BUSY },
    });
  }
  for (const attacker of attackers) attacker.close();
  const message = (refused[0]?.messages[0]?.payload as { message?: string } | undefined)?.message ?? '';
  return { refused: refused.length, message, peakRss };
}

describe('IPC connections (real daemon)', () => {
  it('refuses connections whose unfinished frames pass the budget; RSS back within 10 % after they close', {
    // three floods (~250 MiB read) and four RSS settles: ~15 s at load 7, over 30 s at load 25
    timeout: 120_000,
  }, async () => {
    const home = harness.home();
    // A loaded daemon reads a flood at ~10–20 MiB/s: the frame timeout (its own test below) must not
    // close the connections still reading, or the ones kept under the budget, before the flood ends.
    const { child, client } = await harness.startDaemon(home, {
      ...DAEMON_ENV,
      VELOS_IPC_FRAME_TIMEOUT_MS: String(FLOOD_FRAME_TIMEOUT_MS),
    });
    const pid = child.pid!;
    const pinger = keepPinging(client);
    await waitFor(() => pinger.answered > 3, { what: 'first pings' });
    // a small first flood pages in the code of this path and of a full collection
    await partialFrameFlood(home, pid, 2);
    const before = await settledRss(pid);
    const first = await partialFrameFlood(home, pid);
    const afterFirst = await rssFallenTo(pid, before * 1.1);
    const second = await partialFrameFlood(home, pid);
    const afterSecond = await rssFallenTo(pid, before * 1.1);
    for (const round of [first, second]) {
      expect(round.refused).toBeGreaterThanOrEqual(35);
      expect(round.message).toMatch(
        /bytes of unfinished requests, over its limit of 33554432; this connection is closed, retry later$/,
      );
      expect(round.peakRss - before).toBeLessThan(150 * 1024 * 1024);
    }
    // collected a second after they close, and returned by glibc (its mmap threshold is fixed)
    for (const after of [afterFirst, afterSecond]) expect(after).toBeLessThanOrEqual(before * 1.1);
    expect(await pinger.stop()).toBeGreaterThan(6);
    expect(isAlive(pid)).toBe(true);
  });

  it('closes a connection whose frame is not completed in time, and one that stays idle', async () => {
    const home = harness.home();
    const env = { VELOS_IPC_FRAME_TIMEOUT_MS: '400', VELOS_IPC_IDLE_TIMEOUT_MS: '800' };
    await harness.startDaemon(home, env);
    const stalled = await harness.connect(home);
    const startedAt = Date.now();
    stalled.socket.write(encodeFrame({ id: 1, cmd: 'ping' }).subarray(0, 9));
    expect((await protocolError(stalled)).payload).toEqual({
      code: ErrorCodes.TIMEOUT,
      message: 'bad frame: started but not completed within 400 ms; connection closed',
    });
    expect(Date.now() - startedAt).toBeLessThan(3000);

    const idle = await harness.connect(home);
    expect((await idle.request('ping')).status).toBe('ok');
    await idle.closed;
    expect(idle.messages.at(-1)).toMatchObject({
      id: 0,
      status: 'error',
      payload: { code: ErrorCodes.TIMEOUT, message: 'connection idle for more than 800 ms; closed' },
    });
    const other = await harness.connect(home);
    expect((await other.request('ping')).status).toBe('ok');
  });

  it('keeps a connection that follows logs open past the idle timeout', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home, { VELOS_IPC_IDLE_TIMEOUT_MS: '500' });
    await client.call('start', {
      apps: [appSpec(home, { name: 'quiet', script: 'chatty.js', env: { COUNT: '1', STAY: '1' } })],
    });
    const follower = await harness.connect(home);
    const id = follower.send('logs.follow', { target: 'quiet' });
    await follower.next((m) => m.id === id && m.status === 'stream');
    const idle = await harness.connect(home);
    await idle.closed;
    expect(follower.socket.destroyed).toBe(false);
    const cancel = follower.send('cancel', { id });
    expect(await follower.next((m) => m.id === cancel)).toMatchObject({ status: 'ok' });
    const lines = follower.messages.filter((m) => m.id === id && m.status === 'stream');
    expect(lines.flatMap((m) => (m.payload as { lines: LogLine[] }).lines).map((l) => l.line)).toEqual([
      'line 1',
    ]);
  });

  it('answers a stream past the per-connection cap with BUSY and keeps the connection', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home, { VELOS_IPC_MAX_STREAMS: '3' });
    const ids = Array.from({ length: 4 }, () => client.send('logs.follow', {}));
    expect(await client.next((m) => m.id === ids[3])).toMatchObject({
      status: 'error',
      payload: {
        code: ErrorCodes.BUSY,
        message: 'this connection already has 3 open streams (the limit); cancel one first',
      },
    });
    const cancel = client.send('cancel', { id: ids[0] });
    expect(await client.next((m) => m.id === cancel)).toMatchObject({
      status: 'ok',
      payload: { cancelled: true },
    });
    const again = client.send('logs.follow', {});
    expect((await client.request('ping')).status).toBe('ok');
    expect(client.messages.filter((m) => m.id === again)).toEqual([]);
  });

  it('accepts at most 256 connections and refuses the others with BUSY', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const opened: RawClient[] = [];
    for (let i = 0; i < 500; i += 1) opened.push(await harness.connect(home));
    const refused = await waitFor(
      () => {
        const closed = opened.filter((raw) => raw.socket.destroyed);
        return closed.length >= 245 ? closed : null;
      },
      { what: 'refused connections to close' },
    );
    // the test's own client counts: 255 of the 500 fit under the cap
    expect(refused).toHaveLength(245);
    expect(refused[0]!.messages).toEqual([
      {
        id: 0,
        status: 'error',
        payload: {
          code: ErrorCodes.BUSY,
          message:
            'the daemon already serves 256 connections (its limit, VELOS_IPC_MAX_CONNECTIONS); close some and retry',
          data: { maxConnections: 256 },
        },
      },
    ]);
    expect((await client.request('ping')).status).toBe('ok');
    for (const raw of opened) raw.close();
    await waitFor(
      async () => (await (await harness.connect(home)).request('ping', undefined, 2000)).status === 'ok',
      {
        what: 'a new connection after the others closed',
      },
    );
  });
});
