import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { appSpec, Harness, type RawClient, waitFor } from './helpers.js';
import { DAEMON_ENV, isAlive, keepPinging, rssBytes } from './ipc-helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const LINES = 5000;
const REQUESTS = 100;

/** A daemon with one app that printed LINES lines of ~150 bytes: 100 answers of `logs` pass 64 MiB. */
async function daemonWithBigLog(): Promise<{ pid: number; home: string; client: RawClient }> {
  const home = harness.home();
  const { child, client } = await harness.startDaemon(home, DAEMON_ENV);
  await client.call('start', {
    apps: [
      appSpec(home, {
        name: 'big',
        script: 'chatty.js',
        env: { COUNT: String(LINES), RATE: '0', PAD: '120', STAY: '1' },
      }),
    ],
  });
  await waitFor(
    async () =>
      (await client.call<{ lines: LogLine[] }>('logs', { target: 'big', lines: LINES })).lines.length ===
      LINES,
    { what: `${LINES} lines in the log` },
  );
  return { pid: child.pid!, home, client };
}

function answersOf(client: RawClient, ids: number[]): { status: string; lines: number }[] {
  const wanted = new Set(ids);
  return client.messages
    .filter((m) => wanted.has(m.id))
    .map((m) => ({ status: m.status, lines: (m.payload as { lines?: LogLine[] }).lines?.length ?? -1 }));
}

describe('IPC back-pressure (real daemon)', () => {
  it(`answers all ${REQUESTS} pipelined logs requests of a client that reads normally`, async () => {
    const { home } = await daemonWithBigLog();
    const pinger = keepPinging(await harness.connect(home));
    const client = await harness.connect(home);
    const ids = Array.from({ length: REQUESTS }, () => client.send('logs', { target: 'big', lines: LINES }));
    await waitFor(() => answersOf(client, ids).length === REQUESTS || client.socket.destroyed, {
      what: `${REQUESTS} answers`,
      timeoutMs: 60_000,
    });
    const answers = answersOf(client, ids);
    expect(answers).toHaveLength(REQUESTS);
    expect(answers.every((a) => a.status === 'ok' && a.lines === LINES)).toBe(true);
    expect(await pinger.stop()).toBeGreaterThan(0);
  });

  it('holds a client that does not read to its in-flight limit, then answers everything once it reads', async () => {
    const { home, pid } = await daemonWithBigLog();
    const pinger = keepPinging(await harness.connect(home));
    const before = rssBytes(pid);
    const client = await harness.connect(home);
    client.socket.pause();
    const ids = Array.from({ length: REQUESTS }, () => client.send('logs', { target: 'big', lines: LINES }));
    let peak = before;
    const watchUntil = Date.now() + 3000;
    while (Date.now() < watchUntil) {
      peak = Math.max(peak, rssBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pings = pinger.answered;
    await waitFor(() => pinger.answered > pings + 2, { what: 'pings while the reader stalls' });
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
    client.socket.resume();
    await waitFor(() => answersOf(client, ids).length === REQUESTS || client.socket.destroyed, {
      what: `${REQUESTS} answers`,
      timeoutMs: 60_000,
    });
    expect(answersOf(client, ids).every((a) => a.status === 'ok' && a.lines === LINES)).toBe(true);
    await pinger.stop();
    expect(isAlive(pid)).toBe(true);
  });
});
